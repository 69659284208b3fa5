package org.vaaitarget.core.lu.lock;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Per-LU manager of LBA-range locks: the one mechanism that makes COMPARE AND WRITE atomic against
 * every other command touching the same blocks, from any session. Overlapping EXCLUSIVE requests, and
 * SHARED against EXCLUSIVE, are granted in arrival order; disjoint ranges never wait for each other.
 * Never blocks the caller.
 *
 * <p><b>The one rule for commands that lock several ranges</b> (UNMAP with several descriptors, EXTENDED
 * COPY's source and destination): on each LU, all the ranges a command needs there are ONE request
 * ({@link #acquireAll}), never several requests in a row; across LUs, one such request per LU in
 * ascending LUN order, each made once the previous one is granted. Why no cycle of waits can form: a
 * request waits only for requests that arrived before it on its own LU, and a command holding a granted
 * request on one LU waits only on a higher LUN. Several requests in a row on one LU deadlock under grants
 * in arrival order: a command holding L and queueing for H waits behind any request that arrived in
 * between and covers H, and that request (UNMAP of L and H, or one WRITE SAME spanning both) waits for L.
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

    /**
     * Requests all {@code ranges} (possibly overlapping each other, with different modes) as one request:
     * it takes one place in the arrival order, is granted when no earlier conflicting request is left on
     * any of its ranges, and then holds them all until the returned lock is closed (which releases them
     * all). Cancelling the future works as for {@link #acquire}. The returned lock's {@code lba},
     * {@code blocks} and {@code mode} describe the first range.
     *
     * @param ranges at least one
     */
    CompletableFuture<RangeLock> acquireAll(List<LockRange> ranges);

    /** Number of locks held or waited for (diagnostics and leak tests). */
    int outstanding();
}
