package org.vaaitarget.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.core.config.LunConfig.WriteCacheMode;
import org.vaaitarget.server.session.TargetOffer;
import org.vaaitarget.server.session.ZeroCopyReads;

/** The command line through picocli's execute, with the server launch replaced by a recorder. */
class MainTest {
    @TempDir
    Path dir;

    /** Result of one run: exit code, stdout, stderr and the configuration that would have been served. */
    record Run(int code, String out, String err, ServerConfig config) {
    }

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        ServerConfig[] seen = new ServerConfig[1];
        Main main = new Main((config, o, e) -> {
            seen[0] = config;
            return 0;
        });
        int code = Main.commandLine(main, new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Run(code, out.toString(), err.toString(), seen[0]);
    }

    /** Asserts exit code 2, exactly one stderr line, starting "error: " and containing every fragment. */
    private static void assertUsageError(Run r, String... fragments) {
        assertEquals(2, r.code(), r.err());
        assertNull(r.config());
        String err = r.err();
        assertTrue(err.startsWith("error: "), err);
        assertEquals(1, err.lines().count(), "one line expected: " + err);
        for (String f : fragments) {
            assertTrue(err.contains(f), "'" + f + "' expected in: " + err);
        }
    }

    private String file(String name) {
        return dir.resolve(name).toString();
    }

    @Test
    void defaultsServeOneGibibyteLunZeroOnPort3260() {
        Run r = run();
        assertEquals(0, r.code(), r.err());
        ServerConfig c = r.config();
        assertEquals(List.of(new InetSocketAddress("0.0.0.0", 3260)), c.portals());
        assertEquals(TargetOffer.defaults(), c.offer());
        assertEquals(1, c.targets().size());
        ServerConfig.Target t = c.targets().get(0);
        assertEquals(ServerConfig.DEFAULT_IQN, t.iqn());
        assertEquals(1, t.luns().size());
        LunConfig lun = t.luns().get(0);
        assertEquals(Path.of("./data/lun0.img"), lun.file());
        assertEquals(1L << 30, lun.sizeBytes());
        assertEquals(512, lun.blockSize());
        assertEquals(WriteCacheMode.WRITE_THROUGH, lun.writeCache(), "durable (WCE=0) unless asked otherwise");
        assertEquals(ServerConfig.DEFAULT_PRODUCT_ID, lun.productId());
    }

    @Test
    void flagsDescribeOneTargetWithSeveralLunsInOrder() throws IOException {
        Path existing = dir.resolve("old.img");
        Files.write(existing, new byte[8192]);
        Run r = run("--portal", "127.0.0.1:0", "--portal", "[::1]:3261", "--iqn", "iqn.2001-04.com.example:storage.disk2",
                "--lun", file("a.img") + ":512M", "--lun", existing.toString(), "--block-size", "4096",
                "--write-cache", "back");
        assertEquals(0, r.code(), r.err());
        ServerConfig c = r.config();
        assertEquals(new InetSocketAddress("127.0.0.1", 0), c.portals().get(0));
        InetSocketAddress v6 = c.portals().get(1);
        assertEquals(3261, v6.getPort());
        assertTrue(v6.getAddress().isLoopbackAddress() && v6.getAddress() instanceof java.net.Inet6Address);
        ServerConfig.Target t = c.targets().get(0);
        assertEquals("iqn.2001-04.com.example:storage.disk2", t.iqn());
        assertEquals(Path.of(file("a.img")), t.luns().get(0).file());
        assertEquals(512L << 20, t.luns().get(0).sizeBytes());
        assertEquals(existing, t.luns().get(1).file());
        assertEquals(8192, t.luns().get(1).sizeBytes(), "an existing file is used at its own size");
        for (LunConfig l : t.luns()) {
            assertEquals(4096, l.blockSize());
            assertEquals(WriteCacheMode.WRITE_BACK, l.writeCache());
        }
        assertEquals("", r.err());
    }

    @Test
    void roSuffixServesAnExistingFileReadOnly() throws IOException {
        Path existing = Files.write(dir.resolve("ro.img"), new byte[8192]);
        Run r = run("--lun", existing + ":ro", "--lun", existing.resolveSibling("rw.img") + ":1M");
        assertEquals(0, r.code());
        List<LunConfig> luns = r.config().targets().get(0).luns();
        assertEquals(existing, luns.get(0).file());
        assertTrue(luns.get(0).readOnly());
        assertTrue(!luns.get(1).readOnly());
        assertUsageError(run("--lun", file("none.img") + ":1M:ro"), "a read-only LUN serves an existing file");
    }

    @Test
    void existingFileIgnoresTheGivenSize() throws IOException {
        Path existing = dir.resolve("old.img");
        Files.write(existing, new byte[4096]);
        Run r = run("--lun", existing + ":10G");
        assertEquals(4096, r.config().targets().get(0).luns().get(0).sizeBytes());
    }

    @Test
    void euiAndNaaNamesAreAccepted() {
        assertEquals(0, run("--iqn", "eui.02004567A425678D", "--lun", file("x.img") + ":1M").code());
        assertEquals(0, run("--iqn", "naa.52004567BA64678D", "--lun", file("x.img") + ":1M").code());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--lun|a.img:12Q|--lun 'DIR/a.img:12Q': size '12Q' is not a size like 512M or 10G",
        "--lun|a.img:0|size '0' is zero",
        "--lun|a.img:|empty size after ':'",
        "--lun|a.img:1000|is not a multiple of the 512-byte block size",
        "--lun|missing.img|does not exist; give a size to create it",
        "--lun|a.img:99999999999T|is too large",
        "--iqn|disk0|--iqn: 'disk0' does not start with iqn., eui. or naa.",
        "--iqn|iqn.2026-13.org.example:x|is not an iqn. name",
        "--iqn|iqn.2026-11.org.Example:x|uppercase letters",
        "--iqn|iqn.2026-11.org.example:bad name|is not an iqn. name",
        "--iqn|eui.0200|is not an eui. name",
        "--iqn|naa.12345|is not a naa. name",
        "--portal|localhost:99999|--portal 'localhost:99999': port '99999' is not a number from 0 to 65535",
        "--portal|::1:3260|put IPv6 addresses in brackets",
        "--portal|[::1:3260|no closing ']'",
        "--portal|:3260|has no host",
        "--portal|no-such-host.invalid:3260|host 'no-such-host.invalid' is not an address",
        "--block-size|1024|--block-size '1024': use 512 or 4096",
        "--write-cache|sometimes|--write-cache: write cache 'sometimes' is not 'back' or 'through'",
        "--zero-copy-reads|yes|--zero-copy-reads: 'yes' is not a choice; use never (the only one left)",
        "--metrics|9470|--metrics: '9470' has no port; give HOST:PORT like 127.0.0.1:9470 or [::1]:9470",
        "--metrics|127.0.0.1:x|--metrics: address '127.0.0.1:x': port 'x' is not a number from 0 to 65535",
    })
    void badFlagIsOneLineAndExitCode2(String flag, String value, String expected) {
        String v = value.startsWith("a.img") || value.startsWith("missing") ? file(value) : value;
        Run r = run(flag, v, "--lun", flag.equals("--lun") ? file("other.img") + ":1M" : file("b.img") + ":1M");
        assertUsageError(r, expected.replace("DIR", dir.toString()));
    }

    @Test
    void nettyBufferCachesKeepReadBuffersUnlessTheCommandLineSaysOtherwise() {
        String before = System.getProperty(Main.NETTY_CACHED_BUFFER_MAX);
        try {
            System.clearProperty(Main.NETTY_CACHED_BUFFER_MAX);
            Main.defaultNettySettings();
            assertEquals("262144", System.getProperty(Main.NETTY_CACHED_BUFFER_MAX));
            System.setProperty(Main.NETTY_CACHED_BUFFER_MAX, "65536");
            Main.defaultNettySettings();
            assertEquals("65536", System.getProperty(Main.NETTY_CACHED_BUFFER_MAX), "-D wins");
        } finally {
            if (before == null) {
                System.clearProperty(Main.NETTY_CACHED_BUFFER_MAX);
            } else {
                System.setProperty(Main.NETTY_CACHED_BUFFER_MAX, before);
            }
        }
    }

    @Test
    void zeroCopyReadsIsNeverAndTheWithdrawnModesAreRefused() {
        Run never = run("--lun", file("a.img") + ":1M");
        assertEquals(0, never.code(), never.err());
        assertEquals(ZeroCopyReads.NEVER, never.config().zeroCopyReads());
        Run explicit = run("--lun", file("a.img") + ":1M", "--zero-copy-reads", "never");
        assertEquals(0, explicit.code(), explicit.err());
        assertEquals(ZeroCopyReads.NEVER, explicit.config().zeroCopyReads());
        for (String withdrawn : new String[] {"always", "auto"}) {
            Run r = run("--lun", file("a.img") + ":1M", "--zero-copy-reads", withdrawn);
            assertUsageError(r, "--zero-copy-reads: '" + withdrawn + "' is withdrawn: sendfile leaves the socket"
                    + " referencing page-cache pages");
        }
    }

    @Test
    void metricsAreOffByDefaultAndServeWhereAsked() {
        Run off = run("--lun", file("a.img") + ":1M");
        assertEquals(0, off.code(), off.err());
        assertEquals(null, off.config().metricsListen());
        Run on = run("--lun", file("a.img") + ":1M", "--metrics", "127.0.0.1:9470");
        assertEquals(0, on.code(), on.err());
        assertEquals(new java.net.InetSocketAddress("127.0.0.1", 9470), on.config().metricsListen());
    }

    @Test
    void sameFileTwiceIsAnError() {
        Run r = run("--lun", file("a.img") + ":1M", "--lun", file("a.img") + ":1M");
        assertUsageError(r, "is already used by another LUN");
    }

    @Test
    void unknownOptionAndMissingValueAreOneLine() {
        assertUsageError(run("--frobnicate"), "Unknown option: '--frobnicate'", "see --help");
        assertUsageError(run("--lun"), "--lun", "see --help");
    }

    @Test
    void configExcludesTheSingleTargetFlags() throws IOException {
        Path yaml = dir.resolve("c.yaml");
        Files.writeString(yaml, "targets:\n  - iqn: iqn.2026-11.org.example:a\n    luns:\n      - file: a.img\n        size: 1M\n");
        assertUsageError(run("--config", yaml.toString(), "--lun", file("b.img") + ":1M"),
                "--lun cannot be combined with --config");
        assertUsageError(run("--config", yaml.toString(), "--iqn", "iqn.2026-11.org.example:b"),
                "--iqn cannot be combined with --config");
        assertUsageError(run("--config", yaml.toString(), "--metrics", "127.0.0.1:9470"),
                "--metrics cannot be combined with --config");
        Run ok = run("--config", yaml.toString(), "-v");
        assertEquals(0, ok.code(), ok.err());
        assertEquals(dir.resolve("a.img"), ok.config().targets().get(0).luns().get(0).file(),
                "relative to the config file's directory");
    }

    @Test
    void badConfigFileIsOneLine() throws IOException {
        Path yaml = dir.resolve("bad.yaml");
        Files.writeString(yaml, "targets:\n  - iqn: iqn.2026-11.org.example:a\n    lunz: []\n");
        assertUsageError(run("--config", yaml.toString()), "config targets[0].lunz: unknown key (known keys here: abortFinishedTask, alias, allow, auth, iqn, luns)");
        assertUsageError(run("--config", dir.resolve("nope.yaml").toString()), "--config", "file does not exist");
    }

    @Test
    void helpAndVersionExitZero() {
        Run help = run("--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--write-cache"), help.out());
        assertNotNull(run("--version").out());
    }

    @Test
    void logFormatCombinesWithConfigAndIsChecked() throws IOException {
        assertUsageError(run("--log-format", "xml"), "--log-format 'xml': use text or json");
        Path yaml = dir.resolve("t.yaml");
        Files.writeString(yaml, "logging: {format: text}\ntargets:\n  - iqn: iqn.2026-11.org.example:a\n"
                + "    luns: [{file: a.img, size: 1M}]\n");
        Run ok = run("--config", yaml.toString(), "--log-format", "text");
        assertEquals(0, ok.code(), ok.err());
        Files.writeString(yaml, "logging: {format: xml}\n" + Files.readString(yaml).substring("logging: {format: text}\n".length()));
        assertUsageError(run("--config", yaml.toString()), "config logging.format 'xml': use text or json");
    }

    @Test
    void versionIsThePomVersion() {
        String expected = System.getProperty("vaai.expectedVersion");
        assertNotNull(expected, "surefire passes the pom version as vaai.expectedVersion (target-server/pom.xml)");
        Run v = run("--version");
        assertEquals(0, v.code(), v.err());
        assertEquals("iscsi-target " + expected, v.out().strip());
    }

    @Test
    void describeNamesTheIqnThePortalsAndEachLun() {
        ServerConfig c = ServerConfig.single(new InetSocketAddress("0.0.0.0", 3260), ServerConfig.DEFAULT_IQN,
                List.of(new LunConfig(Path.of("./data/lun0.img"), 1L << 30, 512, WriteCacheMode.WRITE_BACK, "P")));
        List<String> lines = Main.describe(c, List.of(new InetSocketAddress("0.0.0.0", 3260),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 3260)));
        assertEquals(List.of("Serving iqn.2026-11.org.vaaitarget:disk0 on 0.0.0.0:3260, 127.0.0.1:3260"
                + " (LUN 0: ./data/lun0.img, 1 GiB, 512-byte blocks, write-back)"), lines);
    }
}
