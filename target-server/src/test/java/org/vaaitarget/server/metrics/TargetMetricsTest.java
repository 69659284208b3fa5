package org.vaaitarget.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.vaaitarget.core.observe.CommandOp;
import org.vaaitarget.core.observe.LunObserver;
import org.vaaitarget.core.observe.MiscompareCause;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.server.pdu.LoginStatus;

/** The Micrometer-backed observer on its own: label values, lazily registered series, TASK SET FULL from both layers. */
class TargetMetricsTest {
    private static final String T = "target=\"iqn.2026-12.org.example:t\"";

    @Test
    void taskSetFullCountsFromTheCoreAndTheFabricAndErrorsAreLabelledByStatus() {
        try (TargetMetrics m = new TargetMetrics()) {
            LunObserver lun0 = m.lun("iqn.2026-12.org.example:t", 0);
            lun0.commandCompleted(CommandOp.WRITE, ScsiStatus.TASK_SET_FULL, -1, 0, 0, 1000);
            m.taskSetFull();
            lun0.commandCompleted(CommandOp.READ, ScsiStatus.RESERVATION_CONFLICT, -1, 0, 0, 1000);
            lun0.commandCompleted(CommandOp.SYNC, ScsiStatus.CHECK_CONDITION, 0x3, 0, 0, 1000);
            lun0.commandCompleted(CommandOp.OTHER, ScsiStatus.CONDITION_MET, -1, 0, 0, 1000);   // not an error
            String s = m.scrape();
            assertTrue(s.contains("vaai_target_task_set_full_total 2.0"), s);
            assertTrue(s.contains("vaai_target_command_errors_total{lun=\"0\",op=\"write\",sense_key=\"task_set_full\"," + T + "} 1.0"), s);
            assertTrue(s.contains("vaai_target_command_errors_total{lun=\"0\",op=\"read\",sense_key=\"reservation_conflict\"," + T + "} 1.0"), s);
            assertTrue(s.contains("vaai_target_command_errors_total{lun=\"0\",op=\"sync\",sense_key=\"medium_error\"," + T + "} 1.0"), s);
            assertFalse(s.contains("op=\"other\",sense_key"), s);
        }
    }

    @Test
    void loginsTaskManagementAndAtsAreLabelledAsDocumented() {
        try (TargetMetrics m = new TargetMetrics()) {
            m.login(LoginStatus.SUCCESS);
            m.login(LoginStatus.AUTHENTICATION_FAILURE);
            m.login(LoginStatus.AUTHORIZATION_FAILURE);
            m.login(LoginStatus.OUT_OF_RESOURCES);
            m.taskManagement(5, "FUNCTION_COMPLETE");
            m.taskManagement(1, "TASK_DOES_NOT_EXIST");
            LunObserver lun1 = m.lun("iqn.2026-12.org.example:t", 1);
            lun1.atsLockWaited(2_000);
            lun1.atsCompared(MiscompareCause.OWN_WRITE);
            lun1.writeSameBlocks(8, true);
            lun1.unmapBlocks(16);
            lun1.xcopyBytes(1 << 20);
            m.lun("iqn.2026-12.org.example:t", -1).commandCompleted(CommandOp.OTHER, ScsiStatus.CHECK_CONDITION, 0x5,
                    0, 0, 1000);
            String s = m.scrape();
            for (String result : TargetMetrics.LOGIN_RESULTS) {
                assertTrue(s.contains("vaai_target_logins_total{result=\"" + result + "\"} 1.0"), result);
            }
            assertTrue(s.contains("vaai_target_task_management_total{function=\"logical_unit_reset\",response=\"function_complete\"} 1.0"), s);
            assertTrue(s.contains("vaai_target_task_management_total{function=\"abort_task\",response=\"task_does_not_exist\"} 1.0"), s);
            assertTrue(s.contains("vaai_target_ats_miscompares_total{cause=\"own-write\",lun=\"1\"," + T + "} 1.0"), s);
            assertTrue(s.contains("vaai_target_ats_total{lun=\"1\",result=\"miscompare\"," + T + "} 1.0"), s);
            assertTrue(s.contains("vaai_target_ats_lock_wait_seconds_count{lun=\"1\"," + T + "} 1"), s);
            assertTrue(s.contains("vaai_target_write_same_blocks_total{lun=\"1\"," + T + ",unmap=\"true\"} 8.0"), s);
            assertTrue(s.contains("vaai_target_unmap_blocks_total{lun=\"1\"," + T + "} 16.0"), s);
            assertTrue(s.contains("vaai_target_xcopy_bytes_total{lun=\"1\"," + T + "} 1048576.0"), s);
            assertTrue(s.contains("vaai_target_commands_total{lun=\"none\",op=\"other\"," + T + "} 1.0"), s);
            assertFalse(s.contains("vaai_target_command_duration_seconds_count{lun=\"none\""), "no histograms for lun none");
        }
    }

    @Test
    void functionCodesHaveNames() {
        assertEquals("abort_task_set", TargetMetrics.functionName(2));
        assertEquals("target_cold_reset", TargetMetrics.functionName(7));
        assertEquals("other", TargetMetrics.functionName(99));
    }
}
