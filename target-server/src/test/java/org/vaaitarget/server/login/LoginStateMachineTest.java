package org.vaaitarget.server.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vaaitarget.server.testing.Contexts.INITIATOR;
import static org.vaaitarget.server.testing.Contexts.TARGET;
import static org.vaaitarget.server.testing.Requests.login;
import static org.vaaitarget.server.testing.Requests.text;

import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vaaitarget.server.net.ServerShutdownEvent;
import org.vaaitarget.server.pdu.Opcode;
import org.vaaitarget.server.pdu.Pdu;
import org.vaaitarget.server.session.NegotiatedParameters;
import org.vaaitarget.server.session.Session;
import org.vaaitarget.server.session.SessionType;
import org.vaaitarget.server.testing.Contexts;
import org.vaaitarget.server.testing.Requests;

/** Stage rules, status codes and session handling of the Login Phase (RFC 7143 6, 11.12, 11.13). */
class LoginStateMachineTest {
    private final LoginHarness h = new LoginHarness(Contexts.oneTarget());

    @AfterEach
    void noLeftovers() {
        assertFalse(h.channel.finish());
        if (h.successor != null) {
            h.successor.received.forEach(o -> ((Pdu) o).release());
        }
    }

    private void assertFailedAndClosed(int expectedStatus, Pdu request) {
        assertEquals(expectedStatus, h.status(request), "status");
        assertFalse(h.channel.isOpen(), "connection closed after a failed login");
        assertNull(h.successor);
    }

    private static Pdu first(int csg, int nsg) {
        return login(csg, nsg, "InitiatorName", INITIATOR, "TargetName", TARGET);
    }

    @Test
    void missingInitiatorNameIs0207() {
        assertFailedAndClosed(0x0207, login(0, 1, "TargetName", TARGET, "AuthMethod", "None"));
    }

    @Test
    void missingTargetNameInANormalSessionIs0207() {
        assertFailedAndClosed(0x0207, login(0, 1, "InitiatorName", INITIATOR, "AuthMethod", "None"));
    }

    @Test
    void unknownTargetIs0203() {
        assertFailedAndClosed(0x0203, login(0, 1, "InitiatorName", INITIATOR, "TargetName", "iqn.2000-01.x:nope"));
    }

    @Test
    void badSessionTypeIs0209() {
        assertFailedAndClosed(0x0209, login(0, 1, "InitiatorName", INITIATOR, "SessionType", "Bogus"));
    }

    @Test
    void keySentTwiceInOneRequestIs0200() {
        assertFailedAndClosed(0x0200, login(0, 1, "InitiatorName", INITIATOR, "TargetName", TARGET,
                "AuthMethod", "None", "AuthMethod", "None"));
    }

    @Test
    void keySentTwiceAcrossRequestsIs0200() {
        h.keys(login(0, 1, "InitiatorName", INITIATOR, "TargetName", TARGET, "MaxBurstLength", "65536"));
        assertFailedAndClosed(0x0200, login(1, 3, "MaxBurstLength", "65536"));
    }

    @Test
    void noCommonAuthMethodIs0201() {
        assertFailedAndClosed(0x0201, login(0, 1, "InitiatorName", INITIATOR, "TargetName", TARGET,
                "AuthMethod", "CHAP"));
    }

    @Test
    void securityKeyInOperationalStageIs0200() {
        assertFailedAndClosed(0x0200, login(1, 3, "InitiatorName", INITIATOR, "TargetName", TARGET,
                "AuthMethod", "CHAP"));
    }

    @Test
    void authMethodNoneInOperationalStageIsToleratedWhenNoAuthenticationIsRequired() {
        // jSCSI starts in the operational stage and sends AuthMethod=None.
        Pdu rsp = h.exchange(login(1, 3, "InitiatorName", INITIATOR, "TargetName", TARGET, "AuthMethod", "None"));
        assertEquals(0, rsp.u16(36), "login status success");
        assertTrue(rsp.data().toString(java.nio.charset.StandardCharsets.UTF_8).contains("AuthMethod=None"));
        rsp.release();
    }

    @Test
    void unsupportedVersionIs0205() {
        Pdu p = first(0, 1);
        p.setU8(3, 1); // Version-min 1
        assertFailedAndClosed(0x0205, p);
    }

    @Test
    void nonLoginPduDuringLoginIs020B() {
        Pdu nop = Requests.nopOut(5, 0, new byte[0]);
        Pdu rsp = h.exchange(nop);
        assertEquals(Opcode.LOGIN_RESPONSE, rsp.opcode());
        assertEquals(0x020B, rsp.u16(36));
        assertEquals(5, rsp.itt());
        rsp.release();
        assertFalse(h.channel.isOpen());
    }

    @Test
    void transitToTheSameOrAnEarlierStageIs0200() {
        assertFailedAndClosed(0x0200, first(1, 1));
    }

    @Test
    void transitToTheReservedStage2Is0200() {
        assertFailedAndClosed(0x0200, first(0, 2));
    }

    @Test
    void startingInFullFeaturePhaseIs0200() {
        assertFailedAndClosed(0x0200, login(3, 3, false, false, 1, 10, 0, 0, text("InitiatorName", INITIATOR)));
    }

    @Test
    void bothTransitAndContinueIs0200() {
        assertFailedAndClosed(0x0200, login(0, 1, true, true, 1, 10, 0, 0, text("InitiatorName", INITIATOR)));
    }

    @Test
    void wrongCurrentStageIs0200() {
        h.keys(login(0, 0, false, false, 1, 10, 0, 0, text("InitiatorName", INITIATOR, "TargetName", TARGET)));
        assertFailedAndClosed(0x0200, login(1, 3, "MaxBurstLength", "65536"));
    }

    @Test
    void isidChangeDuringLoginIs0200() {
        h.keys(first(0, 1));
        Pdu p = login(1, 3, "MaxBurstLength", "65536");
        p.setU8(13, 0x77);
        assertFailedAndClosed(0x0200, p);
    }

    @Test
    void nonZeroTsihOfAnUnknownSessionIs020A() {
        assertFailedAndClosed(0x020A, login(0, 1, true, false, 1, 10, 0, 0x1234,
                text("InitiatorName", INITIATOR, "TargetName", TARGET)));
    }

    @Test
    void addingAConnectionToALiveSessionIs0208() {
        EmbeddedChannel other = new EmbeddedChannel();
        h.context.sessions().register(new Session(INITIATOR, null, "00023d000001", 0x55, SessionType.NORMAL,
                h.context.targets().get(TARGET), NegotiatedParameters.rfcDefaults(), 0, 1, other));
        assertFailedAndClosed(0x0208, login(0, 1, true, false, 1, 10, 0, 0x55,
                text("InitiatorName", INITIATOR, "TargetName", TARGET)));
        assertTrue(other.isOpen());
        other.finish();
    }

    @Test
    void sessionReinstatementClosesTheOldSession() {
        EmbeddedChannel old = new EmbeddedChannel();
        Session oldSession = new Session(INITIATOR, null, "00023d000001", 0x55, SessionType.NORMAL,
                h.context.targets().get(TARGET), NegotiatedParameters.rfcDefaults(), 0, 1, old);
        h.context.sessions().register(oldSession);
        // What the old session's full-feature handler does once the core has seen its nexus loss.
        old.closeFuture().addListener(f -> h.context.sessions().unregister(oldSession));
        h.keys(first(1, 3));
        h.channel.runPendingTasks();
        assertFalse(old.isOpen(), "old session closed (RFC 7143 6.3.5)");
        Session fresh = h.context.sessions().find(INITIATOR, "00023d000001", TARGET);
        assertEquals(h.successor.session, fresh, "Full Feature Phase entered after the old session was gone");
        assertTrue(fresh.tsih() != 0x55 && fresh.tsih() != 0);
        h.context.sessions().unregister(oldSession);
        assertEquals(fresh, h.context.sessions().find(INITIATOR, "00023d000001", TARGET),
                "a late clean-up of the old session does not remove the new one");
    }

    @Test
    void reinstatementWaitsForTheOldSessionsCleanUp() {
        EmbeddedChannel old = new EmbeddedChannel();
        Session oldSession = new Session(INITIATOR, null, "00023d000001", 0x55, SessionType.NORMAL,
                h.context.targets().get(TARGET), NegotiatedParameters.rfcDefaults(), 0, 1, old);
        h.context.sessions().register(oldSession);
        h.channel.writeInbound(first(1, 3));
        h.channel.runPendingTasks();
        assertNull(h.channel.readOutbound(), "no final Login Response while the old session still holds the nexus");
        assertNull(h.successor);
        h.context.sessions().unregister(oldSession);   // its clean-up finished
        h.channel.runPendingTasks();
        Pdu rsp = h.channel.readOutbound();
        assertNotNull(rsp, "the final Login Response follows the old session's clean-up");
        assertEquals(0, rsp.u16(36));
        rsp.release();
        assertEquals(h.context.sessions().find(INITIATOR, "00023d000001", TARGET), h.successor.session);
    }

    @Test
    void stageStaysWhenTheInitiatorDoesNotTransit() {
        Pdu r1 = h.exchange(login(0, 0, false, false, 1, 10, 7, 0,
                text("InitiatorName", INITIATOR, "TargetName", TARGET)));
        assertEquals(0x00, r1.flags(), "T=0, CSG=0");
        assertEquals(7, r1.u32(24), "first StatSN");
        assertEquals(10, r1.u32(28), "ExpCmdSN");
        assertEquals(10 + 128 - 1, r1.u32(32), "MaxCmdSN");
        r1.release();
        Pdu r2 = h.exchange(login(0, 1, true, false, 1, 10, 8, 0, text("AuthMethod", "None")));
        assertEquals(0x81, r2.flags(), "T=1, CSG=0, NSG=1");
        assertEquals(8, r2.u32(24), "StatSN advances with every Login Response");
        r2.release();
        Pdu r3 = h.exchange(login(1, 3, true, false, 1, 10, 9, 0, text("MaxBurstLength", "65536")));
        assertEquals(0x87, r3.flags());
        assertEquals(9, r3.u32(24));
        r3.release();
        assertEquals(10, h.successor.session.initialStatSn());
    }

    @Test
    void continuedRequestTextIsCollected() {
        byte[] all = text("InitiatorName", INITIATOR, "TargetName", TARGET, "MaxBurstLength", "65536");
        int cut = 30; // in the middle of a key=value pair
        Pdu r1 = h.exchange(login(1, 3, false, true, 1, 10, 0, 0, Arrays.copyOfRange(all, 0, cut)));
        assertEquals(0, r1.u16(36));
        assertEquals(0, r1.dataSegmentLength(), "empty response to a continued request");
        assertEquals(0x04, r1.flags(), "T=0, C=0, CSG=1");
        r1.release();
        Map<String, String> op = h.keys(login(1, 3, true, false, 1, 10, 0, 0,
                Arrays.copyOfRange(all, cut, all.length)));
        assertEquals("65536", op.get("MaxBurstLength"));
        assertEquals(INITIATOR, h.successor.session.initiatorName());
    }

    @Test
    void longResponsesAreContinued() {
        String[] kv = new String[2 * 200];
        for (int i = 0; i < 200; i++) {
            kv[2 * i] = String.format("X-com.example.key-number-%03d-%s", i, "x".repeat(20));
            kv[2 * i + 1] = "v";
        }
        h.keys(first(0, 1));
        Pdu r1 = h.exchange(login(1, 3, true, false, 1, 10, 0, 0, text(kv)));
        assertEquals(0x44, r1.flags(), "C=1, T=0 while the response continues");
        assertEquals(8192, r1.dataSegmentLength());
        StringBuilder all = new StringBuilder(r1.data().toString(StandardCharsets.UTF_8));
        r1.release();
        Pdu r2 = h.exchange(login(1, 3, true, false, 1, 10, 0, 0, new byte[0]));
        assertEquals(0x87, r2.flags(), "last piece transits");
        all.append(r2.data().toString(StandardCharsets.UTF_8));
        r2.release();
        assertTrue(all.toString().contains(kv[2 * 199] + "=NotUnderstood\0"));
        assertTrue(h.successor != null);
    }

    @Test
    void loginTextAbove64KiBFails() {
        byte[] chunk = new byte[8192];
        Arrays.fill(chunk, (byte) 'a');
        for (int i = 0; i < 8; i++) {
            Pdu r = h.exchange(login(1, 3, false, true, 1, 10, 0, 0, chunk));
            assertEquals(0, r.u16(36));
            r.release();
        }
        assertFailedAndClosed(0x0200, login(1, 3, false, true, 1, 10, 0, 0, chunk));
    }

    @Test
    void malformedTextIs0200() {
        assertFailedAndClosed(0x0200, login(1, 3, true, false, 1, 10, 0, 0,
                "InitiatorName\0".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void loginTimeoutClosesTheConnection() {
        h.keys(login(0, 0, false, false, 1, 10, 0, 0, text("InitiatorName", INITIATOR, "TargetName", TARGET)));
        h.channel.advanceTimeBy(29, TimeUnit.SECONDS);
        h.channel.runScheduledPendingTasks();
        assertTrue(h.channel.isOpen());
        h.channel.advanceTimeBy(2, TimeUnit.SECONDS);
        h.channel.runScheduledPendingTasks();
        assertFalse(h.channel.isOpen());
    }

    @Test
    void serverShutdownClosesALoginInProgress() {
        h.channel.pipeline().fireUserEventTriggered(ServerShutdownEvent.INSTANCE);
        assertFalse(h.channel.isOpen());
    }

    @Test
    void pdusAfterTheFinalResponseGoToTheSuccessor() {
        h.channel.writeInbound(first(1, 3), Requests.nopOut(9, 10, new byte[0]));
        Pdu rsp = h.channel.readOutbound();
        rsp.release();
        assertEquals(1, h.successor.received.size());
        assertEquals(Opcode.NOP_OUT, ((Pdu) h.successor.received.get(0)).opcode());
    }

    @Test
    void manySessionsPerInitiatorWithDifferentIsids() {
        h.keys(first(1, 3));
        LoginHarness second = new LoginHarness(h.context);
        Pdu p = first(1, 3);
        p.setU8(13, 0x02); // another ISID
        second.keys(p);
        assertEquals(2, h.context.sessions().size());
        assertTrue(h.channel.isOpen());
        assertFalse(second.channel.finish());
    }
}
