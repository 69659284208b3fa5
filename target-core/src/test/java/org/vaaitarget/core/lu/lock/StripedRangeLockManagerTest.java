package org.vaaitarget.core.lu.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vaaitarget.core.lu.lock.LockMode.EXCLUSIVE;
import static org.vaaitarget.core.lu.lock.LockMode.SHARED;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class StripedRangeLockManagerTest {
    /** Small stripes so that short ranges already span several of them. */
    private final StripedRangeLockManager locks = new StripedRangeLockManager(4, 8);

    @Test
    void overlappingExclusiveWaitsUntilRelease() {
        RangeLock a = locks.acquire(0, 10, EXCLUSIVE).join();
        CompletableFuture<RangeLock> b = locks.acquire(5, 10, EXCLUSIVE);
        assertFalse(b.isDone());
        assertEquals(2, locks.outstanding());
        a.close();
        assertTrue(b.isDone());
        b.join().close();
        assertEquals(0, locks.outstanding());
    }

    @Test
    void disjointRangesProceed() {
        RangeLock a = locks.acquire(0, 10, EXCLUSIVE).join();
        CompletableFuture<RangeLock> b = locks.acquire(10, 10, EXCLUSIVE);
        // Same stripe (region 4 maps to stripe 0 like region 0) but no overlap.
        CompletableFuture<RangeLock> c = locks.acquire(32, 1, EXCLUSIVE);
        assertTrue(b.isDone());
        assertTrue(c.isDone());
        a.close();
        b.join().close();
        c.join().close();
        assertEquals(0, locks.outstanding());
    }

    @Test
    void sharedAndSharedProceed() {
        RangeLock a = locks.acquire(0, 10, SHARED).join();
        CompletableFuture<RangeLock> b = locks.acquire(0, 10, SHARED);
        assertTrue(b.isDone());
        CompletableFuture<RangeLock> w = locks.acquire(9, 1, EXCLUSIVE);
        assertFalse(w.isDone());
        a.close();
        assertFalse(w.isDone(), "one reader still holds block 9");
        b.join().close();
        assertTrue(w.isDone());
        w.join().close();
    }

    @Test
    void writerIsNotStarvedByLaterReaders() {
        RangeLock r1 = locks.acquire(0, 4, SHARED).join();
        CompletableFuture<RangeLock> w = locks.acquire(0, 4, EXCLUSIVE);
        CompletableFuture<RangeLock> r2 = locks.acquire(2, 1, SHARED);
        assertFalse(w.isDone());
        assertFalse(r2.isDone(), "a reader arriving after a waiting writer queues behind it");
        r1.close();
        assertTrue(w.isDone());
        assertFalse(r2.isDone());
        w.join().close();
        assertTrue(r2.isDone());
        r2.join().close();
        assertEquals(0, locks.outstanding());
    }

    @Test
    void rangeSpanningStripesConflictsInEachAndReleasesAll() {
        RangeLock span = locks.acquire(6, 20, EXCLUSIVE).join();       // regions 0..3: every stripe
        CompletableFuture<RangeLock> first = locks.acquire(6, 1, SHARED);
        CompletableFuture<RangeLock> last = locks.acquire(25, 1, EXCLUSIVE);
        CompletableFuture<RangeLock> after = locks.acquire(26, 1, EXCLUSIVE);
        assertFalse(first.isDone());
        assertFalse(last.isDone());
        assertTrue(after.isDone());
        span.close();
        assertTrue(first.isDone());
        assertTrue(last.isDone());
        first.join().close();
        last.join().close();
        after.join().close();
        assertEquals(0, locks.outstanding());
    }

    @Test
    void crossingSpanningRequestsAreGrantedInArrivalOrder() {
        // x covers stripes 0,1; y covers 1,2; z covers 0..2. Granting in arrival order cannot deadlock.
        RangeLock hold = locks.acquire(0, 24, EXCLUSIVE).join();
        CompletableFuture<RangeLock> x = locks.acquire(0, 16, EXCLUSIVE);
        CompletableFuture<RangeLock> y = locks.acquire(8, 16, EXCLUSIVE);
        CompletableFuture<RangeLock> z = locks.acquire(4, 16, EXCLUSIVE);
        hold.close();
        assertTrue(x.isDone());
        assertFalse(y.isDone());
        x.join().close();
        assertTrue(y.isDone());
        assertFalse(z.isDone());
        y.join().close();
        assertTrue(z.isDone());
        z.join().close();
        assertEquals(0, locks.outstanding());
    }

    @Test
    void cancellingAWaiterWithdrawsItAndUnblocksThoseBehindIt() {
        RangeLock reader = locks.acquire(0, 4, SHARED).join();
        CompletableFuture<RangeLock> writer = locks.acquire(0, 4, EXCLUSIVE);
        CompletableFuture<RangeLock> reader2 = locks.acquire(0, 4, SHARED);
        assertFalse(reader2.isDone());
        assertTrue(writer.cancel(false));
        assertTrue(reader2.isDone(), "with the writer gone the second reader shares with the first");
        assertEquals(2, locks.outstanding());
        reader.close();
        reader2.join().close();
        assertTrue(writer.isCancelled());
        assertEquals(0, locks.outstanding());
        // The withdrawn request never holds the range.
        assertTrue(locks.acquire(0, 4, EXCLUSIVE).join() != null);
    }

    @Test
    void cancelAfterGrantDoesNothingAndCloseIsIdempotent() {
        CompletableFuture<RangeLock> f = locks.acquire(0, 1, EXCLUSIVE);
        assertFalse(f.cancel(false));
        RangeLock l = f.join();
        l.close();
        l.close();
        assertEquals(0, locks.outstanding());
    }

    @Test
    void severalRangesAreOneRequestGrantedAndReleasedTogether() {
        RangeLock low = locks.acquire(0, 4, EXCLUSIVE).join();
        CompletableFuture<RangeLock> both = locks.acquireAll(List.of(new LockRange(0, 4, EXCLUSIVE),
                new LockRange(100, 4, SHARED), new LockRange(102, 1, EXCLUSIVE))); // its own ranges never conflict
        assertFalse(both.isDone(), "waits for the low range");
        // A later request on the high range queues behind the whole request, not beside it.
        CompletableFuture<RangeLock> high = locks.acquire(101, 1, EXCLUSIVE);
        assertFalse(high.isDone());
        // A later reader of the high range too: the request holds none of its ranges while it waits,
        // but it arrived first and wants one of them EXCLUSIVE.
        CompletableFuture<RangeLock> reader = locks.acquire(102, 1, SHARED);
        assertFalse(reader.isDone());
        assertEquals(4, locks.outstanding());
        low.close();
        assertTrue(both.isDone());
        assertFalse(high.isDone());
        both.join().close();
        assertTrue(high.isDone());
        high.join().close();
        assertTrue(reader.isDone());
        reader.join().close();
        assertEquals(0, locks.outstanding());
    }

    @Test
    void cancellingAWaitingMultiRangeRequestFreesEveryRange() {
        RangeLock low = locks.acquire(0, 4, EXCLUSIVE).join();
        CompletableFuture<RangeLock> both = locks.acquireAll(List.of(new LockRange(0, 4, EXCLUSIVE),
                new LockRange(100, 4, EXCLUSIVE)));
        CompletableFuture<RangeLock> high = locks.acquire(100, 1, EXCLUSIVE);
        assertFalse(high.isDone());
        both.cancel(false);
        assertTrue(high.isDone(), "the withdrawn request no longer holds up the high range");
        high.join().close();
        low.close();
        assertEquals(0, locks.outstanding());
    }

    @Test
    void badRangesAreRefused() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> locks.acquire(0, 0, SHARED));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> locks.acquire(-1, 1, SHARED));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> locks.acquire(Long.MAX_VALUE, 2, SHARED));
    }

    /**
     * Many threads take random ranges in random modes and sometimes cancel at once (racing the grant).
     * Per-block counters prove mutual exclusion; at the end nothing is outstanding.
     */
    @Test
    @Timeout(120) // hang guard only: a deadlock would otherwise block the build forever
    void stressMutualExclusionWithCancellation() throws Exception {
        int blocks = 64;
        int threads = 8;
        int rounds = 3000;
        AtomicIntegerArray writers = new AtomicIntegerArray(blocks);
        AtomicIntegerArray readers = new AtomicIntegerArray(blocks);
        AtomicInteger violations = new AtomicInteger();
        AtomicInteger granted = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long seed = t;
            futures.add(pool.submit(() -> {
                SplittableRandom rnd = new SplittableRandom(seed);
                go.await();
                for (int i = 0; i < rounds; i++) {
                    long lba = rnd.nextInt(blocks);
                    long n = 1 + rnd.nextInt((int) Math.min(24, blocks - lba));
                    LockMode mode = rnd.nextInt(3) == 0 ? SHARED : EXCLUSIVE;
                    CompletableFuture<RangeLock> f = locks.acquire(lba, n, mode);
                    if (rnd.nextInt(8) == 0 && f.cancel(false)) {
                        continue;
                    }
                    RangeLock l;
                    try {
                        l = f.join();
                    } catch (CancellationException e) {
                        continue;
                    }
                    granted.incrementAndGet();
                    for (long b = lba; b < lba + n; b++) {
                        int w = mode == EXCLUSIVE ? writers.incrementAndGet((int) b) : writers.get((int) b);
                        int r = mode == SHARED ? readers.incrementAndGet((int) b) : readers.get((int) b);
                        if (mode == EXCLUSIVE ? (w != 1 || r != 0) : w != 0) {
                            violations.incrementAndGet();
                        }
                    }
                    Thread.yield();
                    for (long b = lba; b < lba + n; b++) {
                        if (mode == EXCLUSIVE) {
                            writers.decrementAndGet((int) b);
                        } else {
                            readers.decrementAndGet((int) b);
                        }
                    }
                    l.close();
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        assertEquals(0, violations.get());
        assertTrue(granted.get() > 0);
        assertEquals(0, locks.outstanding());
    }
}
