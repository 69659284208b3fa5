package org.vaaitarget.server.discovery;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.server.codec.RejectedFrame;
import org.vaaitarget.server.login.TextKeys;
import org.vaaitarget.server.net.ServerShutdownEvent;
import org.vaaitarget.server.session.SessionEnd;
import org.vaaitarget.server.pdu.Opcode;
import org.vaaitarget.server.pdu.Pdu;
import org.vaaitarget.server.pdu.RejectReason;
import org.vaaitarget.server.pdu.Rejects;
import org.vaaitarget.server.session.ServerContext;
import org.vaaitarget.server.session.Session;

/**
 * Full Feature Phase of a discovery session (RFC 7143 4.3, Appendix C): Text Requests with
 * SendTargets, NOP-Out pings, Logout. Everything else is rejected. Event-loop only.
 */
public final class DiscoveryHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(DiscoveryHandler.class);
    private static final int NO_TAG = 0xFFFFFFFF;
    private static final int NOP_TTT = 20;
    private static final int LOGOUT_RESPONSE = 2;
    /** Logout response 2: "connection recovery is not supported" (RFC 7143 11.15.1; we run ERL 0). */
    private static final int RECOVERY_NOT_SUPPORTED = 2;
    private static final int REMOVE_FOR_RECOVERY = 2;

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
        this.text = new TextExchange(this::answer, session.params().maxXmitDataSegmentLength());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof RejectedFrame r) {
            send(Rejects.reject(r.reason(), r.bhs(), numbers.takeStatSn(), numbers.expCmdSn(), numbers.maxCmdSn()));
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

    private List<Map.Entry<String, String>> answer(List<Map.Entry<String, String>> request) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (Map.Entry<String, String> kv : request) {
            if (kv.getKey().equals(TextKeys.SEND_TARGETS)) {
                out.addAll(sendTargets.respondFor(kv.getValue(), session, ctx.channel().localAddress()));
            } else {
                // we renegotiate nothing in Full Feature Phase
                out.add(Map.entry(kv.getKey(), TextKeys.get(kv.getKey()) == null ? "NotUnderstood" : "Reject"));
            }
        }
        return out;
    }

    private void onNopOut(Pdu pdu) {
        if (pdu.itt() == NO_TAG) {
            return; // no answer wanted (RFC 7143 11.18)
        }
        Pdu in = Pdu.create(Opcode.NOP_IN).setFlags(0x80).setLun(pdu.lun()).setItt(pdu.itt()).setU32(NOP_TTT, NO_TAG);
        int echo = Math.min(pdu.data().readableBytes(), session.params().maxXmitDataSegmentLength());
        in.setData(pdu.data().readRetainedSlice(echo)); // ping data is echoed (RFC 7143 11.19)
        send(numbers.stamp(in));
    }

    private void onLogout(Pdu pdu) {
        int reason = pdu.flags() & 0x7F;
        Pdu rsp = Pdu.create(Opcode.LOGOUT_RESPONSE).setFlags(0x80).setItt(pdu.itt());
        if (reason == REMOVE_FOR_RECOVERY) {
            rsp.setU8(LOGOUT_RESPONSE, RECOVERY_NOT_SUPPORTED);
            send(numbers.stamp(rsp));
            return;
        }
        LOG.debug("{}: discovery session logout", ctx.channel());
        ctx.writeAndFlush(numbers.stamp(rsp)).addListener(ChannelFutureListener.CLOSE);
    }

    private void reject(Pdu pdu, RejectReason reason) {
        LOG.debug("{}: reject {} reason {}", ctx.channel(), pdu, reason);
        send(Rejects.reject(reason, pdu.bhs(), numbers.takeStatSn(), numbers.expCmdSn(), numbers.maxCmdSn()));
    }

    private void send(Pdu pdu) {
        ctx.writeAndFlush(pdu).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ServerShutdownEvent.INSTANCE) {
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        SessionEnd peer = SessionEnd.ofPeerError(cause);
        if (peer != null) {
            LOG.info("{}: discovery session ended: {}", ctx.channel(), peer.detail());
            ctx.close();
            return;
        }
        LOG.warn("{}: error in discovery session; closing", ctx.channel(), cause);
        ctx.close();
    }
}
