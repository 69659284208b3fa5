package org.vaaitarget.server.discovery;

import org.vaaitarget.server.session.ConnectionState;
import org.vaaitarget.server.session.Connection.StatSn;
import org.vaaitarget.server.session.Connection;
import org.vaaitarget.server.pdu.TargetPdus;
import org.vaaitarget.server.pdu.InitiatorPdus;
import org.vaaitarget.server.pdu.Bhs;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.server.codec.RejectedFrame;
import org.vaaitarget.server.session.ClosingHandler;
import org.vaaitarget.server.pdu.Opcode;
import org.vaaitarget.server.pdu.Pdu;
import org.vaaitarget.server.pdu.RejectReason;
import org.vaaitarget.server.login.ServerContext;
import org.vaaitarget.server.session.Session;

/**
 * Full Feature Phase of a discovery session (RFC 7143 4.3, Appendix C): the {@link Connection} engine of
 * normal sessions restricted to Text Requests with SendTargets, NOP-Out pings and Logout; everything else is
 * rejected. Requests are answered as they come (none is held for its CmdSN turn). Event-loop only.
 */
public final class DiscoveryHandler extends ClosingHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DiscoveryHandler.class);

    private final Session session;
    private final ServerContext context;
    private Connection conn;
    private final TextExchange text;
    private final SendTargetsResponder sendTargets;

    public DiscoveryHandler(ServerContext context, Session session) {
        super(LOG, "discovery session ended", "error in discovery session");
        this.session = session;
        this.context = context;
        this.sendTargets = new SendTargetsResponder(context);
        this.text = new TextExchange(TextExchange.fullFeatureKeys(
                value -> sendTargets.respondFor(value, session, conn.ctx.channel().localAddress())),
                session.params().maxXmitDataSegmentLength());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        conn = new Connection(ctx, session.initialStatSn(), session.initialExpCmdSn(), context.offer().queueDepth(),
                ctx.channel());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (!conn.closed()) {
            conn.moveTo(ConnectionState.CLOSED);
        }
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof RejectedFrame r) {
            conn.reject(r.reason(), r.bhs());
            return;
        }
        if (!(msg instanceof Pdu pdu)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            if (!pdu.immediate()) {
                conn.window.answeredInline(new InitiatorPdus.AnyRequest(pdu).cmdSn());
            }
            Opcode op = pdu.opcode();
            if (op == Opcode.TEXT_REQUEST) {
                onText(pdu);
            } else if (op == Opcode.NOP_OUT) {
                onNopOut(pdu);
            } else if (op == Opcode.LOGOUT_REQUEST) {
                onLogout(pdu);
            } else {
                // discovery sessions carry only Text, NOP and Logout (RFC 7143 4.3)
                reject(pdu, op == Opcode.LOGIN_REQUEST ? RejectReason.PROTOCOL_ERROR
                        : RejectReason.COMMAND_NOT_SUPPORTED);
            }
        } finally {
            pdu.release();
        }
    }

    private void onText(Pdu pdu) {
        TextExchange.Outcome o = text.onRequest(pdu);
        if (o.reject() != null) {
            reject(pdu, o.reject());
        } else {
            conn.send(o.response(), StatSn.ADVANCE);
        }
    }

    private void onNopOut(Pdu pdu) {
        if (new InitiatorPdus.NopOut(pdu).wantsNoAnswer()) {
            return; // no answer wanted (RFC 7143 11.18)
        }
        int echo = Math.min(pdu.data().readableBytes(), session.params().maxXmitDataSegmentLength());
        // ping data is echoed (RFC 7143 11.19)
        conn.send(TargetPdus.nopIn(pdu.lun(), pdu.itt(), Bhs.RESERVED_TAG, pdu.data().readRetainedSlice(echo)),
                StatSn.ADVANCE);
    }

    private void onLogout(Pdu pdu) {
        if (new InitiatorPdus.LogoutRequest(pdu).reason() == InitiatorPdus.LogoutRequest.REMOVE_FOR_RECOVERY) {
            conn.send(TargetPdus.logoutResponse(pdu.itt(), TargetPdus.LOGOUT_RECOVERY_NOT_SUPPORTED, 0, 0),
                    StatSn.ADVANCE);
            return;
        }
        LOG.debug("{}: discovery session logout", conn.ctx.channel());
        // No tasks to wait for: the Logout Response goes out at once, then the connection closes.
        conn.moveTo(ConnectionState.LOGOUT_PENDING);
        conn.moveTo(ConnectionState.LOGGED_OUT);
        conn.sendThenClose(TargetPdus.logoutResponse(pdu.itt(), TargetPdus.LOGOUT_SUCCESS, 0, 0));
    }

    private void reject(Pdu pdu, RejectReason reason) {
        conn.reject(reason, pdu);
    }
}
