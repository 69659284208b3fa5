package org.vaaitarget.server.discovery;

import org.vaaitarget.server.pdu.TargetPdus;
import org.vaaitarget.server.pdu.InitiatorPdus;
import org.vaaitarget.server.pdu.Bhs;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.server.codec.RejectedFrame;
import org.vaaitarget.server.session.ShutdownNotice;
import org.vaaitarget.server.session.SessionEnd;
import org.vaaitarget.server.pdu.Opcode;
import org.vaaitarget.server.pdu.Pdu;
import org.vaaitarget.server.pdu.RejectReason;
import org.vaaitarget.server.login.ServerContext;
import org.vaaitarget.server.session.Session;

/**
 * Full Feature Phase of a discovery session (RFC 7143 4.3, Appendix C): Text Requests with
 * SendTargets, NOP-Out pings, Logout. Everything else is rejected. Event-loop only.
 */
public final class DiscoveryHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(DiscoveryHandler.class);

    private final Session session;
    private final SequenceNumbers numbers;
    private final TextExchange text;
    private final SendTargetsResponder sendTargets;
    private ChannelHandlerContext ctx;

    public DiscoveryHandler(ServerContext context, Session session) {
        this.session = session;
        this.numbers = new SequenceNumbers(session.initialStatSn(), session.initialExpCmdSn(),
                context.offer().queueDepth());
        this.sendTargets = new SendTargetsResponder(context);
        this.text = new TextExchange(TextExchange.fullFeatureKeys(
                value -> sendTargets.respondFor(value, session, ctx.channel().localAddress())),
                session.params().maxXmitDataSegmentLength());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof RejectedFrame r) {
            send(numbers.stamp(TargetPdus.reject(r.reason(), r.bhs())));
            return;
        }
        if (!(msg instanceof Pdu pdu)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            numbers.received(pdu);
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
            send(numbers.stamp(o.response()));
        }
    }

    private void onNopOut(Pdu pdu) {
        if (new InitiatorPdus.NopOut(pdu).wantsNoAnswer()) {
            return; // no answer wanted (RFC 7143 11.18)
        }
        int echo = Math.min(pdu.data().readableBytes(), session.params().maxXmitDataSegmentLength());
        // ping data is echoed (RFC 7143 11.19)
        send(numbers.stamp(TargetPdus.nopIn(pdu.lun(), pdu.itt(), Bhs.RESERVED_TAG, pdu.data().readRetainedSlice(echo))));
    }

    private void onLogout(Pdu pdu) {
        if (new InitiatorPdus.LogoutRequest(pdu).reason() == InitiatorPdus.LogoutRequest.REMOVE_FOR_RECOVERY) {
            send(numbers.stamp(TargetPdus.logoutResponse(pdu.itt(), TargetPdus.LOGOUT_RECOVERY_NOT_SUPPORTED, 0, 0)));
            return;
        }
        LOG.debug("{}: discovery session logout", ctx.channel());
        Pdu rsp = TargetPdus.logoutResponse(pdu.itt(), TargetPdus.LOGOUT_SUCCESS, 0, 0);
        ctx.writeAndFlush(numbers.stamp(rsp)).addListener(ChannelFutureListener.CLOSE);
    }

    private void reject(Pdu pdu, RejectReason reason) {
        LOG.debug("{}: reject {} reason {}", ctx.channel(), pdu, reason);
        send(numbers.stamp(TargetPdus.reject(reason, pdu.bhs())));
    }

    private void send(Pdu pdu) {
        ctx.writeAndFlush(pdu).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        ShutdownNotice.closeOrPassOn(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        SessionEnd.closeAfter(ctx, cause, LOG, "discovery session ended", "error in discovery session");
    }
}
