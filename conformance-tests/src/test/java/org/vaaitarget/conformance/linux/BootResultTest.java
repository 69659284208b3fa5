package org.vaaitarget.conformance.linux;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** How harness markers become test verdicts (no guest boot: a log directory written by hand). */
class BootResultTest {
    @TempDir
    Path logDir;

    private static final String HARNESS_LOG = String.join("\n",
            "@@BOOT kernel=6.1.0 t=1.00",
            "@@STEP discovery PASS rc=0 expect=0 secs=0.20 t=3.10",
            "@@STEP caw-miscompare-offset FAIL rc=1 expect=0 secs=0.03 t=5.00",
            "@@STEP caw-miscompare PASS rc=14 expect=14 secs=0.10 t=5.10",
            "@@STEP unmap SKIP reason=UNMAP (sg_unmap): later feature t=5.20",
            "@@COMMANDS-END t=6.00",
            "@@RESULT FAIL passed=2 failed=1 skipped=1 t=6.20", "");
    private static final String CONSOLE_LOG = String.join("\n",
            "[   5.000] ==> [caw-miscompare-offset] caw_offset",
            "[   5.001] kmsg: noise",
            "[   5.002] sense INFORMATION (miscompare offset): 0, expected 100",
            "[   5.003] <== [caw-miscompare-offset] FAIL (exit 1, expected 0)", "");

    private BootResult parse(String harnessLog, int exit) throws Exception {
        Files.writeString(logDir.resolve("harness.log"), harnessLog);
        Files.writeString(logDir.resolve("console.log"), CONSOLE_LOG);
        return BootResult.parse("scsi-and-block", logDir, exit, 20);
    }

    private static DynamicTest test(List<DynamicNode> tests, String name) {
        return tests.stream().map(DynamicTest.class::cast).filter(t -> t.getDisplayName().equals(name)).findFirst()
                .orElseThrow();
    }

    @Test
    void stepsInGuestOrderPlusTheBootItself() throws Exception {
        List<DynamicNode> tests = parse(HARNESS_LOG, 1).tests(Map.of());
        assertEquals(List.of("discovery", "caw-miscompare-offset", "caw-miscompare", "unmap", "boot completed"),
                tests.stream().map(DynamicNode::getDisplayName).toList());
    }

    @Test
    void failedStepFailsWithLogDirectoryAndItsConsoleOutput() throws Exception {
        List<DynamicNode> tests = parse(HARNESS_LOG, 1).tests(Map.of());
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> test(tests, "caw-miscompare-offset").getExecutable().execute());
        assertTrue(e.getMessage().contains("step 'caw-miscompare-offset' FAILED (exit 1, expected 0)"), e.getMessage());
        assertTrue(e.getMessage().contains("Logs: " + logDir), e.getMessage());
        assertTrue(e.getMessage().contains("miscompare offset): 0, expected 100"), e.getMessage());
        assertTrue(!e.getMessage().contains("kmsg: noise"), e.getMessage());
    }

    @Test
    void expectedNonZeroExitPassesAndSkipAborts() throws Exception {
        List<DynamicNode> tests = parse(HARNESS_LOG, 1).tests(Map.of());
        assertDoesNotThrow(() -> test(tests, "caw-miscompare").getExecutable().execute());
        TestAbortedException e = assertThrows(TestAbortedException.class,
                () -> test(tests, "unmap").getExecutable().execute());
        assertTrue(e.getMessage().contains("later feature"), e.getMessage());
    }

    @Test
    void knownGapOfAStandInAbortsInsteadOfFailing() throws Exception {
        List<DynamicNode> tests = parse(HARNESS_LOG, 1).tests(Map.of("caw-miscompare-offset", "istgt reports 0"));
        TestAbortedException e = assertThrows(TestAbortedException.class,
                () -> test(tests, "caw-miscompare-offset").getExecutable().execute());
        assertTrue(e.getMessage().contains("istgt reports 0"), e.getMessage());
    }

    @Test
    void bootThatDidNotFinishFails() throws Exception {
        String cut = HARNESS_LOG.substring(0, HARNESS_LOG.indexOf("@@COMMANDS-END"));
        List<DynamicNode> tests = parse(cut, 2).tests(Map.of());
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> test(tests, "boot completed").getExecutable().execute());
        assertTrue(e.getMessage().contains("did not complete (harness exit 2"), e.getMessage());
        assertTrue(e.getMessage().contains("Logs: " + logDir), e.getMessage());
    }

    @Test
    void completedBootPassesEvenWithAFailedStep() throws Exception {
        List<DynamicNode> tests = parse(HARNESS_LOG, 1).tests(Map.of());
        assertDoesNotThrow(() -> test(tests, "boot completed").getExecutable().execute());
    }
}
