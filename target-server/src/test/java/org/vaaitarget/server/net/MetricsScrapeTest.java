package org.vaaitarget.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.core.config.LunConfig.WriteCacheMode;
import org.vaaitarget.server.app.RunningServer;
import org.vaaitarget.server.app.ServerConfig;
import org.vaaitarget.server.app.StartupException;
import org.vaaitarget.server.app.TargetServer;
import org.vaaitarget.server.login.AuthConfig;
import org.vaaitarget.server.login.InitiatorRule;
import org.vaaitarget.server.login.TargetAccess;
import org.vaaitarget.server.metrics.AtsReport;
import org.vaaitarget.server.pdu.Opcode;
import org.vaaitarget.server.pdu.Pdu;
import org.vaaitarget.server.session.TargetOffer;
import org.vaaitarget.server.testing.Requests;

/**
 * End to end over loopback sockets: a server with metrics on, two initiators driving a known load (reads,
 * writes, COMPARE AND WRITE miscompares of each cause, WRITE SAME, an error, a task management function,
 * a failed login), then a scrape of /metrics whose counters must match the load exactly, and the ATS
 * report with the same miscompares per initiator.
 */
class MetricsScrapeTest {
    private static final String TARGET = "iqn.2026-12.org.example:metrics";
    private static final String HOST_A = "iqn.1998-01.com.vmware:esx-a";
    private static final String HOST_B = "iqn.1998-01.com.vmware:esx-b";
    private static final int BS = 512;
    private static final int GOOD = 0;
    private static final int CHECK_CONDITION = 2;
    /** Blocks written into the LUN file before the server starts: "written outside the target". */
    private static final int OUTSIDE_LBA = 40;

    @TempDir
    Path dir;

    @Test
    void countersMatchAKnownLoadAndEveryDocumentedNameIsExposed() throws Exception {
        Path file = dir.resolve("lun0.img");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(1 << 20);
            raf.seek((long) OUTSIDE_LBA * BS);
            raf.write(fill(0x77, 4 * BS));
        }
        LunConfig lun = new LunConfig(file, 1 << 20, BS, WriteCacheMode.WRITE_BACK, "P");
        TargetAccess onlyAAndB = new TargetAccess(AuthConfig.NONE,
                List.of(InitiatorRule.named(HOST_A), InitiatorRule.named(HOST_B)), Map.of());
        ServerConfig config = new ServerConfig(List.of(new InetSocketAddress("127.0.0.1", 0)), TargetOffer.defaults(),
                List.of(new ServerConfig.Target(TARGET, null, List.of(lun), onlyAAndB)))
                .withMetrics(new InetSocketAddress("127.0.0.1", 0));
        RunningServer server = TargetServer.start(config);
        try {
            String base = "http://127.0.0.1:" + server.metricsAddress().getPort();
            assertEquals(200, get(base + "/healthz").statusCode());
            InetSocketAddress portal = server.boundAddresses().get(0);

            try (Client nobody = new Client(portal)) {   // a login to a target that does not exist
                assertEquals(0x0203, nobody.login("iqn.1998-01.com.vmware:esx-c", "iqn.2026-12.org.example:none"));
            }
            try (Client stranger = new Client(portal)) {   // not on the target's allow list
                assertEquals(0x0202, stranger.login("iqn.1998-01.com.vmware:esx-c", TARGET));
            }
            int n = 5;
            int m = 4;
            int k = 2;
            int writes = m;
            try (Client a = new Client(portal); Client b = new Client(portal)) {
                assertEquals(0, a.login(HOST_A, TARGET));
                assertEquals(0, b.login(HOST_B, TARGET));
                for (int i = 0; i < n; i++) {
                    assertEquals(GOOD, a.read(i).status);
                }
                for (int i = 0; i < m; i++) {
                    assertEquals(GOOD, a.write(100 + i, fill(i, BS)).status);
                }
                for (int i = 0; i < k; i++) {
                    // contention: host A wrote the block, host B compares against an older image
                    assertEquals(GOOD, a.write(10 + i, fill(0xA0, BS)).status);
                    assertMiscompare(b.compareAndWrite(10 + i, fill(0xB0, BS), fill(0xB1, BS)));
                    // own-write: host B wrote it itself (a lost ATS response retried looks like this)
                    assertEquals(GOOD, b.write(20 + i, fill(0xA1, BS)).status);
                    assertMiscompare(b.compareAndWrite(20 + i, fill(0xB0, BS), fill(0xB1, BS)));
                    // unexplained: written before the target started, no record explains it
                    assertMiscompare(b.compareAndWrite(OUTSIDE_LBA + i, fill(0xB0, BS), fill(0xB1, BS)));
                    writes += 2;
                }
                assertEquals(GOOD, b.compareAndWrite(50, fill(0, BS), fill(1, BS)).status);   // one success
                assertEquals(GOOD, a.writeSame(200, 8, fill(0x5A, BS)).status);
                Reply outOfRange = a.read(1 << 20);
                assertEquals(CHECK_CONDITION, outOfRange.status);
                assertEquals(0x5, outOfRange.senseKey);   // ILLEGAL REQUEST
                a.abortTask(0x7777);                         // a task that does not exist

                Map<String, Double> s = parse(get(base + "/metrics").body());
                String lun0 = "lun=\"0\",";
                String tgt = "target=\"" + TARGET + "\"";
                check(s, n + 1, key("vaai_target_commands_total", lun0 + "op=\"read\"," + tgt));
                check(s, writes, key("vaai_target_commands_total", lun0 + "op=\"write\"," + tgt));
                check(s, 3 * k + 1, key("vaai_target_commands_total",
                        lun0 + "op=\"compare_and_write\"," + tgt));
                check(s, 1, key("vaai_target_commands_total", lun0 + "op=\"write_same\"," + tgt));
                check(s, 3 * k, key("vaai_target_command_errors_total",
                        lun0 + "op=\"compare_and_write\",sense_key=\"miscompare\"," + tgt));
                check(s, 1, key("vaai_target_command_errors_total",
                        lun0 + "op=\"read\",sense_key=\"illegal_request\"," + tgt));
                check(s, n * BS, key("vaai_target_bytes_total", "direction=\"read\"," + lun0 + tgt));
                // writes, the successful COMPARE AND WRITE (verify + write data) and WRITE SAME's one block
                check(s, writes * BS + 2 * BS + BS, key("vaai_target_bytes_total", "direction=\"write\"," + lun0 + tgt));
                check(s, n + 1, key("vaai_target_command_duration_seconds_count",
                        lun0 + "op=\"read\"," + tgt));
                check(s, 1, key("vaai_target_ats_total", lun0 + "result=\"success\"," + tgt));
                check(s, 3 * k, key("vaai_target_ats_total", lun0 + "result=\"miscompare\"," + tgt));
                for (String cause : new String[] {"contention", "own-write", "unexplained"}) {
                    check(s, k, key("vaai_target_ats_miscompares_total",
                            "cause=\"" + cause + "\"," + lun0 + tgt), cause);
                }
                check(s, 3 * k + 1, key("vaai_target_ats_lock_wait_seconds_count", lun0 + tgt));
                check(s, 8, key("vaai_target_write_same_blocks_total", lun0 + tgt + ",unmap=\"false\""));
                check(s, 0, key("vaai_target_write_same_blocks_total", lun0 + tgt + ",unmap=\"true\""));
                check(s, 0, key("vaai_target_unmap_blocks_total", lun0 + tgt));
                check(s, 0, key("vaai_target_xcopy_bytes_total", lun0 + tgt));
                check(s, 2, key("vaai_target_sessions", tgt));
                check(s, 2, key("vaai_target_logins_total", "result=\"success\""));
                check(s, 1, key("vaai_target_logins_total", "result=\"other\""));
                check(s, 0, key("vaai_target_logins_total", "result=\"authentication_failure\""));
                check(s, 1, key("vaai_target_logins_total", "result=\"authorization_failure\""));
                check(s, 0, key("vaai_target_task_set_full_total", null));
                assertEquals(1, s.entrySet().stream()
                        .filter(e -> e.getKey().startsWith("vaai_target_task_management_total{function=\"abort_task\""))
                        .mapToDouble(Map.Entry::getValue).sum());
                awaitGauge(base, "vaai_target_connections", 2);

                AtsReport report = server.atsReport();
                AtsReport.Lun l = report.luns().get(0);
                assertEquals(3 * k + 1, l.total().attempts());
                assertEquals(k, l.total().contention());
                assertEquals(k, l.total().ownWrite());
                assertEquals(k, l.total().unexplained());
                assertEquals(3 * k + 1, l.initiators().get(HOST_B).attempts());
                assertEquals(k, l.initiators().get(HOST_B).ownWrite());
                assertTrue(report.toText().contains(HOST_B), report.toText());
            }
        } finally {
            server.close();
        }
    }

    @Test
    void everyDocumentedSeriesNameIsExposedWithMetricsOnAndNothingWithout() throws Exception {
        LunConfig lun = new LunConfig(dir.resolve("lun1.img"), 1 << 20, BS, WriteCacheMode.WRITE_BACK, "P");
        ServerConfig config = ServerConfig.single(new InetSocketAddress("127.0.0.1", 0), TARGET, List.of(lun));
        RunningServer off = TargetServer.start(config);
        try {
            assertEquals(null, off.metricsAddress());
        } finally {
            off.close();
        }
        RunningServer server = TargetServer.start(config.withMetrics(new InetSocketAddress("127.0.0.1", 0)));
        String base = "http://127.0.0.1:" + server.metricsAddress().getPort();
        try {
            try (Client a = new Client(server.boundAddresses().get(0))) {
                assertEquals(0, a.login(HOST_A, TARGET));
                assertMiscompare(a.compareAndWrite(3, fill(9, BS), fill(8, BS)));
                a.abortTask(1);
                HttpResponse<String> rsp = get(base + "/metrics");
                assertTrue(rsp.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
                String body = rsp.body();
                for (String name : List.of("vaai_target_commands_total", "vaai_target_command_errors_total",
                        "vaai_target_bytes_total", "vaai_target_command_duration_seconds_bucket",
                        "vaai_target_ats_total", "vaai_target_ats_lock_wait_seconds_bucket",
                        "vaai_target_ats_miscompares_total", "vaai_target_xcopy_bytes_total",
                        "vaai_target_write_same_blocks_total", "vaai_target_unmap_blocks_total",
                        "vaai_target_sessions", "vaai_target_connections", "vaai_target_logins_total",
                        "vaai_target_task_management_total", "vaai_target_task_set_full_total",
                        "jvm_memory_used_bytes", "jvm_gc_live_data_size_bytes", "jvm_buffer_memory_used_bytes",
                        "netty_allocator_memory_used")) {
                    assertTrue(Pattern.compile("(?m)^" + name + "[{ ]").matcher(body).find(), name + " missing");
                }
                for (String op : List.of("read", "write", "compare_and_write", "write_same", "unmap", "xcopy",
                        "verify", "sync", "other")) {
                    assertTrue(body.contains("vaai_target_commands_total{lun=\"0\",op=\"" + op + "\""), op);
                }
            }
        } finally {
            server.close();
        }
        assertTrue(server.metricsAddress() != null);
    }

    private static void check(Map<String, Double> scrape, double expected, String series) {
        check(scrape, expected, series, series);
    }

    private static void check(Map<String, Double> scrape, double expected, String series, String what) {
        Double v = scrape.get(series);
        assertNotNull(v, "no series " + series + " in " + scrape.keySet());
        assertEquals(expected, v.doubleValue(), 0.0, what);
    }

    @Test
    void aMetricsPortInUseIsAStartupErrorNamingItAndNothingStaysOpen() throws Exception {
        LunConfig lun = new LunConfig(dir.resolve("lun2.img"), 1 << 20, BS, WriteCacheMode.WRITE_BACK, "P");
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            ServerConfig config = ServerConfig.single(new InetSocketAddress("127.0.0.1", 0), TARGET, List.of(lun))
                    .withMetrics(new InetSocketAddress("127.0.0.1", taken.getLocalPort()));
            StartupException e = org.junit.jupiter.api.Assertions.assertThrows(StartupException.class,
                    () -> TargetServer.start(config));
            assertTrue(e.getMessage().startsWith("cannot serve metrics on 127.0.0.1:" + taken.getLocalPort()),
                    e.getMessage());
        }
        // the LUN was never opened, so a second start with a free port works
        RunningServer server = TargetServer.start(ServerConfig.single(new InetSocketAddress("127.0.0.1", 0), TARGET,
                List.of(lun)).withMetrics(new InetSocketAddress("127.0.0.1", 0)));
        server.close();
    }

    private static void assertMiscompare(Reply r) {
        assertEquals(CHECK_CONDITION, r.status);
        assertEquals(0xE, r.senseKey);
    }

    private static void awaitGauge(String base, String name, double expected) throws Exception {
        double last = Double.NaN;
        for (int i = 0; i < 100; i++) {
            Double v = parse(get(base + "/metrics").body()).get(name);
            if (v != null && v == expected) {
                return;
            }
            last = v == null ? Double.NaN : v;
            Thread.sleep(50);
        }
        fail(name + " stayed " + last + ", expected " + expected);
    }

    private static String key(String name, String labels) {
        return labels == null ? name : name + "{" + labels + "}";
    }

    /** Sample lines "name{labels} value" by "name{labels}". */
    static Map<String, Double> parse(String text) {
        Map<String, Double> out = new HashMap<>();
        Matcher m = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{[^}]*\\})?) (\\S+)").matcher(text);
        while (m.find()) {
            out.put(m.group(1), Double.valueOf(m.group(2)));
        }
        return out;
    }

    static HttpResponse<String> get(String uri) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(uri)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] fill(int value, int length) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        return b;
    }

    /** A command's outcome. */
    record Reply(int status, int senseKey, int dataIn) {
    }

    /** A blocking one-connection initiator: login, then one command at a time. */
    static final class Client implements AutoCloseable {
        private final TinyInitiator ini;
        private int cmdSn = 1;
        private int expStatSn;
        private int itt = 100;

        Client(InetSocketAddress portal) throws IOException {
            ini = new TinyInitiator(portal);
        }

        /** Logs in straight to Full Feature Phase; the login status (0 = success). */
        int login(String initiator, String target) throws IOException {
            ini.send(Requests.login(1, 3, true, false, 1, cmdSn, 0, 0, Requests.text("InitiatorName", initiator,
                    "SessionType", "Normal", "TargetName", target, "ImmediateData", "Yes", "InitialR2T", "No",
                    "HeaderDigest", "None", "DataDigest", "None")));
            Pdu rsp = ini.receive();
            assertNotNull(rsp);
            try {
                expStatSn = rsp.u32(24) + 1;
                return (rsp.u8(36) << 8) | rsp.u8(37);
            } finally {
                rsp.release();
            }
        }

        Reply read(long lba) throws IOException {
            return command(new byte[] {0x28, 0, (byte) (lba >>> 24), (byte) (lba >>> 16), (byte) (lba >>> 8),
                (byte) lba, 0, 0, 1, 0}, 0x40, BS, null);
        }

        Reply write(long lba, byte[] data) throws IOException {
            return command(new byte[] {0x2A, 0, (byte) (lba >>> 24), (byte) (lba >>> 16), (byte) (lba >>> 8),
                (byte) lba, 0, 0, 1, 0}, 0x20, data.length, data);
        }

        Reply writeSame(long lba, int blocks, byte[] block) throws IOException {
            return command(new byte[] {0x41, 0, (byte) (lba >>> 24), (byte) (lba >>> 16), (byte) (lba >>> 8),
                (byte) lba, 0, (byte) (blocks >>> 8), (byte) blocks, 0}, 0x20, block.length, block);
        }

        Reply compareAndWrite(long lba, byte[] verify, byte[] write) throws IOException {
            byte[] cdb = new byte[16];
            cdb[0] = (byte) 0x89;
            for (int i = 0; i < 8; i++) {
                cdb[2 + i] = (byte) (lba >>> (56 - 8 * i));
            }
            cdb[13] = 1;
            byte[] data = new byte[verify.length + write.length];
            System.arraycopy(verify, 0, data, 0, verify.length);
            System.arraycopy(write, 0, data, verify.length, write.length);
            return command(cdb, 0x20, data.length, data);
        }

        /** ABORT TASK of {@code tag} on LUN 0; waits for the response. */
        void abortTask(int tag) throws IOException {
            Pdu p = Pdu.create(Opcode.TASK_MGMT_REQUEST).setImmediate(true).setFlags(0x80 | 1).setItt(itt++);
            p.setLun(0).setU32(20, tag).setU32(24, cmdSn).setU32(28, expStatSn).setU32(32, cmdSn - 1);
            ini.send(p);
            Pdu rsp = next(Opcode.TASK_MGMT_RESPONSE);
            expStatSn = rsp.u32(24) + 1;
            rsp.release();
        }

        private Reply command(byte[] cdb, int direction, int edtl, byte[] data) throws IOException {
            Pdu p = Pdu.create(Opcode.SCSI_COMMAND).setFlags(0x80 | direction | 0x01).setItt(itt++);
            p.setLun(0).setU32(20, edtl).setU32(24, cmdSn++).setU32(28, expStatSn);
            for (int i = 0; i < cdb.length; i++) {
                p.setU8(32 + i, cdb[i]);
            }
            if (data != null) {
                p.setData(Unpooled.wrappedBuffer(data));
            }
            ini.send(p);
            int dataIn = 0;
            while (true) {
                Pdu rsp = next(null);
                try {
                    if (rsp.opcode() == Opcode.DATA_IN) {
                        dataIn += rsp.dataSegmentLength();
                        if ((rsp.flags() & 0x01) != 0) {   // status in the last Data-In (phase collapse)
                            expStatSn = rsp.u32(24) + 1;
                            return new Reply(rsp.u8(3), -1, dataIn);
                        }
                    } else if (rsp.opcode() == Opcode.SCSI_RESPONSE) {
                        expStatSn = rsp.u32(24) + 1;
                        ByteBuf sense = rsp.data();
                        int key = -1;
                        if (sense != null && sense.readableBytes() > 2 + 2) {
                            int code = sense.getByte(sense.readerIndex() + 2) & 0x7F;
                            key = sense.getByte(sense.readerIndex() + 2 + (code >= 0x72 ? 1 : 2)) & 0x0F;
                        }
                        return new Reply(rsp.u8(3), key, dataIn);
                    }
                } finally {
                    rsp.release();
                }
            }
        }

        /** The next PDU other than a NOP-In; of {@code opcode} when given. */
        private Pdu next(Opcode opcode) throws IOException {
            while (true) {
                Pdu p = ini.receive();
                assertNotNull(p, "connection closed");
                if (p.opcode() == Opcode.NOP_IN || (opcode != null && p.opcode() != opcode)) {
                    p.release();
                    continue;
                }
                return p;
            }
        }

        @Override
        public void close() throws IOException {
            ini.close();
        }
    }
}
