package org.vaaitarget.server.session;

import java.util.HashMap;
import java.util.Map;

/**
 * The session's command window (RFC 7143 3.2.2.1 and 4.2.2.1): ExpCmdSN, MaxCmdSN and the
 * non-immediate commands that arrived ahead of ExpCmdSN.
 *
 * <ul>
 * <li>A non-immediate command whose CmdSN is outside [ExpCmdSN, MaxCmdSN] is silently ignored:
 * RFC 7143 3.2.2.1 "the target MUST silently ignore any non-immediate command outside of this
 * range". (SPDK drops the connection instead; we follow the RFC, the initiator recovers with its
 * command timeout.) A duplicate CmdSN inside the window is ignored the same way.</li>
 * <li>A command with CmdSN ahead of ExpCmdSN is held and delivered when the gap before it closes,
 * strictly in CmdSN order. Held entries are bounded by the window size.</li>
 * <li>MaxCmdSN = ExpCmdSN - 1 + depth - busy, where busy counts delivered SCSI commands that have not
 * completed. Delivering a SCSI command raises ExpCmdSN and busy together, so MaxCmdSN only moves
 * forward (RFC 7143 4.2.2.1 lets the initiator ignore a smaller MaxCmdSN anyway) and at most
 * {@code depth} commands are ever outstanding.</li>
 * </ul>
 * Immediate commands (I bit) are not sequenced and never pass through here. Not thread-safe: used
 * on the connection's event loop only.
 */
public final class CmdSnWindow {

    /** A command waiting for its turn. */
    public interface Held {
        /** Its CmdSN has been reached: process it now. */
        void deliver();

        /** The session is going away: release whatever it holds. */
        void discard();
    }

    /** What happened to an offered non-immediate command. */
    public enum Admission {
        /** CmdSN == ExpCmdSN: delivered at once (and any held successors after it). */
        DELIVERED,
        /** Inside the window but ahead of ExpCmdSN: held until the gap closes. */
        HELD,
        /** Outside the window, or a duplicate of a held CmdSN: not taken; the caller discards it. */
        IGNORED
    }

    private static final Held PLUG = new Held() {
        @Override
        public void deliver() {
        }

        @Override
        public void discard() {
        }
    };

    private final int depth;
    private final Map<Integer, Held> held = new HashMap<>();
    private int expCmdSn;
    private int busy;
    private boolean draining;

    /**
     * @param initialExpCmdSn the first ExpCmdSN (CmdSN of the final Login Request)
     * @param depth           commands per session; at least 1
     */
    public CmdSnWindow(int initialExpCmdSn, int depth) {
        if (depth < 1) {
            throw new IllegalArgumentException("depth " + depth);
        }
        this.expCmdSn = initialExpCmdSn;
        this.depth = depth;
    }

    public int expCmdSn() {
        return expCmdSn;
    }

    public int maxCmdSn() {
        return expCmdSn - 1 + depth - busy;
    }

    /** Delivered SCSI commands that have not completed. */
    public int busy() {
        return busy;
    }

    public int heldCount() {
        return held.size();
    }

    /** Whether {@link #offer} would take this CmdSN (inside the window and not already held). */
    public boolean accepts(int cmdSn) {
        return SerialNumbers.inWindow(cmdSn, expCmdSn, maxCmdSn()) && !held.containsKey(cmdSn);
    }

    /**
     * Offers a non-immediate command. When it is delivered, ExpCmdSN already counts it (so responses
     * built inside {@link Held#deliver()} carry the new ExpCmdSN).
     */
    public Admission offer(int cmdSn, Held command) {
        if (!SerialNumbers.inWindow(cmdSn, expCmdSn, maxCmdSn())) {
            return Admission.IGNORED;
        }
        if (cmdSn != expCmdSn) {
            return held.putIfAbsent(cmdSn, command) == null ? Admission.HELD : Admission.IGNORED;
        }
        expCmdSn++;
        command.deliver();
        drain();
        return Admission.DELIVERED;
    }

    private void drain() {
        if (draining) {
            return;                 // an outer drain loop picks up the rest
        }
        draining = true;
        try {
            Held next;
            while ((next = held.remove(expCmdSn)) != null) {
                expCmdSn++;
                next.deliver();
            }
        } finally {
            draining = false;
        }
    }

    /**
     * For a connection that answers every request at once and holds none (a discovery session): a
     * non-immediate request carrying ExpCmdSN advances it (RFC 7143 4.2.2.1); any other CmdSN changes nothing.
     */
    public void answeredInline(int cmdSn) {
        if (cmdSn == expCmdSn) {
            expCmdSn++;
        }
    }

    /**
     * Treats a CmdSN as received without a command (RFC 7143 11.5.1: ABORT TASK for a task that never
     * arrived, with RefCmdSN inside the window, "plugs" the gap). Outside the window: no effect.
     */
    public void plug(int cmdSn) {
        offer(cmdSn, PLUG);
    }

    /** A delivered SCSI command starts to occupy a slot. */
    public void commandStarted() {
        busy++;
    }

    /** A delivered SCSI command completed (or was aborted): its slot opens, MaxCmdSN moves on. */
    public void commandFinished() {
        if (busy > 0) {
            busy--;
        }
    }

    /** Discards every held command (connection loss). */
    public void discardAll() {
        for (Held h : held.values()) {
            h.discard();
        }
        held.clear();
    }
}
