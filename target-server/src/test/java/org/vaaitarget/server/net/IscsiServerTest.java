package org.vaaitarget.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.vaaitarget.server.testing.Contexts.INITIATOR;
import static org.vaaitarget.server.testing.Contexts.TARGET;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.vaaitarget.server.codec.DigestPolicy;
import org.vaaitarget.server.pdu.Opcode;
import org.vaaitarget.server.pdu.Pdu;
import org.vaaitarget.server.testing.Contexts;
import org.vaaitarget.server.testing.Requests;

/** The listening server over real loopback sockets. */
class IscsiServerTest {
    private static final Path ISCSI_LS = Path.of("/usr/bin/iscsi-ls");

    @Test
    void discoveryLoginSendTargetsLogoutOverTcp() throws Exception {
        try (IscsiServer server = IscsiServer.start(Contexts.oneTarget(new InetSocketAddress("127.0.0.1", 0)))) {
            InetSocketAddress bound = server.boundAddresses().get(0);
            assertNotEquals(0, bound.getPort());
            try (TinyInitiator ini = new TinyInitiator(bound)) {
                ini.send(Requests.login(0, 3, true, false, 1, 1, 0, 0, Requests.text("InitiatorName", INITIATOR,
                        "SessionType", "Discovery", "AuthMethod", "None")));
                Pdu login = ini.receive();
                assertEquals(Opcode.LOGIN_RESPONSE, login.opcode());
                assertEquals(0, login.u16(36));
                login.release();
                ini.send(Requests.textRequest(2, 0xFFFFFFFF, 1, false, Requests.text("SendTargets", "All")));
                Pdu text = ini.receive();
                assertEquals("TargetName=" + TARGET + "\0TargetAddress=127.0.0.1:" + bound.getPort() + ",1\0",
                        text.data().toString(StandardCharsets.UTF_8), "advertises the real port");
                text.release();
                ini.send(Requests.logout(3, 2, 0));
                Pdu logout = ini.receive();
                assertEquals(Opcode.LOGOUT_RESPONSE, logout.opcode());
                logout.release();
                assertNull(ini.receive(), "connection closed after logout");
            }
        }
    }

    @Test
    void digestsStartWithTheFirstPduAfterTheLoginPhase() throws Exception {
        try (IscsiServer server = IscsiServer.start(Contexts.oneTarget(new InetSocketAddress("127.0.0.1", 0)));
             TinyInitiator ini = new TinyInitiator(server.boundAddresses().get(0))) {
            ini.send(Requests.login(1, 3, true, false, 1, 1, 0, 0, Requests.text("InitiatorName", INITIATOR,
                    "SessionType", "Discovery", "HeaderDigest", "CRC32C", "DataDigest", "CRC32C,None")));
            Pdu login = ini.receive(); // no digests yet
            assertEquals("CRC32C", Requests.pairs(login).get("HeaderDigest"));
            assertEquals("CRC32C", Requests.pairs(login).get("DataDigest"));
            login.release();
            ini.useDigests(new DigestPolicy(true, true));
            ini.send(Requests.nopOut(4, 1, new byte[] {9, 8, 7, 6, 5}));
            Pdu nopIn = ini.receive(); // the client's decoder checks both digests
            assertEquals(Opcode.NOP_IN, nopIn.opcode());
            assertEquals(5, nopIn.dataSegmentLength());
            nopIn.release();
        }
    }

    @Test
    void ipv6LoopbackAndShutdownClosesOpenConnections() throws Exception {
        IscsiServer server = IscsiServer.start(Contexts.oneTarget(new InetSocketAddress("::1", 0),
                new InetSocketAddress("127.0.0.1", 0)));
        assertEquals(2, server.boundAddresses().size());
        try (TinyInitiator ini = new TinyInitiator(server.boundAddresses().get(0))) {
            ini.send(Requests.login(0, 0, false, false, 1, 1, 0, 0, Requests.text("InitiatorName", INITIATOR,
                    "SessionType", "Discovery")));
            ini.receive().release();
            server.shutdown().get(30, TimeUnit.SECONDS);
            assertNull(ini.receive(), "the login in progress was closed by the shutdown");
        }
        assertTrue(server.shutdown().isDone());
    }

    @Test
    void aPortalInUseIsReportedWithItsAddress() throws Exception {
        try (IscsiServer first = IscsiServer.start(Contexts.oneTarget(new InetSocketAddress("127.0.0.1", 0)))) {
            InetSocketAddress taken = first.boundAddresses().get(0);
            IOException e = assertThrows(IOException.class, () -> IscsiServer.start(Contexts.oneTarget(taken)));
            assertTrue(e.getMessage().contains(String.valueOf(taken.getPort())), e.getMessage());
        }
    }

    /** libiscsi's iscsi-ls as an independent initiator: discovery login, SendTargets, logout. */
    @Test
    void libiscsiDiscoversTheTarget() throws Exception {
        boolean present = Files.isExecutable(ISCSI_LS);
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new AssertionError(ISCSI_LS + " is required in CI (Debian package libiscsi-bin)");
        }
        assumeTrue(present, "iscsi-ls not installed");
        try (IscsiServer server = IscsiServer.start(Contexts.oneTarget(new InetSocketAddress("127.0.0.1", 0)))) {
            int port = server.boundAddresses().get(0).getPort();
            Process p = new ProcessBuilder(ISCSI_LS.toString(), "-i", INITIATOR, "iscsi://127.0.0.1:" + port)
                    .redirectErrorStream(true).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "iscsi-ls finished");
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("Target:" + TARGET) || out.contains(TARGET), out);
            assertTrue(out.contains("127.0.0.1:" + port), out);
        }
    }
}
