package org.vaaitarget.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.core.config.LunConfig.WriteCacheMode;
import org.vaaitarget.server.session.ResourceLimits;
import org.vaaitarget.server.session.AbortFinishedTask;
import org.vaaitarget.server.session.TargetOffer;
import org.vaaitarget.server.session.ZeroCopyReads;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private static final String FULL = """
            portals: ["127.0.0.1:3260", "[::1]:3260"]
            negotiation:
              maxRecvDataSegmentLength: 65536
              maxBurstLength: 1048576
              firstBurstLength: 65536
              maxOutstandingR2T: 4
              queueDepth: 64
              nopInIntervalSeconds: 0
              nopInTimeoutSeconds: 10
            targets:
              - iqn: iqn.2026-11.org.example:a
                alias: first
                luns:
                  - file: a0.img
                    size: 10G
                  - file: a1.img
                    size: 4194304
                    blockSize: 4096
                    writeCache: back
                    productId: SHARED-PRODUCT
                    softThresholdPercent: 80
                    removable: true
              - iqn: iqn.2026-11.org.example:b
                luns:
                  - file: b0.img
                    size: 1M
            """;

    @Test
    void limitsDefaultWhenAbsentAndAreReadFromTheLimitsSection() throws ConfigException {
        String targets = "targets:\n- iqn: iqn.2026-11.org.example:a\n  luns: [{file: x.img, size: 1G}]\n";
        assertEquals(ResourceLimits.defaults(), ConfigLoader.parse(targets, dir).limits());
        ServerConfig c = ConfigLoader.parse(targets + """
                limits:
                  maxConnections: 64
                  maxSessions: 32
                  maxSessionsPerTarget: 8
                  loginTimeoutSeconds: 10
                  writeBufferPerConnection: 8M
                  dataOutTimeoutSeconds: 20
                """, dir);
        assertEquals(new ResourceLimits(64, 32, 8, Duration.ofSeconds(10), 8L << 20, Duration.ofSeconds(20)),
                c.limits());
    }

    @Test
    void fullConfig() throws ConfigException {
        ServerConfig c = ConfigLoader.parse(FULL, dir);
        assertEquals(new InetSocketAddress("127.0.0.1", 3260), c.portals().get(0));
        assertEquals(2, c.portals().size());
        assertEquals(new TargetOffer(65536, 1048576, 65536, 4, 64, 0, 10), c.offer());
        assertEquals(2, c.targets().size());
        ServerConfig.Target a = c.targets().get(0);
        assertEquals("iqn.2026-11.org.example:a", a.iqn());
        assertEquals("first", a.alias());
        // No writeCache: through (WCE=0), the durable default.
        assertEquals(new LunConfig(dir.resolve("a0.img"), 10L << 30, 512, WriteCacheMode.WRITE_THROUGH,
                ServerConfig.DEFAULT_PRODUCT_ID), a.luns().get(0));
        assertEquals(new LunConfig(dir.resolve("a1.img"), 4194304, 4096, WriteCacheMode.WRITE_BACK, "SHARED-PRODUCT", 80,
                        true),
                a.luns().get(1));
        ServerConfig.Target b = c.targets().get(1);
        assertNull(b.alias());
        assertEquals(List.of(new LunConfig(dir.resolve("b0.img"), 1L << 20, 512, WriteCacheMode.WRITE_THROUGH,
                ServerConfig.DEFAULT_PRODUCT_ID)), b.luns());
    }

    @Test
    void readOnlyAndSanitizeAreReadPerLunAndReadOnlyNeedsAnExistingFile() throws Exception {
        java.nio.file.Files.write(dir.resolve("ro.img"), new byte[4096]);
        ServerConfig c = ConfigLoader.parse("targets:\n- iqn: iqn.2026-11.org.example:a\n  luns:\n"
                + "  - {file: ro.img, readOnly: true}\n  - {file: s.img, size: 1M, sanitize: true, sanitizeRate: 64M}\n"
                + "  - {file: plain.img, size: 1M}\n", dir);
        List<LunConfig> luns = c.targets().get(0).luns();
        assertEquals(List.of(true, false, false), luns.stream().map(LunConfig::readOnly).toList());
        assertEquals(List.of(false, true, false), luns.stream().map(LunConfig::sanitize).toList());
        assertEquals(64L << 20, luns.get(1).sanitizeBytesPerSecond());
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(
                "targets:\n- iqn: iqn.2026-11.org.example:a\n  luns: [{file: new.img, size: 1M, readOnly: true}]\n", dir));
        assertTrue(e.getMessage().startsWith("config targets[0].luns[0].readOnly: file '"), e.getMessage());
        assertTrue(e.getMessage().contains("a read-only LUN serves an existing file"), e.getMessage());
    }

    @Test
    void zeroCopyReadsIsNeverAndTheWithdrawnModesNameTheReason() throws ConfigException {
        String targets = "targets:\n- iqn: iqn.2026-11.org.example:a\n  luns: [{file: x.img, size: 1G}]\n";
        assertEquals(ZeroCopyReads.NEVER, ConfigLoader.parse(targets, dir).zeroCopyReads());
        assertEquals(ZeroCopyReads.NEVER, ConfigLoader.parse("zeroCopyReads: never\n" + targets, dir).zeroCopyReads());
        for (String withdrawn : new String[] {"auto", "Always"}) {
            ConfigException w = assertThrows(ConfigException.class,
                    () -> ConfigLoader.parse("zeroCopyReads: " + withdrawn + "\n" + targets, dir));
            assertEquals("config zeroCopyReads: '" + withdrawn + "' is withdrawn: sendfile leaves the socket referencing"
                    + " page-cache pages, so a WRITE or COMPARE AND WRITE of those blocks could change data the initiator"
                    + " had not yet received and it could read a torn block (README \"Zero-copy reads\"); remove it or"
                    + " use never", w.getMessage());
        }
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse("zeroCopyReads: sometimes\n" + targets, dir));
        assertEquals("config zeroCopyReads: 'sometimes' is not a choice; use never (the only one left)", e.getMessage());
    }

    @Test
    void metricsAreOffUnlessAListenAddressIsGiven() throws ConfigException {
        String targets = "targets:\n- iqn: iqn.2026-11.org.example:a\n  luns: [{file: x.img, size: 1G}]\n";
        assertEquals(null, ConfigLoader.parse(targets, dir).metricsListen());
        assertEquals(new java.net.InetSocketAddress("::1", 9470),
                ConfigLoader.parse("metrics: {listen: \"[::1]:9470\"}\n" + targets, dir).metricsListen());
    }

    /** Issue 12: the answer to ABORT TASK of a finished task is a per-target choice; auto by default. */
    @Test
    void abortFinishedTaskIsAutoUnlessChosenPerTargetAndABadValueNamesTheKey() throws ConfigException {
        String a = "- iqn: iqn.2026-11.org.example:a\n  luns: [{file: x.img, size: 1G}]\n";
        String b = "- iqn: iqn.2026-11.org.example:b\n  abortFinishedTask: function-complete\n  luns: [{file: y.img, size: 1G}]\n";
        String c = "- iqn: iqn.2026-11.org.example:c\n  abortFinishedTask: RFC\n  luns: [{file: z.img, size: 1G}]\n";
        ServerConfig config = ConfigLoader.parse("targets:\n" + a + b + c, dir);
        assertEquals(AbortFinishedTask.AUTO, config.targets().get(0).abortFinishedTask());
        assertEquals(AbortFinishedTask.FUNCTION_COMPLETE, config.targets().get(1).abortFinishedTask());
        assertEquals(AbortFinishedTask.RFC, config.targets().get(2).abortFinishedTask());
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(
                "targets:\n" + a + "- iqn: iqn.2026-11.org.example:d\n  abortFinishedTask: vmware\n"
                        + "  luns: [{file: w.img, size: 1G}]\n", dir));
        assertEquals("config targets[1].abortFinishedTask: 'vmware' is not a choice; use auto (the default: FUNCTION"
                + " COMPLETE for iqn.1998-01.com.vmware initiators), function-complete or rfc", e.getMessage());
        // the spelling is the constant's name with '-' for '_', in any case, trimmed
        assertEquals(AbortFinishedTask.FUNCTION_COMPLETE, ConfigLoader.abortFinishedTask(" Function-Complete ", "k"));
        assertThrows(ConfigException.class, () -> ConfigLoader.abortFinishedTask("function_complete", "k"));
        assertEquals(ZeroCopyReads.NEVER, ConfigLoader.zeroCopyReads(" NEVER", "k"));
    }

    @Test
    void minimalConfigGetsDefaultPortalAndOffer() throws ConfigException {
        ServerConfig c = ConfigLoader.parse("targets:\n- iqn: iqn.2026-11.org.example:a\n  luns: [{file: x.img, size: 1G}]\n", dir);
        assertEquals(List.of(new InetSocketAddress(3260)), c.portals());
        assertEquals(TargetOffer.defaults(), c.offer());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "targets:\\n- iqn: iqn.2026-11.org.example:a\\n  luns:\\n  - file: x.img\\n    sizee: 1G"
            + "|config targets[0].luns[0].sizee: unknown key (known keys here: allow, blockSize, file, productId, rbd, readOnly, removable, sanitize, sanitizeRate, size, softThresholdPercent, writeCache)",
        "portal: [a]|config portal: unknown key (known keys here: admin, discoveryAuth, gateway, limits, logging, metrics, negotiation, portals, targets, zeroCopyReads)",
        "metrics: {}|config metrics.listen: missing; give HOST:PORT like \"127.0.0.1:9470\" (or leave out metrics: to serve none)",
        "metrics: {listen: 127.0.0.1}|config metrics.listen: '127.0.0.1' has no port; give HOST:PORT like 127.0.0.1:9470 or [::1]:9470",
        "metrics: {listen: '127.0.0.1:70000'}|config metrics.listen: address '127.0.0.1:70000': port '70000' is not a number from 0 to 65535",
        "metrics: {port: 9470}|config metrics.port: unknown key (known keys here: listen)",
        "targets:\\n- iqn: iqn.2026-11.org.example:a\\n  luns:\\n  - file: x.img\\n    size: 12Q"
            + "|config targets[0].luns[0].size: size '12Q' is not a size like 512M or 10G",
        "targets:\\n- iqn: iqn.2026-11.org.example:a\\n  luns:\\n  - file: x.img\\n    size: 1G\\n    blockSize: 1024"
            + "|config targets[0].luns[0].blockSize: block size 1024 is not supported; use 512 or 4096",
        "targets:\\n- iqn: iqn.2026-11.org.example:a\\n  luns:\\n  - file: x.img\\n    size: 1G\\n    blockSize: big"
            + "|config targets[0].luns[0].blockSize: expected a whole number (line 6)",
        "targets:\\n- iqn: iqn.2026-11.org.example:a\\n  luns:\\n  - file: x.img\\n    size: 1G\\n    writeCache: maybe"
            + "|config targets[0].luns[0].writeCache: write cache 'maybe' is not 'back' or 'through'",
        "targets:\\n- iqn: iqn.2026-11.org.example:a\\n  luns:\\n  - file: x.img\\n    size: 1G\\n    productId: ''"
            + "|config targets[0].luns[0].productId: product id '' must be 1 to 16 printable ASCII characters (SPC-5 6.7.2)",
        "targets:\\n- iqn: iqn.2026-11.org.example:a\\n  luns:\\n  - file: x.img\\n    size: 1G\\n    softThresholdPercent: 101"
            + "|config targets[0].luns[0].softThresholdPercent: soft threshold 101 is out of range; use 1 to 100 percent of the LUN size, or 0 for none",
        "targets:\\n- iqn: iqn.2026-11.org.example:a\\n  luns:\\n  - file: x.img\\n    size: 1G\\n    removable: maybe"
            + "|config targets[0].luns[0].removable: expected true or false (line 6)",
        "targets:\\n- iqn: iqn.2026-11.org.example:a\\n  luns:\\n  - size: 1G"
            + "|config targets[0].luns[0].file: missing; give the backing file, like file: data/lun0.img",
        "targets:\\n- luns: [{file: x.img, size: 1G}]"
            + "|config targets[0].iqn: missing; give a name like iqn.2026-11.org.vaaitarget:disk0",
        "targets:\\n- iqn: disk\\n  luns: [{file: x.img, size: 1G}]"
            + "|config targets[0].iqn: 'disk' does not start with iqn., eui. or naa.; use a name like iqn.2026-11.org.example:disk0",
        "targets:\\n- iqn: iqn.2026-11.org.example:a\\n  luns: [{file: x.img, size: 1G}]\\n- iqn: iqn.2026-11.org.example:a\\n  luns: [{file: y.img, size: 1G}]"
            + "|config targets[1].iqn: 'iqn.2026-11.org.example:a' is already used by another target",
        "targets:\\n- iqn: iqn.2026-11.org.example:a\\n  luns: [{file: x.img, size: 1G}]\\n- iqn: iqn.2026-11.org.example:b\\n  luns: [{file: x.img, size: 1G}]"
            + "|config targets[1].luns[0].file: 'DIR/x.img' is already used by another LUN",
        "targets:\\n- iqn: iqn.2026-11.org.example:a"
            + "|config targets[0].luns: missing; give at least one LUN with a file and a size",
        "portals: []|config targets: missing; give at least one target with an iqn and one LUN",
        "portals: ['[::1']\\ntargets: []|config portals[0]: portal '[::1' has no closing ']'; write IPv6 as [::1]:3260",
        "negotiation: {firstBurstLength: 262144, maxBurstLength: 65536}\\ntargets: []"
            + "|config negotiation.firstBurstLength: 262144 is larger than maxBurstLength 65536 (RFC 7143 13.14)",
        "negotiation: {queueDepth: 0}|config negotiation.queueDepth: 0 is out of range; use 1 to 4096",
        "negotiation: {maxRecvDataSegmentLength: 100}|config negotiation.maxRecvDataSegmentLength: 100 is out of range; use 512 to 16777215",
        "targets: {iqn: x}|config targets: expected a list ('- item' lines) (line 1)",
        "targets: [\\n|config line 1: not valid YAML: while parsing a flow node",
        "''|config is empty; it needs at least 'targets:' with one target and one LUN",
        "limits: {maxSessions: 0}|config limits.maxSessions: 0 is out of range; use 1 to 65535",
        "limits: {writeBufferPerConnection: 1K}|config limits.writeBufferPerConnection: 1 KiB is too small; use at least 64K",
        "limits: {writeBufferPerConnection: lots}|config limits.writeBufferPerConnection: size 'lots' is not a size like 512M or 10G",
        "limits: {loginTimeout: 5}|config limits.loginTimeout: unknown key (known keys here: dataOutTimeoutSeconds, "
            + "loginTimeoutSeconds, maxConnections, maxSessions, maxSessionsPerTarget, writeBufferPerConnection)",
    })
    void badConfigNamesTheKey(String yaml, String expected) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml.replace("\\n", "\n"), dir));
        assertEquals(expected.replace("DIR", dir.toString()), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }
}
