package org.vaaitarget.conformance.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.vaaitarget.conformance.support.ExternalTools;
import org.vaaitarget.conformance.support.ProcessRunner;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.server.app.RunningServer;
import org.vaaitarget.server.app.ServerConfig;
import org.vaaitarget.server.app.TargetServer;
import org.vaaitarget.server.session.TargetOffer;

/**
 * One target on two portals (IPv4 and IPv6 loopback) is one SCSI device to an initiator that logs in
 * through both (ESXI-NOTES 2.7.1): the same VPD 83h designators, including the relative target port
 * (both portals are in one portal group, which is one SCSI target port, RFC 7143 4.4.1), and one
 * task set: libiscsi's MultipathIO tests, one session through each portal, pass.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MultiPortalTest {
    private static final String IQN = "iqn.2026-11.org.vaaitarget:multipath";
    private static final Duration LIMIT = Duration.ofSeconds(120);

    @TempDir
    static Path dir;

    private RunningServer server;
    private List<String> urls;

    @BeforeAll
    void start() throws Exception {
        LunConfig lun = new LunConfig(dir.resolve("lun0.img"), 64L << 20, 512, LunConfig.WriteCacheMode.WRITE_BACK, null);
        ServerConfig config = new ServerConfig(List.of(new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("::1", 0)),
                TargetOffer.defaults(), List.of(new ServerConfig.Target(IQN, null, List.of(lun))));
        server = TargetServer.start(config);
        urls = new ArrayList<>();
        for (InetSocketAddress a : server.boundAddresses()) {
            String host = a.getAddress() instanceof java.net.Inet6Address ? "[" + a.getHostString() + "]" : a.getHostString();
            urls.add("iscsi://" + host + ":" + a.getPort() + "/" + IQN + "/0");
        }
        assertEquals(2, urls.size(), "two portals: " + urls);
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String run(List<String> command) {
        ProcessRunner.Result r = ProcessRunner.run(command, LIMIT, null);
        assertTrue(r.ok(), command + " failed (exit " + r.exitCode() + "):\n" + r.output());
        return r.output();
    }

    @Test
    void bothPortalsShowTheSameDeviceIdentification() {
        String inq = ExternalTools.require("iscsi-inq").toString();
        String first = run(List.of(inq, "-i", IscsiTestCu.INITIATOR_1, "-e", "1", "-c", "131", urls.get(0)));
        String second = run(List.of(inq, "-i", IscsiTestCu.INITIATOR_2, "-e", "1", "-c", "131", urls.get(1)));
        assertTrue(first.contains("Designator Type:(3) NAA"), first);
        assertTrue(first.contains("RELATIVE_TARGET_PORT"), first);
        assertEquals(first, second);
    }

    @Test
    void multipathIoThroughTwoPortalsPassesIncludingCompareAndWriteRaces() {
        String cu = ExternalTools.require("iscsi-test-cu").toString();
        String out = run(List.of(cu, "-d", "-i", IscsiTestCu.INITIATOR_1, "-I", IscsiTestCu.INITIATOR_2,
                "--test=ALL.MultipathIO", urls.get(0), urls.get(1)));
        // Simple, Reset, CompareAndWrite and CompareAndWriteAsync: two initiators racing COMPARE AND
        // WRITE on the same blocks through two different portals.
        assertFalse(out.contains("[SKIPPED]"), out);
        assertTrue(out.matches("(?s).*tests\\s+4\\s+4\\s+4\\s+0.*"), "4 run, 4 passed, 0 failed:\n" + out);
    }
}
