package org.vaaitarget.server.discovery;

import org.vaaitarget.server.net.StandardPhases;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.vaaitarget.server.testing.Contexts.INITIATOR;
import static org.vaaitarget.server.testing.Contexts.TARGET;

import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vaaitarget.server.codec.FramingState;
import org.vaaitarget.server.login.AccessControl;
import org.vaaitarget.server.login.AuthConfig;
import org.vaaitarget.server.login.AuthFailureThrottle;
import org.vaaitarget.server.login.InitiatorRule;
import org.vaaitarget.server.login.LoginHandler;
import org.vaaitarget.server.login.TargetAccess;
import org.vaaitarget.server.pdu.Pdu;
import org.vaaitarget.server.session.NegotiatedParameters;
import org.vaaitarget.server.login.ServerContext;
import org.vaaitarget.server.session.Session;
import org.vaaitarget.server.session.SessionType;
import org.vaaitarget.server.testing.Contexts;
import org.vaaitarget.server.testing.Requests;

/** SendTargets lists only the targets the asking initiator may log in to (discovery and normal sessions). */
class SendTargetsFilteringTest {
    private static final String OTHER = "iqn.2026-11.org.example:other";
    private static final String RESTRICTED = TARGET + "-1"; // only OTHER may use it
    private EmbeddedChannel channel;

    @AfterEach
    void noLeftovers() {
        assertFalse(channel.finish());
    }

    private static ServerContext context() {
        ServerContext base = Contexts.withTargets(3, new InetSocketAddress("192.0.2.1", 3260));
        AccessControl access = new AccessControl(AuthConfig.NONE,
                Map.of(RESTRICTED, new TargetAccess(AuthConfig.NONE, List.of(InitiatorRule.named(OTHER)), Map.of())),
                new AuthFailureThrottle());
        return new ServerContext(base.targets(), base.portals(), base.offer(), base.sessions(), access);
    }

    private String sendTargets(String initiator, String value) {
        channel = new EmbeddedChannel(new LoginHandler(context(), new FramingState(), StandardPhases.INSTANCE));
        channel.writeInbound(Requests.login(0, 3, "InitiatorName", initiator, "SessionType", "Discovery",
                "AuthMethod", "None"));
        Pdu rsp = channel.readOutbound();
        assertEquals(0, rsp.u16(36));
        rsp.release();
        channel.writeInbound(Requests.textRequest(2, 0xFFFFFFFF, 10, false, Requests.text("SendTargets", value)));
        Pdu text = channel.readOutbound();
        String answer = text.data().toString(StandardCharsets.UTF_8);
        text.release();
        return answer;
    }

    @Test
    void allListsOnlyTheAllowedTargets() {
        assertEquals("TargetName=" + TARGET + "\0TargetAddress=192.0.2.1:3260,1\0"
                        + "TargetName=" + TARGET + "-2\0TargetAddress=192.0.2.1:3260,1\0",
                sendTargets(INITIATOR, "All"));
    }

    @Test
    void theAllowedInitiatorSeesTheRestrictedTarget() {
        assertEquals(3, sendTargets(OTHER, "All").split("TargetName=").length - 1);
    }

    @Test
    void aDisallowedTargetAskedByNameIsNotReported() {
        assertEquals("", sendTargets(INITIATOR, RESTRICTED));
    }

    @Test
    void normalSessionsAreFilteredToo() {
        channel = new EmbeddedChannel();
        ServerContext context = context();
        NegotiatedParameters params = new org.vaaitarget.server.login.KeyNegotiator(context.offer(), List.of())
                .parameters();
        Session session = new Session(INITIATOR, null, "00023d000001", 1, SessionType.NORMAL,
                context.targets().get(TARGET), params, 0, 1, channel);
        SendTargetsResponder responder = new SendTargetsResponder(context);
        assertEquals(List.of(), responder.respondFor(RESTRICTED, session, null));
        assertEquals(Map.entry("TargetName", TARGET + "-2"), responder.respondFor(TARGET + "-2", session, null).get(0));
        assertEquals(Map.entry("TargetName", TARGET), responder.respondFor("", session, null).get(0));
    }
}
