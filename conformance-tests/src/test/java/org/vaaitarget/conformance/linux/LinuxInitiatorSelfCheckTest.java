package org.vaaitarget.conformance.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.opentest4j.AssertionFailedError;

/**
 * Proof that the suite's checks can fail (opt-in: {@code -Dli.selfcheck=true}, needs istgt; one boot of
 * about 25 s). The scsi-and-block boot runs against istgt, whose COMPARE AND WRITE miscompare sense has
 * INFORMATION 0 instead of the offset, with a wrong expected checksum for the file system's known file:
 * both steps must FAIL in the guest and their tests must fail, naming the log directory.
 */
@EnabledIfSystemProperty(named = "li.selfcheck", matches = "true")
class LinuxInitiatorSelfCheckTest {
    @Test
    void brokenTargetAndWrongChecksumFailTheSuite() throws Exception {
        Boot boot = new Boot("selfcheck").commands("common.sh", "scsi.sh", "blockdev.sh")
                .env("EXPECT_LUNS", 3).env("WRITE_CACHE", "back")
                .env("FS_KNOWN_SHA256", "0000000000000000000000000000000000000000000000000000000000000000");
        BootResult result = LinuxInitiatorTest.run(boot, TargetUnderTest.ISTGT, false, List.of());
        assertEquals(1, result.exit, "harness exit status (1 = a step failed)\n" + result.where());
        List<DynamicNode> tests = result.tests(Map.of());
        for (String step : List.of("caw-miscompare-offset", "fs-known-checksum")) {
            assertNotNull(result.step(step), step + " did not run\n" + result.where());
            assertEquals("FAIL", result.step(step).verdict(), step + "\n" + result.where());
            DynamicTest test = tests.stream().map(DynamicTest.class::cast)
                    .filter(t -> t.getDisplayName().equals(step)).findFirst().orElseThrow();
            AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> test.getExecutable().execute());
            assertTrue(e.getMessage().contains(result.logDir.toString()), e.getMessage());
        }
        // the checks that istgt does pass still pass: the failures above are specific
        for (String step : List.of("caw-success", "caw-miscompare", "fs-verify-files", "fs-fsck-clean")) {
            assertEquals("PASS", result.step(step).verdict(), step + "\n" + result.where());
        }
    }
}
