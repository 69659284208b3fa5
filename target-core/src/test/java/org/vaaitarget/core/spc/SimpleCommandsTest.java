package org.vaaitarget.core.spc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.vaaitarget.core.testkit.Harness.A;
import static org.vaaitarget.core.testkit.Harness.assertCheck;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.testkit.Harness;
import org.vaaitarget.core.testkit.Reply;

/** TEST UNIT READY, REQUEST SENSE, START STOP UNIT, PREVENT ALLOW MEDIUM REMOVAL. */
class SimpleCommandsTest {
    private final Harness h = Harness.of(List.of(Harness.lu(0, Harness.THIN_WRITE_BACK)), SpcHandlers.all());

    @BeforeEach
    void clear() {
        h.clearUa(A, 0);
    }

    @Test
    void testUnitReady() {
        assertEquals(ScsiStatus.GOOD, h.run(A, 0, 0x00, 0, 0, 0, 0, 0).status());
    }

    @Test
    void requestSenseFormatsAndTruncation() {
        Reply fixed = h.run(A, 0, 0x03, 0, 0, 0, 252, 0);
        assertEquals(18, fixed.data().length);
        assertEquals(0x70, fixed.u8(0));
        Reply desc = h.run(A, 0, 0x03, 0x01, 0, 0, 252, 0);
        assertEquals(0x72, desc.u8(0));
        assertEquals(8, desc.data().length);
        assertEquals(8, h.run(A, 0, 0x03, 0, 0, 0, 8, 0).data().length);
        assertEquals(0, h.run(A, 0, 0x03, 0, 0, 0, 0, 0).data().length);
    }

    @Test
    void startStopUnitOnAFixedMedium() {
        assertEquals(ScsiStatus.GOOD, h.run(A, 0, 0x1B, 0x01, 0, 0, 0x01, 0).status());   // start, immed
        assertEquals(ScsiStatus.GOOD, h.run(A, 0, 0x1B, 0x00, 0, 0, 0x00, 0).status());   // stop: stays ready
        assertEquals(ScsiStatus.GOOD, h.run(A, 0, 0x00, 0, 0, 0, 0, 0).status());
        assertEquals(ScsiStatus.GOOD, h.run(A, 0, 0x1B, 0x00, 0, 0, 0x14, 0).status());   // ACTIVE, NO_FLUSH
        assertCheck(h.run(A, 0, 0x1B, 0x01, 0, 0, 0x02, 0), SenseReason.INVALID_FIELD_IN_CDB); // eject
        assertCheck(h.run(A, 0, 0x1B, 0x01, 0, 0, 0x03, 0), SenseReason.INVALID_FIELD_IN_CDB); // load
        assertCheck(h.run(A, 0, 0x1B, 0x00, 0, 0, 0x40, 0), SenseReason.INVALID_FIELD_IN_CDB); // reserved PC
    }

    @Test
    void preventAllowMediumRemoval() {
        assertEquals(ScsiStatus.GOOD, h.run(A, 0, 0x1E, 0, 0, 0, 1, 0).status());
        assertEquals(ScsiStatus.GOOD, h.run(A, 0, 0x1E, 0, 0, 0, 0, 0).status());
        assertCheck(h.run(A, 0, 0x1E, 0, 0, 0, 2, 0), SenseReason.INVALID_FIELD_IN_CDB);
    }
}
