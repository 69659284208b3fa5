package org.vaaitarget.server.discovery;

import java.util.List;
import java.util.Map;
import org.vaaitarget.server.login.ChunkedText;
import org.vaaitarget.server.login.TextAccumulator;
import org.vaaitarget.server.login.TextKeyValues;
import org.vaaitarget.server.pdu.Opcode;
import org.vaaitarget.server.pdu.Pdu;
import org.vaaitarget.server.pdu.RejectReason;

/**
 * The Text Request / Text Response exchange of one connection (RFC 7143 11.10, 11.11), including
 * continuation both ways: a request spread over PDUs with the C bit is collected (we answer each
 * piece with an empty response carrying a Target Transfer Tag), and a long answer is sent in pieces
 * of at most the initiator's MaxRecvDataSegmentLength with the C bit and a TTT the initiator echoes
 * to ask for the next piece. Sequence numbers are left to the caller. Event-loop only.
 */
public final class TextExchange {
    static final int TTT = 20;
    static final int F_BIT = 0x80;
    static final int C_BIT = 0x40;
    static final int NO_TTT = 0xFFFFFFFF;

    /** Computes the answer to the keys of one complete Text Request. */
    public interface Answerer {
        List<Map.Entry<String, String>> answer(List<Map.Entry<String, String>> request);
    }

    /** Either a Text Response to send (owned by the caller) or the reason to reject the request. */
    public record Outcome(Pdu response, RejectReason reject) {
    }

    private final Answerer answerer;
    private final int maxXmit;
    private final TextAccumulator request = new TextAccumulator();
    private int nextTtt = 1;
    private int requestTtt = NO_TTT;  // TTT handed out while collecting a continued request
    private ChunkedText pending;      // the rest of an answer
    private int pendingItt;
    private int pendingTtt = NO_TTT;

    /**
     * @param answerer the key logic
     * @param maxXmitDataSegmentLength the initiator's MaxRecvDataSegmentLength
     */
    public TextExchange(Answerer answerer, int maxXmitDataSegmentLength) {
        this.answerer = answerer;
        this.maxXmit = maxXmitDataSegmentLength;
    }

    /** Handles one Text Request; the request is not released here. */
    public Outcome onRequest(Pdu req) {
        int ttt = req.u32(TTT);
        if (pending != null && ttt == pendingTtt && req.itt() == pendingItt && ttt != NO_TTT) {
            return new Outcome(nextPiece(req), null);
        }
        boolean collecting = requestTtt != NO_TTT;
        if (ttt != NO_TTT && !(collecting && ttt == requestTtt)) {
            reset();
            return new Outcome(null, RejectReason.INVALID_PDU_FIELD); // an unknown TTT
        }
        pending = null; // a new request ends an unfinished answer (RFC 7143 11.10.4)
        if (!request.append(req.data())) {
            reset();
            return new Outcome(null, RejectReason.PROTOCOL_ERROR);
        }
        if ((req.flags() & C_BIT) != 0) {
            requestTtt = newTtt();
            return new Outcome(response(req, 0, requestTtt, null), null);
        }
        requestTtt = NO_TTT;
        List<Map.Entry<String, String>> pairs;
        try {
            pairs = TextKeyValues.parse(request.drain());
        } catch (TextKeyValues.MalformedTextException e) {
            return new Outcome(null, RejectReason.PROTOCOL_ERROR);
        }
        pending = new ChunkedText(TextKeyValues.encode(answerer.answer(pairs)), maxXmit);
        pendingItt = req.itt();
        pendingTtt = newTtt();
        return new Outcome(nextPiece(req), null);
    }

    private Pdu nextPiece(Pdu req) {
        var text = pending.next();
        if (pending.hasMore()) {
            return response(req, C_BIT, pendingTtt, text);
        }
        pending = null;
        pendingTtt = NO_TTT;
        return response(req, F_BIT, NO_TTT, text);
    }

    private void reset() {
        pending = null;
        pendingTtt = NO_TTT;
        requestTtt = NO_TTT;
        request.drain();
    }

    private int newTtt() {
        int t = nextTtt++;
        if (nextTtt == NO_TTT) {
            nextTtt = 1;
        }
        return t;
    }

    private static Pdu response(Pdu req, int flags, int ttt, io.netty.buffer.ByteBuf text) {
        Pdu p = Pdu.create(Opcode.TEXT_RESPONSE).setFlags(flags).setItt(req.itt()).setU32(TTT, ttt);
        if (ttt != NO_TTT) {
            p.setLun(req.lun()); // RFC 7143 11.11: with a TTT, the LUN of the request is copied
        }
        if (text != null) {
            p.setData(text);
        }
        return p;
    }
}
