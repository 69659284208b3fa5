package org.vaaitarget.core.spc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.vaaitarget.core.testkit.Harness.A;
import static org.vaaitarget.core.testkit.Harness.assertCheck;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vaaitarget.core.scsi.LunAddress;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.testkit.Harness;
import org.vaaitarget.core.testkit.Reply;

/** REPORT LUNS (SPC-5 6.33). */
class ReportLunsHandlerTest {
    private final Harness h = Harness.of(
            List.of(Harness.lu(300, Harness.THIN_WRITE_BACK), Harness.lu(0, Harness.THIN_WRITE_BACK)),
            SpcHandlers.all());

    private Reply reportLuns(int select, long alloc) {
        return h.run(A, 0, 0xA0, 0, select, 0, 0, 0, (int) (alloc >>> 24) & 0xFF, (int) (alloc >>> 16) & 0xFF,
                (int) (alloc >>> 8) & 0xFF, (int) alloc & 0xFF, 0, 0);
    }

    @Test
    void listsEveryLunInOrderWithSamEncoding() {
        for (int select : new int[] {0, 2}) {
            Reply r = reportLuns(select, 4096);
            assertEquals(ScsiStatus.GOOD, r.status());
            assertEquals(16, r.u32(0), "LUN LIST LENGTH");
            assertEquals(24, r.data().length);
            assertEquals(LunAddress.encode(0), r.u64(8));
            assertEquals(LunAddress.encode(300), r.u64(16));
            assertEquals(0x41, r.u8(16), "flat space addressing for LUN 300");
        }
    }

    @Test
    void wellKnownLusAreNone() {
        Reply r = reportLuns(1, 4096);
        assertEquals(0, r.u32(0));
        assertEquals(8, r.data().length);
    }

    @Test
    void otherSelectReportValuesAreInvalid() {
        assertCheck(reportLuns(3, 4096), SenseReason.INVALID_FIELD_IN_CDB);
        assertCheck(reportLuns(0x10, 4096), SenseReason.INVALID_FIELD_IN_CDB);
    }

    @Test
    void allocationLengthBelowSixteenIsInvalidAndAboveTruncates() {
        assertCheck(reportLuns(0, 15), SenseReason.INVALID_FIELD_IN_CDB);
        Reply r = reportLuns(0, 16);
        assertEquals(16, r.data().length);
        assertEquals(16, r.u32(0), "the length field still counts every LUN");
    }

    @Test
    void servedOnAnyLun() {
        Reply r = h.run(A, 77, 0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0);
        assertEquals(ScsiStatus.GOOD, r.status());
        assertEquals(16, r.u32(0));
    }
}
