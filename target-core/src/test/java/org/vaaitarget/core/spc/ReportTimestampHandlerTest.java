package org.vaaitarget.core.spc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vaaitarget.core.testkit.Harness.A;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.testkit.Harness;
import org.vaaitarget.core.testkit.Reply;

/** REPORT TIMESTAMP (SPC-5 6.38), served from the SPC family's table like every other command. */
class ReportTimestampHandlerTest {
    private final Harness h = Harness.of(List.of(Harness.lu(0, Harness.THIN_WRITE_BACK)), SpcHandlers.all());

    @BeforeEach
    void clear() {
        h.clearUa(A, 0);
    }

    private Reply reportTimestamp(int allocation) {
        return h.run(A, 0, 0xA3, 0x0F, 0, 0, 0, 0, 0, 0, allocation >>> 8, allocation & 0xFF, 0, 0);
    }

    @Test
    void reportsTheMachineClockInMillisecondsWithItsOrigin() {
        long before = System.currentTimeMillis();
        Reply r = reportTimestamp(12);
        long after = System.currentTimeMillis();
        assertEquals(ScsiStatus.GOOD, r.status());
        assertEquals(12, r.data().length);
        assertEquals(0x000A, r.u16(0), "TIMESTAMP PARAMETER DATA LENGTH");
        assertEquals(0b011, r.u8(2) & 0x07, "TIMESTAMP ORIGIN: set outside the standard (the host clock)");
        long timestamp = ((long) r.u16(4) << 32) | r.u32(6);
        assertTrue(timestamp >= before && timestamp <= after, timestamp + " not in [" + before + ", " + after + "]");
        assertEquals(0, r.u16(10), "reserved");
    }

    @Test
    void theAllocationLengthCutsTheData() {
        assertEquals(4, reportTimestamp(4).data().length);
        assertEquals(0, reportTimestamp(0).data().length);
        assertEquals(12, reportTimestamp(255).data().length);
    }

    @Test
    void reportSupportedOperationCodesListsItWithItsUsageMap() {
        // REPORTING OPTIONS 010b: one command, by operation code and service action (SPC-5 6.35.2)
        Reply r = h.run(A, 0, 0xA3, 0x0C, 0x02, 0xA3, 0x00, 0x0F, 0, 0, 1, 0, 0, 0);
        assertEquals(ScsiStatus.GOOD, r.status());
        assertEquals(0b011, r.u8(1) & 0x07, "SUPPORT: supported as the standard says");
        assertEquals(12, r.u16(2), "CDB SIZE");
        assertEquals(0xA3, r.u8(4));
        assertEquals(0x0F, r.u8(5), "the service action in its place (SPC-5 6.35.4)");
    }
}
