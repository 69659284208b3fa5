package org.vaaitarget.core.observe;

import org.vaaitarget.core.scsi.ScsiStatus;

/**
 * What the SCSI engine reports about one logical unit as commands complete: the hook for metrics,
 * which the core defines and the server implements (the core carries no metrics library). One instance
 * per (target, LUN), resolved once when the device is built, so an implementation can pre-resolve its
 * counters and record without lookups or allocation.
 *
 * <p>Calls come from any thread (event loops, store threads, lock-releasing threads), often at the rate
 * of the I/O itself: implementations must be thread-safe, non-blocking and cheap. {@link #NONE} does
 * nothing (metrics off).
 */
public interface LunObserver {

    /** Does nothing. */
    LunObserver NONE = new LunObserver() {
    };

    /**
     * A command completed (its result is about to be handed to the transport).
     *
     * @param op            its class
     * @param status        its SCSI status ({@link ScsiStatus#TASK_ABORTED} for an aborted task, which
     *                      gets no response)
     * @param senseKey      the sense key with CHECK CONDITION, else -1
     * @param dataInBytes   Data-In bytes the result carries (GOOD results only, else 0)
     * @param dataOutBytes  Data-Out bytes the command brought (GOOD results only, else 0)
     * @param durationNanos from submission to completion
     */
    default void commandCompleted(CommandOp op, ScsiStatus status, int senseKey, long dataInBytes,
                                  long dataOutBytes, long durationNanos) {
    }

    /** A COMPARE AND WRITE got its range lock after waiting this long (queued behind overlapping commands). */
    default void atsLockWaited(long nanos) {
    }

    /** A COMPARE AND WRITE compared: {@code cause} is null when it matched (and wrote). */
    default void atsCompared(MiscompareCause cause) {
    }

    /** A WRITE SAME wrote (or, with {@code unmap}, deallocated) this many blocks. */
    default void writeSameBlocks(long blocks, boolean unmap) {
    }

    /** UNMAP deallocated this many blocks (one call per merged range). */
    default void unmapBlocks(long blocks) {
    }

    /** EXTENDED COPY wrote this many bytes to this LU (one call per copied chunk). */
    default void xcopyBytes(long bytes) {
    }
}
