package org.vaaitarget.server.task;

import org.vaaitarget.server.pdu.RejectReason;

import org.vaaitarget.server.discovery.SendTargetsResponder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.vaaitarget.server.pdu.Pdu;
import org.vaaitarget.server.task.FfpConnection.StatSn;

/**
 * Text Request / Text Response in a normal session (RFC 7143 11.10, 11.11), kept minimal:
 * SendTargets is answered with this session's target and its portals (RFC 7143 Appendix C: in a
 * normal session the answer covers the session's target); every other key gets NotUnderstood
 * (RFC 7143 6.2). Requests split with the C bit are gathered (bounded); answers longer than the
 * initiator's MaxRecvDataSegmentLength are split with the C bit and a Target Transfer Tag, the
 * initiator fetching each next part with an empty Text Request carrying that tag (RFC 7143 11.10.4).
 *
 * SendTargets answers come from the same {@link SendTargetsResponder} discovery sessions use.
 */
final class TextExchange {
    private static final int MAX_REQUEST_BYTES = 65536;
    private static final int C = 0x40;

    private final FfpConnection conn;
    private final StringBuilder request = new StringBuilder();
    private byte[] pendingAnswer;
    private int pendingOffset;
    private int pendingTtt = TargetPdus.RESERVED_TAG;

    private final SendTargetsResponder sendTargets;

    TextExchange(FfpConnection conn) {
        this.conn = conn;
        this.sendTargets = new SendTargetsResponder(conn.server);
    }

    /** Handles a Text Request; takes ownership of the PDU. */
    void onRequest(Pdu pdu) {
        try {
            conn.acknowledge(pdu.u32(28));
            int itt = pdu.itt();
            int ttt = pdu.u32(TargetPdus.OFF_TTT);
            if (ttt != TargetPdus.RESERVED_TAG && ttt == pendingTtt) {
                sendNextPart(itt);
                return;
            }
            pendingAnswer = null;            // a new exchange resets an unfinished one (11.10.4)
            pendingTtt = TargetPdus.RESERVED_TAG;
            if (request.length() + pdu.dataSegmentLength() > MAX_REQUEST_BYTES) {
                request.setLength(0);
                conn.reject(RejectReason.PROTOCOL_ERROR, pdu);
                return;
            }
            request.append(pdu.data().toString(StandardCharsets.UTF_8));
            if ((pdu.flags() & C) != 0) {
                // More text follows: answer empty, with a tag for the initiator to continue with.
                pendingTtt = conn.newTtt();
                conn.send(TargetPdus.textResponse(itt, pendingTtt, false, null), StatSn.ADVANCE);
                return;
            }
            String text = request.toString();
            request.setLength(0);
            pendingAnswer = answer(text).getBytes(StandardCharsets.UTF_8);
            pendingOffset = 0;
            sendNextPart(itt);
        } finally {
            pdu.release();
        }
    }

    private void sendNextPart(int itt) {
        byte[] all = pendingAnswer == null ? new byte[0] : pendingAnswer;
        int max = Math.max(512, conn.params.maxXmitDataSegmentLength());
        int len = Math.min(max, all.length - pendingOffset);
        ByteBuf part = Unpooled.wrappedBuffer(all, pendingOffset, len);
        pendingOffset += len;
        boolean more = pendingOffset < all.length;
        pendingTtt = more ? conn.newTtt() : TargetPdus.RESERVED_TAG;
        if (!more) {
            pendingAnswer = null;
        }
        conn.send(TargetPdus.textResponse(itt, pendingTtt, more, part), StatSn.ADVANCE);
    }

    private String answer(String text) {
        StringBuilder out = new StringBuilder();
        for (String pair : text.split("\0")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            if (key.equals("SendTargets")) {
                sendTargets(value, out);
            } else {
                out.append(key).append("=NotUnderstood\0");
            }
        }
        return out.toString();
    }

    private void sendTargets(String value, StringBuilder out) {
        byte[] text = sendTargets.respondTextFor(value, conn.session, conn.ctx.channel().localAddress());
        out.append(new String(text, StandardCharsets.UTF_8));
    }
}
