package org.vaaitarget.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.vaaitarget.server.testing.Contexts.INITIATOR;
import static org.vaaitarget.server.testing.Contexts.TARGET;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.vaaitarget.server.pdu.Opcode;
import org.vaaitarget.server.pdu.Pdu;
import org.vaaitarget.server.session.ResourceLimits;
import org.vaaitarget.server.login.ServerContext;
import org.vaaitarget.server.testing.Contexts;
import org.vaaitarget.server.testing.Requests;

/** limits.maxSessions, maxSessionsPerTarget, maxConnections and loginTimeout over real sockets. */
class ServerLimitsTest {

    private static ServerContext with(ResourceLimits limits) {
        ServerContext c = Contexts.withTargets(2, new InetSocketAddress("127.0.0.1", 0));
        return new ServerContext(c.targets(), c.portals(), c.offer(), c.sessions(), limits);
    }

    /** A one-PDU login to Full Feature Phase with its own ISID; returns the Login Response status. */
    private static int login(TinyInitiator ini, int isidQualifier, String target) throws Exception {
        Pdu req = target == null
                ? Requests.login(1, 3, true, false, 1, 1, 0, 0, Requests.text("InitiatorName", INITIATOR,
                        "SessionType", "Discovery"))
                : Requests.login(1, 3, true, false, 1, 1, 0, 0, Requests.text("InitiatorName", INITIATOR,
                        "TargetName", target));
        req.setU16(12, isidQualifier); // ISID qualifier (bytes 12-13), so each login is a new session
        ini.send(req);
        Pdu rsp = ini.receive();
        assertEquals(Opcode.LOGIN_RESPONSE, rsp.opcode());
        int status = rsp.u16(36);
        rsp.release();
        return status;
    }

    @Test
    void loginsBeyondTheSessionLimitsFailWithOutOfResources() throws Exception {
        ResourceLimits limits = ResourceLimits.defaults().withSessions(3, 2);
        try (IscsiServer server = IscsiServer.start(with(limits));
             TinyInitiator a = new TinyInitiator(server.boundAddresses().get(0));
             TinyInitiator b = new TinyInitiator(server.boundAddresses().get(0));
             TinyInitiator c = new TinyInitiator(server.boundAddresses().get(0));
             TinyInitiator d = new TinyInitiator(server.boundAddresses().get(0));
             TinyInitiator e = new TinyInitiator(server.boundAddresses().get(0))) {
            assertEquals(0, login(a, 1, TARGET));
            assertEquals(0, login(b, 2, TARGET));
            assertEquals(0x0302, login(c, 3, TARGET), "third session of one target: Out of resources");
            assertNull(c.receive(), "closed after the failed login");
            assertEquals(0, login(d, 4, TARGET + "-1"), "the other target still has room");
            assertEquals(0x0302, login(e, 5, null), "server-wide limit (3) reached, discovery included");
        }
    }

    @Test
    void aReinstatingLoginIsAdmittedAtTheLimit() throws Exception {
        ResourceLimits limits = ResourceLimits.defaults().withSessions(1, 1);
        try (IscsiServer server = IscsiServer.start(with(limits));
             TinyInitiator a = new TinyInitiator(server.boundAddresses().get(0));
             TinyInitiator b = new TinyInitiator(server.boundAddresses().get(0))) {
            assertEquals(0, login(a, 7, TARGET));
            assertEquals(0, login(b, 7, TARGET), "same initiator, ISID and target: reinstatement (RFC 7143 6.3.5)");
            assertNull(a.receive(), "the old session is closed");
        }
    }

    @Test
    void connectionsBeyondTheLimitAreClosedOnAccept() throws Exception {
        ResourceLimits limits = ResourceLimits.defaults().withMaxConnections(2);
        try (IscsiServer server = IscsiServer.start(with(limits));
             TinyInitiator a = new TinyInitiator(server.boundAddresses().get(0));
             TinyInitiator b = new TinyInitiator(server.boundAddresses().get(0))) {
            assertEquals(0, login(a, 1, TARGET));
            try (Socket third = new Socket()) {
                third.connect(server.boundAddresses().get(0), 5000);
                third.setSoTimeout(20_000);
                assertEquals(-1, third.getInputStream().read(), "closed by the server");
            }
            assertEquals(0, login(b, 2, TARGET), "the connections within the limit work");
        }
    }

    @Test
    void aPartialHeaderThatStallsIsClosedByTheLoginTimeout() throws Exception {
        Duration timeout = Duration.ofMillis(300);
        try (IscsiServer server = IscsiServer.start(with(ResourceLimits.defaults()), StandardPhases.INSTANCE,
                timeout);
             Socket s = new Socket()) {
            s.connect(server.boundAddresses().get(0), 5000);
            s.setSoTimeout(20_000); // generous: the outcome matters, not the time
            s.getOutputStream().write(new byte[] {0x43, (byte) 0x87, 0, 0, 0, 0}); // 6 of 48 BHS bytes
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            try {
                assertEquals(-1, in.read(), "closed without an answer");
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the stalled login was not closed", e);
            }
        }
    }
}
