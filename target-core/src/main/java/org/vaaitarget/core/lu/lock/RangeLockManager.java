package org.vaaitarget.core.lu.lock;

import java.util.concurrent.CompletableFuture;

/**
 * Per-LU manager of LBA-range locks: the one mechanism that makes COMPARE AND WRITE atomic against
 * every other command touching the same blocks, from any session. Overlapping EXCLUSIVE requests, and
 * SHARED against EXCLUSIVE, are granted in arrival order; disjoint ranges never wait for each other.
 * Never blocks the caller.
 */
public interface RangeLockManager {

    /**
     * Requests a lock on [lba, lba + blocks). The future completes (possibly at once, possibly on
     * the thread that releases a conflicting lock) with the held lock.
     *
     * <p>Cancelling the returned future before it completes withdraws the request: it is never
     * granted. If the cancel races with the grant, the lock is released on the caller's behalf.
     *
     * @param blocks at least 1
     */
    CompletableFuture<RangeLock> acquire(long lba, long blocks, LockMode mode);

    /** Number of locks held or waited for (diagnostics and leak tests). */
    int outstanding();
}
