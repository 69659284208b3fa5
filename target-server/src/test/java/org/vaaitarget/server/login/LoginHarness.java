package org.vaaitarget.server.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.vaaitarget.server.codec.FramingState;
import org.vaaitarget.server.pdu.Pdu;
import org.vaaitarget.server.session.Session;
import org.vaaitarget.server.testing.Requests;

/** An EmbeddedChannel with a LoginHandler (no codec: Pdus in, Pdus out) that records the hand-over. */
final class LoginHarness {
    /** Stands in for the full-feature or discovery handler; keeps whatever reaches it. */
    static final class Successor extends ChannelInboundHandlerAdapter {
        final Session session;
        final boolean discovery;
        final List<Object> received = new ArrayList<>();

        Successor(Session session, boolean discovery) {
            this.session = session;
            this.discovery = discovery;
        }

        @Override
        public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
            received.add(msg);
        }
    }

    final ServerContext context;
    final FramingState framing = new FramingState();
    final EmbeddedChannel channel;
    Successor successor;

    LoginHarness(ServerContext context) {
        this.context = context;
        PhaseHandlers phases = new PhaseHandlers() {
            @Override
            public ChannelHandler normal(ServerContext c, Session s) {
                successor = new Successor(s, false);
                return successor;
            }

            @Override
            public ChannelHandler discovery(ServerContext c, Session s) {
                successor = new Successor(s, true);
                return successor;
            }
        };
        channel = new EmbeddedChannel(new LoginHandler(context, framing, phases, Duration.ofSeconds(30)));
    }

    /** Nothing left in the channel; releases what reached the successor. */
    void assertNoLeftovers() {
        org.junit.jupiter.api.Assertions.assertFalse(channel.finish());
        if (successor != null) {
            successor.received.forEach(o -> ((Pdu) o).release());
        }
    }

    /** Sends one request and returns the single response (caller releases it). */
    Pdu exchange(Pdu request) {
        channel.writeInbound(request);
        Pdu rsp = channel.readOutbound();
        assertNotNull(rsp, "no response");
        return rsp;
    }

    /** Sends a request and returns the response keys; the response is checked for success and released. */
    Map<String, String> keys(Pdu request) {
        Pdu rsp = exchange(request);
        try {
            assertEquals(0, rsp.u16(36), () -> "status 0x" + Integer.toHexString(rsp.u16(36)));
            return Requests.pairs(rsp);
        } finally {
            rsp.release();
        }
    }

    /** Sends a request and returns the failure status (class << 8 | detail); the response is released. */
    int status(Pdu request) {
        Pdu rsp = exchange(request);
        int status = rsp.u16(36);
        rsp.release();
        return status;
    }
}
