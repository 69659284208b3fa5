package org.vaaitarget.conformance.ats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.vaaitarget.conformance.support.CephCluster;
import org.vaaitarget.conformance.support.ExternalTools;
import org.vaaitarget.conformance.support.ProcessRunner;
import org.vaaitarget.conformance.support.TestTarget;

/**
 * ATS as VMFS uses it, end to end through an independent initiator: several sessions (one libiscsi
 * login each) increment a counter kept in one block with READ + COMPARE AND WRITE + retry on
 * MISCOMPARE. {@code bench/caw-bench.c} (libiscsi, built here with gcc) checks at the end that every
 * block's counter equals the number of successful COMPARE AND WRITEs on it: a lost update or two
 * winners for one value would make them differ. Needs gcc and libiscsi-dev (test.sh installs them);
 * missing tools fail the test when CI=true.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CompareAndWriteRaceTest {
    private static final Duration LIMIT = Duration.ofSeconds(120);
    private static final Pattern FIELD = Pattern.compile("(\\w+)=(\\S+)");

    private TestTarget target;
    private Path client;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        Path gcc = ExternalTools.require("gcc");
        Path pkgConfig = ExternalTools.require("pkg-config");
        ProcessRunner.Result flags = ProcessRunner.run(List.of(pkgConfig.toString(), "--cflags", "--libs", "libiscsi"),
                LIMIT, dir);
        if (!flags.ok()) {
            String message = "libiscsi-dev is not installed (pkg-config libiscsi failed): run `apt-get install -y libiscsi-dev`";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(message + "\n" + flags.output());
            }
            org.junit.jupiter.api.Assumptions.abort(message);
        }
        Path source = Path.of("..", "bench", "caw-bench.c").toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(source), "missing " + source);
        client = dir.resolve("caw-bench");
        List<String> build = new ArrayList<>(List.of(gcc.toString(), "-O2", "-o", client.toString(), source.toString()));
        build.addAll(List.of(flags.output().trim().split("\\s+")));
        build.add("-lpthread");
        ProcessRunner.Result built = ProcessRunner.run(build, LIMIT, dir);
        assertTrue(built.ok(), "building caw-bench failed:\n" + built.output());
        target = TestTarget.start(dir, 64L << 20);
    }

    @AfterAll
    void stop() {
        if (target != null) {
            target.close();
        }
    }

    private Map<String, String> race(String mode, int sessions, int seconds) {
        return race(mode, sessions, seconds, List.of(target.url()));
    }

    /** caw-bench with session i on {@code urls[i mod n]}. */
    private Map<String, String> race(String mode, int sessions, int seconds, List<String> urls) {
        List<String> command = new ArrayList<>(List.of(client.toString(), "-m", mode, "-n", Integer.toString(sessions),
                "-t", Integer.toString(seconds)));
        command.addAll(urls);
        ProcessRunner.Result r = ProcessRunner.run(command, LIMIT, client.getParent());
        String line = r.output().lines().filter(l -> l.startsWith("RESULT")).reduce((a, b) -> b).orElse("");
        assertTrue(r.ok() && !line.isEmpty(), "caw-bench " + mode + " failed (exit " + r.exitCode() + "):\n" + r.output());
        Map<String, String> fields = new HashMap<>();
        Matcher m = FIELD.matcher(line);
        while (m.find()) {
            fields.put(m.group(1), m.group(2));
        }
        return fields;
    }

    @Test
    void eightSessionsRacingOnOneBlockLoseNoUpdateAndNeverBothWin() {
        Map<String, String> r = race("one", 8, 5);
        assertEquals("OK", r.get("check"), "counter must equal the number of successful COMPARE AND WRITEs: " + r);
        assertEquals("0", r.get("errors"), r.toString());
        assertTrue(Long.parseLong(r.get("success")) > 0, r.toString());
        assertTrue(Long.parseLong(r.get("miscompare")) > 0, "the sessions really raced: " + r);
    }

    /**
     * Issue 18: the counter's block on an RBD image, the sessions split over two gateways: each gateway's range
     * locks know nothing of the other's commands, so only librbd's compare-and-write (one OSD operation) keeps the
     * update atomic.
     */
    @Test
    void eightSessionsSplitAcrossTwoRbdGatewaysLoseNoUpdate() throws Exception {
        List<TestTarget> gateways = CephCluster.gateways(CephCluster.newLun("cawrace", 64L << 20), 2);
        try {
            Map<String, String> r = race("one", 8, 5, gateways.stream().map(TestTarget::url).toList());
            assertEquals("OK", r.get("check"), "counter must equal the number of successful COMPARE AND WRITEs: " + r);
            assertEquals("0", r.get("errors"), r.toString());
            assertTrue(Long.parseLong(r.get("miscompare")) > 0, "the sessions really raced: " + r);
        } finally {
            gateways.forEach(TestTarget::close);
        }
    }

    @Test
    void eightSessionsOnDisjointBlocksNeverMiscompare() {
        Map<String, String> r = race("disjoint", 8, 3);
        assertEquals("OK", r.get("check"), r.toString());
        assertEquals("0", r.get("errors"), r.toString());
        assertEquals("0", r.get("miscompare"), "commands on other blocks are not held up or disturbed: " + r);
    }
}
