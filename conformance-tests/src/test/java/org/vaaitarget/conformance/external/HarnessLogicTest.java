package org.vaaitarget.conformance.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.vaaitarget.conformance.support.ExternalTools;
import org.opentest4j.TestAbortedException;

/** The output parser and the known-failures rules, on recorded iscsi-test-cu output (no target needed). */
class HarnessLogicTest {
    private static final String OUTPUT = String.join("\n",
            "",
            "     CUnit - A unit testing framework for C - Version 2.1-3",
            "",
            "Suite: ReportSupportedOpcodes",
            "  Test: Simple ...passed",
            "  Test: OneCommand ...    [SKIPPED] REPORT_SUPPORTED_OPCODES is not implemented.",
            "    [SKIPPED] REPORT_SUPPORTED_OPCODES is not implemented.",
            "passed",
            "  Test: RCTD ...Send REPORT_SUPPORTED_OPCODES",
            "    got CHECK CONDITION",
            "FAILED",
            "    1. test_report_supported_opcodes_rctd.c:60  - CU_ASSERT_EQUAL(ret,0)",
            "  Test: SERVACTV ...FAILED",
            "    1. test_a.c:1  - CU_ASSERT_EQUAL(x,0)",
            "    2. test_a.c:2  - CU_ASSERT_EQUAL(y,0)",
            "",
            "Run Summary:    Type  Total    Ran Passed Failed Inactive",
            "              suites      1      1    n/a      0        0",
            "");

    @Test
    void parsesPassSkipAndFailWithTheirReasons() {
        Map<String, TestResult> r = CunitOutputParser.parse(OUTPUT, false, 1);
        assertEquals(List.of("ReportSupportedOpcodes.Simple", "ReportSupportedOpcodes.OneCommand",
                "ReportSupportedOpcodes.RCTD", "ReportSupportedOpcodes.SERVACTV"), List.copyOf(r.keySet()));
        assertEquals(Outcome.PASS, r.get("ReportSupportedOpcodes.Simple").outcome());
        assertEquals(new TestResult("ReportSupportedOpcodes.OneCommand", Outcome.SKIP,
                "[SKIPPED] REPORT_SUPPORTED_OPCODES is not implemented."), r.get("ReportSupportedOpcodes.OneCommand"));
        TestResult rctd = r.get("ReportSupportedOpcodes.RCTD");
        assertEquals(Outcome.FAIL, rctd.outcome());
        assertTrue(rctd.detail().contains("test_report_supported_opcodes_rctd.c:60"), rctd.detail());
        assertEquals("1. test_a.c:1  - CU_ASSERT_EQUAL(x,0); 2. test_a.c:2  - CU_ASSERT_EQUAL(y,0)",
                r.get("ReportSupportedOpcodes.SERVACTV").detail());
    }

    @Test
    void aTestStillOpenAtTheEndHungOrCrashed() {
        String cut = "Suite: iSCSITMF\n  Test: AbortTaskSimpleAsync ...passed\n  Test: LUNResetSimpleAsync ...Send LUN RESET\n";
        assertEquals(Outcome.HUNG, CunitOutputParser.parse(cut, true, -1).get("iSCSITMF.LUNResetSimpleAsync").outcome());
        TestResult crash = CunitOutputParser.parse(cut, false, 139).get("iSCSITMF.LUNResetSimpleAsync");
        assertEquals(Outcome.CRASH, crash.outcome());
        assertTrue(crash.detail().contains("signal 11"), crash.detail());
        assertEquals(Outcome.PASS, CunitOutputParser.parse(cut, true, -1).get("iSCSITMF.AbortTaskSimpleAsync").outcome());
    }

    private static KnownFailures known(String text) throws IOException {
        return KnownFailures.parse(new BufferedReader(new StringReader(text)));
    }

    @Test
    void knownFailureRules() throws IOException {
        KnownFailures k = known("# comment\n\nRead10.Simple | SBC-4 5.16 | reason | 2026-11-22\n");
        TestResult pass = new TestResult("Read10.Simple", Outcome.PASS, "");
        AssertionFailedError listedPass = assertThrows(AssertionFailedError.class, () -> k.check(pass));
        assertTrue(listedPass.getMessage().contains("remove it from known-failures"), listedPass.getMessage());
        for (Outcome bad : List.of(Outcome.FAIL, Outcome.SKIP, Outcome.HUNG, Outcome.CRASH, Outcome.NOTRUN)) {
            assertThrows(TestAbortedException.class, () -> k.check(new TestResult("Read10.Simple", bad, "x")), bad.name());
            assertThrows(AssertionFailedError.class, () -> k.check(new TestResult("Read10.BeyondEol", bad, "x")), bad.name());
        }
        k.check(new TestResult("Read10.BeyondEol", Outcome.PASS, "")); // unlisted pass: passes
    }

    @Test
    void malformedKnownFailuresLinesAreRejected() {
        assertThrows(IllegalStateException.class, () -> known("Read10.Simple | SBC-4 | reason\n"));
        assertThrows(IllegalStateException.class, () -> known("Read10.Simple | SBC-4 | reason | yesterday\n"));
        assertThrows(IllegalStateException.class, () -> known("A.B | c | r | 2026-11-22\nA.B | c | r | 2026-11-22\n"));
    }

    @Test
    void aMissingToolFailsInCiAndIsSkippedElsewhere() {
        Class<? extends Throwable> expected = "true".equalsIgnoreCase(System.getenv("CI"))
                ? AssertionFailedError.class : TestAbortedException.class;
        Throwable t = assertThrows(expected, () -> ExternalTools.require("no-such-tool-vaaitarget"));
        assertTrue(t.getMessage().contains("apt-get install -y libiscsi-bin"), t.getMessage());
    }

    @Test
    void checkedInFilesAreWellFormed() throws IOException {
        KnownFailures.load();
        assertTrue(LibiscsiSuiteTest.families().contains("Read10"));
        assertEquals(Set.of("PreventAllow", "StartStopUnit"), LibiscsiSuiteTest.removableFamilies());
        assertEquals(LibiscsiSuiteTest.LunKind.READONLY, LibiscsiSuiteTest.familyLuns().get("ReadOnly"));
        assertEquals(LibiscsiSuiteTest.LunKind.SANITIZE, LibiscsiSuiteTest.familyLuns().get("Sanitize"));
        assertEquals(LibiscsiSuiteTest.LunKind.MULTIPATH, LibiscsiSuiteTest.familyLuns().get("MultipathIO"));
    }
}
