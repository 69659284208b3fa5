package org.vaaitarget.conformance.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.vaaitarget.conformance.support.ExternalTools;
import org.vaaitarget.conformance.support.ProcessRunner;
import org.vaaitarget.conformance.support.TestTarget;

/**
 * libiscsi's command-line utilities against the server: what an operator would see. Exact values are
 * checked against the in-process server's configuration; against an external target (conformance.url)
 * only the consistency of the answers is checked.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LibiscsiToolsTest {
    private static final long LUN_BYTES = 64L << 20;
    private static final Duration LIMIT = Duration.ofSeconds(30);

    private TestTarget target;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        target = TestTarget.start(dir, LUN_BYTES);
    }

    @AfterAll
    void stop() {
        if (target != null) {
            target.close();
        }
    }

    private String run(String tool, String... args) {
        Path path = ExternalTools.require(tool);
        List<String> command = new java.util.ArrayList<>(List.of(path.toString()));
        command.addAll(List.of(args));
        ProcessRunner.Result r = ProcessRunner.run(command, LIMIT, null);
        assertTrue(r.ok(), tool + " failed (exit " + r.exitCode() + (r.timedOut() ? ", timed out" : "") + "):\n" + r.output());
        return r.output();
    }

    /** "Key:value" lines as a map (first occurrence wins, values trimmed). */
    private static Map<String, String> fields(String output) {
        return output.lines().filter(l -> l.indexOf(':') > 0)
                .collect(Collectors.toMap(l -> l.substring(0, l.indexOf(':')).trim(), l -> l.substring(l.indexOf(':') + 1).trim(),
                        (a, b) -> a));
    }

    @Test
    void inquiryShowsADirectAccessDiskWithOurIdentity() {
        Map<String, String> f = fields(run("iscsi-inq", "-i", IscsiTestCu.INITIATOR_1, target.url()));
        assertEquals("CONNECTED", f.get("Peripheral Qualifier"));
        assertEquals("DIRECT_ACCESS", f.get("Peripheral Device Type"));
        assertEquals("0", f.get("Removable"));
        assertEquals("1", f.get("CmdQue"), "ESXi needs CmdQue=1 (ESXI-NOTES)");
        assertFalse(f.getOrDefault("Vendor", "").isEmpty(), "vendor: " + f);
        assertFalse(f.getOrDefault("Product", "").isEmpty(), "product: " + f);
        if (!target.isExternal()) {
            assertEquals(TestTarget.PRODUCT_ID, f.get("Product"));
        }
    }

    @Test
    void discoveryListsTheTargetOnTheRealPortalAndItsLun() {
        String out = run("iscsi-ls", "-i", IscsiTestCu.INITIATOR_1, "-s", target.portalUrl());
        String portal = target.host() + ":" + target.port();
        assertTrue(out.contains("Target:" + target.iqn() + " Portal:" + portal + ","),
                "SendTargets must name " + target.iqn() + " at " + portal + " (the bound port, not the configured 0):\n" + out);
        assertTrue(Pattern.compile("(?m)^Lun:" + target.lun() + "\\s+Type:DIRECT_ACCESS").matcher(out).find(), out);
    }

    @Test
    void readCapacity16ReportsBlockSizeAndCapacity() {
        String out = run("iscsi-readcapacity16", "-i", IscsiTestCu.INITIATOR_1, target.url());
        long lastLba = number(out, "RETURNED LOGICAL BLOCK ADDRESS:(\\d+)");
        long blockSize = number(out, "LOGICAL BLOCK LENGTH IN BYTES:(\\d+)");
        long total = number(out, "Total size:(\\d+)");
        assertTrue(blockSize == 512 || blockSize == 4096, out);
        assertEquals((lastLba + 1) * blockSize, total, out);
        if (!target.isExternal()) {
            assertEquals(512, blockSize);
            assertEquals(LUN_BYTES, total);
        }
    }

    private static long number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), "'" + regex + "' not found in:\n" + text);
        return Long.parseLong(m.group(1));
    }
}
