package org.vaaitarget.conformance.robust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vaaitarget.conformance.support.ExternalTools;
import org.vaaitarget.server.admin.AdminClient;
import org.vaaitarget.server.admin.AdminException;
import org.vaaitarget.server.admin.AdminProtocol;
import org.vaaitarget.server.admin.AdminServer;
import org.vaaitarget.server.app.ConfigLoader;
import org.vaaitarget.server.app.RunningServer;
import org.vaaitarget.server.app.TargetServer;
import org.vaaitarget.server.pdu.Opcode;
import org.vaaitarget.server.pdu.Pdu;

/**
 * Live reconfiguration end to end (README "Live reconfiguration"): reloads under a libiscsi load and
 * under our own client's load, LUNs appearing and disappearing with their unit attentions, a resize
 * seen through READ CAPACITY(16), a bad reload changing nothing, a session no longer allowed logged out.
 */
class LiveReconfigurationTest {
    private static final String A = "iqn.2026-11.org.vaaitarget:live-a";
    private static final String B = "iqn.2026-11.org.vaaitarget:live-b";
    private static final String C = "iqn.2026-11.org.vaaitarget:live-c";
    /** Never changes: its sessions must see nothing of the reloads. */
    private static final String D = "iqn.2026-11.org.vaaitarget:live-d";
    private static final String PERF_INITIATOR = "iqn.2026-11.test:perf-load";
    private static final String HOST1 = "iqn.2026-11.test:host1";
    private static final String HOST2 = "iqn.2026-11.test:host2";
    private static final int REPORTED_LUNS_CHANGED = 0x3F0E;
    private static final int CAPACITY_CHANGED = 0x2A09;
    private static final int LUN_NOT_SUPPORTED = 0x2500;
    private static final byte[] TUR = new byte[6];
    private static final byte[] REPORT_LUNS = {(byte) 0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};
    private static final byte[] READ_CAPACITY_16 = {(byte) 0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0};

    @TempDir
    Path dir;
    private Path config;
    private Path socket;
    private RunningServer server;
    private AdminServer admin;
    private final List<IscsiClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        config = dir.resolve("live.yaml");
        socket = dir.resolve("admin.sock");
        writeConfig(false, false, HOST1 + ", " + HOST2);
        server = TargetServer.start(ConfigLoader.load(config));
        admin = server.openAdminSocket(socket, config);
    }

    @AfterEach
    void stop() {
        clients.forEach(IscsiClient::close);
        if (admin != null) {
            admin.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /**
     * Target A: LUN 0, and LUN 1 when {@code aLun1}; target B: LUN 0, and LUN 1 when {@code bLun1};
     * target C: allow list {@code cAllow}. The ports stay 0 (the same portal across reloads).
     */
    private void writeConfig(boolean aLun1, boolean bLun1, String cAllow) throws IOException {
        Files.writeString(config, """
                portals: ["127.0.0.1:0"]
                targets:
                  - iqn: %s
                    luns:
                      - {file: a0.img, size: 8M}
                %s
                  - iqn: %s
                    luns:
                      - {file: b0.img, size: 4M}
                %s
                  - iqn: %s
                    allow: [%s]
                    luns:
                      - {file: c0.img, size: 4M}
                  - iqn: %s
                    luns:
                      - {file: d0.img, size: 4M}
                """.formatted(A, aLun1 ? "      - {file: a1.img, size: 4M}" : "", B,
                bLun1 ? "      - {file: b1.img, size: 4M}" : "", C, cAllow, D));
    }

    private InetSocketAddress portal() {
        return server.boundAddresses().get(0);
    }

    private IscsiClient login(String iqn, int isid, String initiator) throws IOException {
        IscsiClient c = IscsiClient.loggedIn(portal(), iqn, isid, initiator);
        clients.add(c);
        return c;
    }

    private static int lunCount(IscsiClient c) throws IOException {
        IscsiClient.Result r = c.commandOnce(REPORT_LUNS, 256, true, null);
        assertEquals(0, r.status(), "REPORT LUNS");
        return ByteBuffer.wrap(r.dataIn()).getInt(0) / 8;
    }

    private static long lastLba(IscsiClient.Result r) {
        assertEquals(0, r.status(), "READ CAPACITY(16)");
        return ByteBuffer.wrap(r.dataIn()).getLong(0);
    }

    private static void assertCheck(IscsiClient.Result r, int ascAndQualifier, String what) {
        assertEquals(2, r.status(), what + ": CHECK CONDITION");
        assertEquals(Integer.toHexString(ascAndQualifier), Integer.toHexString(r.ascAndQualifier()), what);
    }

    private void reload() throws AdminException {
        server.reload(config);
    }

    @Test
    void twentyReloadsUnderLoadLoseNoCommandAndNoSession() throws Exception {
        Path perf = ExternalTools.require("iscsi-perf");
        // libiscsi's iscsi-perf reads target B's LUN 0 at queue depth 32 until stopped; any command error
        // ends it (no -n), and -x 0 forbids reconnecting, so a lost session ends it too.
        Process load = new ProcessBuilder(perf.toString(), "-i", PERF_INITIATOR, "-x", "0", "iscsi://127.0.0.1:"
                + portal().getPort() + "/" + B + "/0").redirectErrorStream(true)
                .redirectOutput(dir.resolve("perf.log").toFile()).start();
        // Our client writes and reads back target A's LUN 0 while A's LUN 1 comes and goes: it may get
        // REPORTED LUNS DATA HAS CHANGED (and retries), never anything else.
        IscsiClient writer = login(A, 0x77, HOST1);
        IscsiClient bystander = login(D, 0x78, HOST1);
        assertEquals(0, bystander.commandOnce(0, TUR, 0, false, null).status());
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger commands = new AtomicInteger();
        AtomicInteger inventoryUas = new AtomicInteger();
        AtomicReference<String> failure = new AtomicReference<>();
        Thread loadA = new Thread(() -> {
            Random random = new Random(7);
            try {
                for (long lba = 0; running.get(); lba = (lba + 8) % 16000) {
                    byte[] data = new byte[4096];
                    random.nextBytes(data);
                    IscsiClient.Result w = retryInventoryChange(writer, 0, IscsiClient.write16(lba, 8, false), 4096, false,
                            data, inventoryUas);
                    IscsiClient.Result r = retryInventoryChange(writer, 0, IscsiClient.read16(lba, 8), 4096, true, null,
                            inventoryUas);
                    if (w.status() != 0 || r.status() != 0 || !Arrays.equals(data, r.dataIn())) {
                        failure.compareAndSet(null, "LBA " + lba + ": write status " + w.status() + ", read status "
                                + r.status() + ", data " + (Arrays.equals(data, r.dataIn()) ? "equal" : "differs"));
                        return;
                    }
                    commands.addAndGet(2);
                }
            } catch (IOException e) {
                failure.compareAndSet(null, "session lost: " + e);
            }
        }, "load-a");
        loadA.start();
        try {
            Thread.sleep(1000);
            for (int i = 0; i < 20; i++) {
                boolean odd = i % 2 == 0;
                writeConfig(odd, odd, odd ? HOST1 : HOST2);
                List<String> changes = server.reload(config);
                assertFalse(changes.contains("no change"), "reload " + i + " changed something");
                Thread.sleep(100);
            }
            Thread.sleep(500);
            assertTrue(load.isAlive(), "iscsi-perf is still running: no command error, no session lost");
            assertEquals(0, bystander.commandOnce(0, TUR, 0, false, null).status(),
                    "an unchanged target's session sees nothing (no unit attention)");
            AdminProtocol.Reply sessions = AdminClient.call(socket, "sessions", List.of(), Map.of());
            assertTrue(sessions.ok(), sessions.error());
            JsonNode perfSession = null;
            for (JsonNode s : sessions.data()) {
                if (s.get("initiator").asText().equals(PERF_INITIATOR)) {
                    perfSession = s;
                }
            }
            assertNotNull(perfSession, "ctl sessions --json lists the libiscsi session: " + sessions.data());
            assertEquals(B, perfSession.get("target").asText());
            assertTrue(perfSession.get("bytesRead").asLong() > 0, perfSession.toString());
        } finally {
            running.set(false);
            loadA.join(TimeUnit.SECONDS.toMillis(30));
            load.destroy();
            load.waitFor(10, TimeUnit.SECONDS);
        }
        String perfLog = Files.readString(dir.resolve("perf.log"), StandardCharsets.UTF_8);
        assertFalse(perfLog.toLowerCase(java.util.Locale.ROOT).contains("error"), perfLog);
        assertEquals(null, failure.get());
        assertTrue(commands.get() > 20, "the load ran: " + commands.get() + " commands");
        assertTrue(inventoryUas.get() > 0, "target A's session was told of its LUN 1 coming and going");
    }

    /** A command, sent again after REPORTED LUNS DATA HAS CHANGED (counted); any other result is returned. */
    private static IscsiClient.Result retryInventoryChange(IscsiClient c, int lun, byte[] cdb, int edtl, boolean read,
                                                          byte[] out, AtomicInteger uas) throws IOException {
        IscsiClient.Result r = c.commandOnce(lun, cdb, edtl, read, out);
        while (r.unitAttention() && r.ascAndQualifier() == REPORTED_LUNS_CHANGED) {
            uas.incrementAndGet();
            r = c.commandOnce(lun, cdb, edtl, read, out);
        }
        return r;
    }

    @Test
    void anAddedLunAppearsAndARemovedOneAnswersNotSupportedOnlyAfterItsUnitAttention() throws Exception {
        IscsiClient host = login(A, 1, HOST1);
        IscsiClient other = login(A, 2, HOST2);
        assertEquals(1, lunCount(host));

        writeConfig(true, false, HOST1 + ", " + HOST2);
        reload();
        assertCheck(host.commandOnce(0, TUR, 0, false, null), REPORTED_LUNS_CHANGED, "after LUN 1 was added");
        assertEquals(0, host.commandOnce(0, TUR, 0, false, null).status(), "reported once");
        assertEquals(2, lunCount(host), "REPORT LUNS lists the new LUN");
        assertEquals(0, host.commandOnce(1, TUR, 0, false, null).status(), "the new LUN answers");
        assertEquals(2, lunCount(other), "REPORT LUNS shows the other host the new LUN");
        assertEquals(0, other.commandOnce(1, TUR, 0, false, null).status(), "REPORT LUNS told it: no UA left");

        writeConfig(false, false, HOST1 + ", " + HOST2);
        reload();
        assertCheck(host.commandOnce(1, TUR, 0, false, null), REPORTED_LUNS_CHANGED,
                "the removed LUN first reports the change");
        assertCheck(host.commandOnce(1, TUR, 0, false, null), LUN_NOT_SUPPORTED, "then it is gone");
        assertEquals(0, host.commandOnce(0, TUR, 0, false, null).status());
        assertCheck(other.commandOnce(0, TUR, 0, false, null), REPORTED_LUNS_CHANGED, "told on LUN 0");
        assertCheck(other.commandOnce(1, TUR, 0, false, null), LUN_NOT_SUPPORTED, "after being told");
        assertTrue(Files.exists(dir.resolve("a1.img")), "the removed LUN's file is kept");
    }

    @Test
    void aGrownLunRaisesCapacityDataHasChangedThenReadCapacityAnswersTheNewSize() throws Exception {
        IscsiClient host = login(A, 3, HOST1);
        assertEquals((8 << 20) / 512 - 1, lastLba(host.commandOnce(READ_CAPACITY_16, 32, true, null)));
        AdminProtocol.Reply resized = AdminClient.call(socket, "resize", List.of(A, "0", "24M"), Map.of());
        assertTrue(resized.ok(), resized.error());
        assertCheck(host.commandOnce(READ_CAPACITY_16, 32, true, null), CAPACITY_CHANGED, "after the resize");
        assertEquals((24 << 20) / 512 - 1, lastLba(host.commandOnce(READ_CAPACITY_16, 32, true, null)));
        // blocks past the old end are usable
        byte[] data = new byte[4096];
        Arrays.fill(data, (byte) 0x5A);
        long lba = (20 << 20) / 512;
        assertEquals(0, host.commandOnce(IscsiClient.write16(lba, 8, true), 4096, false, data).status());
        assertTrue(Arrays.equals(data, host.commandOnce(IscsiClient.read16(lba, 8), 4096, true, null).dataIn()));

        AdminProtocol.Reply shrink = AdminClient.call(socket, "resize", List.of(A, "0", "8M"), Map.of());
        assertFalse(shrink.ok());
        assertTrue(shrink.error().contains("refused"), shrink.error());
    }

    @Test
    void aReloadWithABadKeyChangesNothing() throws Exception {
        IscsiClient host = login(A, 4, HOST1);
        Files.writeString(config, Files.readString(config).replace("allow:", "alow:"));
        AdminException e = assertThrows(AdminException.class, this::reload);
        assertTrue(e.getMessage().startsWith("config targets[2].alow: unknown key"), e.getMessage());
        assertEquals(0, host.commandOnce(0, TUR, 0, false, null).status(), "no unit attention: nothing changed");
        assertEquals(1, lunCount(host));
    }

    @Test
    void aSessionNoLongerAllowedIsAskedToLogOutAndTheOthersAreUntouched() throws Exception {
        IscsiClient stays = login(C, 5, HOST1);
        IscsiClient goes = login(C, 6, HOST2);
        writeConfig(false, false, HOST1);
        reload();
        Pdu async = goes.receiveSkippingPings();
        assertNotNull(async, "an Async Message before the connection closes");
        try {
            assertEquals(Opcode.ASYNC_MESSAGE, async.opcode());
            assertEquals(1, async.u8(36), "AsyncEvent 1: the target requests a logout (RFC 7143 11.9.1)");
        } finally {
            async.release();
        }
        assertTrue(goes.closedByTarget(), "dropped after the grace period");
        assertEquals(0, stays.commandOnce(0, TUR, 0, false, null).status(), "the allowed session saw nothing");
        assertThrows(IOException.class, () -> login(C, 7, HOST2), "new logins follow the new allow list");
    }

    @Test
    void aRemovedPortalStopsListeningAndItsSessionsEnd() throws Exception {
        String one = "portals: [\"127.0.0.1:0\"]";
        String two = "portals: [\"127.0.0.1:0\", \"127.0.0.2:0\"]";
        Files.writeString(config, Files.readString(config).replace(one, two));
        reload();
        InetSocketAddress second = server.boundAddresses().get(1);
        IscsiClient viaFirst = login(A, 8, HOST1);
        IscsiClient viaSecond = IscsiClient.loggedIn(second, A, 9, HOST1);
        clients.add(viaSecond);
        assertEquals(0, viaSecond.commandOnce(0, TUR, 0, false, null).status());

        Files.writeString(config, Files.readString(config).replace(two, one));
        reload();
        Pdu async = viaSecond.receiveSkippingPings();
        assertNotNull(async, "an Async Message before the connection closes");
        try {
            assertEquals(Opcode.ASYNC_MESSAGE, async.opcode());
        } finally {
            async.release();
        }
        assertTrue(viaSecond.closedByTarget(), "the session through the removed portal ended");
        assertThrows(IOException.class, () -> {
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(second, 2000);
            }
        }, "nothing listens there any more");
        assertEquals(0, viaFirst.commandOnce(0, TUR, 0, false, null).status(), "the other portal's session saw nothing");
        assertEquals(1, server.boundAddresses().size());
    }

    @Test
    void ctlLogoutAsksTheInitiatorsSessionsToLogOutAndWaitsUntilTheyAreGone() throws Exception {
        IscsiClient leaving = login(D, 10, HOST2);
        IscsiClient staying = login(D, 11, HOST1);
        AtomicReference<String> logoutAnswer = new AtomicReference<>("none");
        Thread answer = new Thread(() -> {
            // the initiator does what it is asked: on the Async Message, a Logout Request (close the session)
            try {
                Pdu async = leaving.receiveSkippingPings();
                if (async == null) {
                    return;
                }
                int event = async.opcode() == Opcode.ASYNC_MESSAGE ? async.u8(36) : -1;
                async.release();
                if (event == 1) {
                    Pdu logout = Pdu.create(Opcode.LOGOUT_REQUEST).setImmediate(true).setFlags(0x80);
                    logout.setItt(leaving.newItt()).setU32(24, leaving.nextCmdSn()).setU32(28, leaving.expStatSn());
                    leaving.send(logout);
                    Pdu response = leaving.receiveSkippingPings();
                    if (response != null) {
                        logoutAnswer.set(response.opcode() + " response " + response.u8(2));
                        response.release();
                    }
                }
            } catch (IOException e) {
                // the test below sees the connection state
            }
        }, "initiator");
        answer.start();
        AdminProtocol.Reply reply = AdminClient.call(socket, "logout", List.of(D), Map.of("initiator", HOST2));
        assertTrue(reply.ok(), reply.error());
        assertEquals(1, reply.data().get("sessions").asInt());
        answer.join(TimeUnit.SECONDS.toMillis(20));
        assertEquals(Opcode.LOGOUT_RESPONSE + " response 0", logoutAnswer.get(), "a clean logout, as asked");
        assertTrue(leaving.closedByTarget());
        assertEquals(0, staying.commandOnce(0, TUR, 0, false, null).status(), "another initiator's session stays");
        AdminProtocol.Reply none = AdminClient.call(socket, "logout", List.of(D), Map.of("initiator", HOST2));
        assertFalse(none.ok(), "no session of that initiator is left");
        assertTrue(none.error().startsWith("no session of " + HOST2), none.error());
    }
}
