package org.vaaitarget.core.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.scsi.LunAddress;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.TaskManagementResponse;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.testkit.Harness;
import org.vaaitarget.core.testkit.Reply;
import org.vaaitarget.core.assembly.StandardHandlers;

/** LUN 1 is masked from initiator B: for B it does not exist; A sees both. */
class LunMaskTest {
    private TargetDevice device;
    private Harness h;

    @BeforeEach
    void open() {
        List<LogicalUnit> luns = List.of(Harness.lu(0, Harness.THIN_WRITE_BACK), Harness.lu(1, Harness.THIN_WRITE_BACK));
        device = new TargetDevice(Harness.TARGET, luns, StandardHandlers.all(), 16,
                (nexus, lun) -> lun != 1 || nexus.equals(Harness.A));
        h = new Harness(device);
        h.clearUa(Harness.A, 0);
        h.clearUa(Harness.A, 1);
        h.clearUa(Harness.B, 0);
    }

    @AfterEach
    void close() {
        device.close();
    }

    private static final int[] REPORT_LUNS = {0xA0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0};

    @Test
    void reportLunsListsOnlyVisibleLuns() {
        Reply a = h.run(Harness.A, 0, REPORT_LUNS);
        assertEquals(16, a.u32(0), "A: two LUNs");
        Reply b = h.run(Harness.B, 0, REPORT_LUNS);
        assertEquals(ScsiStatus.GOOD, b.status());
        assertEquals(8, b.u32(0), "B: LUN 0 only");
        assertEquals(0, b.u64(8));
    }

    @Test
    void aMaskedLunAnswersLikeANonexistentOne() {
        Reply tur = h.run(Harness.B, 1, 0x00, 0, 0, 0, 0, 0);
        Harness.assertCheck(tur, SenseReason.LOGICAL_UNIT_NOT_SUPPORTED);
        Reply inquiry = h.run(Harness.B, 1, 0x12, 0, 0, 0, 96, 0);
        assertEquals(ScsiStatus.GOOD, inquiry.status());
        assertEquals(0x7F, inquiry.u8(0), "peripheral qualifier 011b, device type 1Fh: no LU here");
        assertEquals(ScsiStatus.GOOD, h.run(Harness.A, 1, 0x00, 0, 0, 0, 0, 0).status());
    }

    @Test
    void taskManagementSeesTheMaskToo() throws Exception {
        long lun1 = LunAddress.encode(1);
        assertFalse(device.hasLun(Harness.B, lun1));
        assertTrue(device.hasLun(Harness.A, lun1));
        assertEquals(TaskManagementResponse.LUN_DOES_NOT_EXIST,
                device.logicalUnitReset(Harness.B, lun1).toCompletableFuture().get());
    }

    /**
     * Decision for TARGET WARM RESET (SAM-5 6.3.2, README "Task management with several hosts"): it resets
     * the LUs the requester may see; a LU masked from it keeps its tasks and unit attention state.
     */
    @Test
    void targetResetLeavesLunsMaskedFromTheRequesterAlone() {
        assertEquals(TaskManagementResponse.FUNCTION_COMPLETE, device.targetReset(Harness.B).toCompletableFuture().join());
        Harness.assertCheck(h.run(Harness.A, 0, 0x00, 0, 0, 0, 0, 0), SenseReason.BUS_DEVICE_RESET_FUNCTION_OCCURRED);
        assertEquals(ScsiStatus.GOOD, h.run(Harness.A, 1, 0x00, 0, 0, 0, 0, 0).status(), "LUN 1 was not reset");
    }
}
