package org.vaaitarget.server.discovery;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntSupplier;
import org.vaaitarget.server.login.ChunkedText;
import org.vaaitarget.server.login.TextAccumulator;
import org.vaaitarget.server.login.TextKeyValues;
import org.vaaitarget.server.login.TextKeys;
import org.vaaitarget.server.pdu.Bhs;
import org.vaaitarget.server.pdu.InitiatorPdus;
import org.vaaitarget.server.pdu.Pdu;
import org.vaaitarget.server.pdu.RejectReason;
import org.vaaitarget.server.pdu.TargetPdus;

/**
 * The Text Request / Text Response exchange of one connection (RFC 7143 11.10, 11.11), the same for
 * discovery and normal sessions, including continuation both ways: a request spread over PDUs with the C
 * bit is collected (bounded by {@link TextAccumulator}; we answer each piece with an empty response carrying
 * a Target Transfer Tag), and a long answer is sent in pieces of at most the initiator's
 * MaxRecvDataSegmentLength with the C bit and a TTT the initiator echoes to ask for the next piece. A new
 * request ends an unfinished answer (11.10.4); a TTT we did not hand out is an invalid PDU field. Sequence
 * numbers are left to the caller. Event-loop only.
 */
public final class TextExchange {
    /** Computes the answer to the keys of one complete Text Request. */
    public interface Answerer {
        List<Map.Entry<String, String>> answer(List<Map.Entry<String, String>> request);
    }

    /** Either a Text Response to send (owned by the caller) or the reason to reject the request. */
    public record Outcome(Pdu response, RejectReason reject) {
    }

    private final Answerer answerer;
    private final int maxXmit;
    private final IntSupplier newTtt;
    private final TextAccumulator request = new TextAccumulator();
    private int requestTtt = Bhs.RESERVED_TAG;  // TTT handed out while collecting a continued request
    private ChunkedText pending;                // the rest of an answer
    private int pendingItt;
    private int pendingTtt = Bhs.RESERVED_TAG;

    /**
     * @param answerer the key logic
     * @param maxXmitDataSegmentLength the initiator's MaxRecvDataSegmentLength
     * @param newTtt   a source of fresh Target Transfer Tags (never the reserved value)
     */
    public TextExchange(Answerer answerer, int maxXmitDataSegmentLength, IntSupplier newTtt) {
        this.answerer = answerer;
        this.maxXmit = maxXmitDataSegmentLength;
        this.newTtt = newTtt;
    }

    /** With its own Target Transfer Tags, 1, 2, ... (a discovery connection hands out no others). */
    public TextExchange(Answerer answerer, int maxXmitDataSegmentLength) {
        this(answerer, maxXmitDataSegmentLength, new IntSupplier() {
            private int next = 1;

            @Override
            public int getAsInt() {
                int t = next++;
                if (next == Bhs.RESERVED_TAG) {
                    next = 1;
                }
                return t;
            }
        });
    }

    /**
     * The answer of a session in Full Feature Phase, discovery or normal: {@code sendTargets} answers
     * SendTargets; we renegotiate nothing after login, so another key we know is answered Reject, any other
     * NotUnderstood (RFC 7143 6.2).
     */
    public static Answerer fullFeatureKeys(Function<String, List<Map.Entry<String, String>>> sendTargets) {
        return request -> {
            List<Map.Entry<String, String>> out = new ArrayList<>();
            for (Map.Entry<String, String> kv : request) {
                if (kv.getKey().equals(TextKeys.SEND_TARGETS)) {
                    out.addAll(sendTargets.apply(kv.getValue()));
                } else {
                    out.add(Map.entry(kv.getKey(), TextKeys.get(kv.getKey()) == null ? "NotUnderstood" : "Reject"));
                }
            }
            return out;
        };
    }

    /** Handles one Text Request; the request is not released here. */
    public Outcome onRequest(Pdu pdu) {
        InitiatorPdus.TextRequest req = new InitiatorPdus.TextRequest(pdu);
        int ttt = req.ttt();
        if (pending != null && ttt == pendingTtt && req.itt() == pendingItt && ttt != Bhs.RESERVED_TAG) {
            return new Outcome(nextPiece(pdu), null);
        }
        boolean collecting = requestTtt != Bhs.RESERVED_TAG;
        if (ttt != Bhs.RESERVED_TAG && !(collecting && ttt == requestTtt)) {
            reset();
            return new Outcome(null, RejectReason.INVALID_PDU_FIELD); // an unknown TTT
        }
        pending = null; // a new request ends an unfinished answer (RFC 7143 11.10.4)
        if (!request.append(pdu.data())) {
            reset();
            return new Outcome(null, RejectReason.PROTOCOL_ERROR);
        }
        if (req.continues()) {
            requestTtt = newTtt.getAsInt();
            return new Outcome(TargetPdus.textResponse(req.itt(), 0, requestTtt, pdu.lun(), null), null);
        }
        requestTtt = Bhs.RESERVED_TAG;
        List<Map.Entry<String, String>> pairs;
        try {
            pairs = TextKeyValues.parse(request.drain());
        } catch (TextKeyValues.MalformedTextException e) {
            return new Outcome(null, RejectReason.PROTOCOL_ERROR);
        }
        pending = new ChunkedText(TextKeyValues.encode(answerer.answer(pairs)), maxXmit);
        pendingItt = req.itt();
        pendingTtt = newTtt.getAsInt();
        return new Outcome(nextPiece(pdu), null);
    }

    private Pdu nextPiece(Pdu req) {
        var text = pending.next();
        if (pending.hasMore()) {
            return TargetPdus.textResponse(req.itt(), Bhs.C_BIT, pendingTtt, req.lun(), text);
        }
        pending = null;
        pendingTtt = Bhs.RESERVED_TAG;
        return TargetPdus.textResponse(req.itt(), Bhs.F_BIT, Bhs.RESERVED_TAG, req.lun(), text);
    }

    private void reset() {
        pending = null;
        pendingTtt = Bhs.RESERVED_TAG;
        requestTtt = Bhs.RESERVED_TAG;
        request.drain();
    }
}
