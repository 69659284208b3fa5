package org.vaaitarget.server.discovery;

import org.vaaitarget.server.pdu.TargetPdus;
import org.vaaitarget.server.pdu.InitiatorPdus;
import org.vaaitarget.server.pdu.Pdu;

/**
 * StatSN and the CmdSN window of a connection with no queued commands (discovery sessions): every
 * non-immediate request advances ExpCmdSN when it is the expected one (RFC 7143 4.2.2.1); every
 * response takes the next StatSN. Event-loop only.
 */
public final class SequenceNumbers {

    private final int window;
    private int statSn;
    private int expCmdSn;

    public SequenceNumbers(int statSn, int expCmdSn, int window) {
        this.statSn = statSn;
        this.expCmdSn = expCmdSn;
        this.window = Math.max(1, window);
    }

    /** Accounts for a received request. */
    public void received(Pdu request) {
        if (!request.immediate() && new InitiatorPdus.AnyRequest(request).cmdSn() == expCmdSn) {
            expCmdSn++;
        }
    }

    /** Fills StatSN (then advanced), ExpCmdSN and MaxCmdSN of a response; returns it. */
    public Pdu stamp(Pdu response) {
        return TargetPdus.stamp(response, statSn++, expCmdSn, maxCmdSn());
    }

    /** The StatSN for a response built elsewhere (e.g. a Reject, RFC 7143 11.17.3); then advanced. */
    public int takeStatSn() {
        return statSn++;
    }

    public int statSn() {
        return statSn;
    }

    public int expCmdSn() {
        return expCmdSn;
    }

    public int maxCmdSn() {
        return expCmdSn + window - 1;
    }
}
