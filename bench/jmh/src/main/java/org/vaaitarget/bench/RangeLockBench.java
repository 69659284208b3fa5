package org.vaaitarget.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.ThreadParams;
import org.vaaitarget.core.lu.lock.LockMode;
import org.vaaitarget.core.lu.lock.RangeLock;
import org.vaaitarget.core.lu.lock.StripedRangeLockManager;

/**
 * Acquire + release of an 8-block range on the LUN's range-lock manager (default striping), the
 * cost every READ/WRITE pays: one thread alone; two threads on the same range (every acquire may
 * wait for the other thread's release, which then completes the future and wakes the parked thread:
 * the hand-off to another thread); two threads on ranges in different stripes.
 *
 * <p>The contended grant, without threads (what a contended COMPARE AND WRITE pays on the store thread
 * that releases): {@link #grantOnRelease} queues a request behind a held lock and releases, which grants
 * it and runs its continuation on the releasing thread; {@link #grantChain8} is eight sessions racing
 * for one block: eight requests queued behind each other, each continuation releasing its lock, so one
 * release cascades through seven grants (score: chains per microsecond; one chain is 8 grants).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class RangeLockBench {
    private StripedRangeLockManager locks;

    @Setup
    public void setUp() {
        locks = new StripedRangeLockManager();
    }

    /** Each thread's own LBA, far enough apart to fall in different stripes. */
    @State(Scope.Thread)
    public static class Disjoint {
        long lba;

        @Setup
        public void setUp(ThreadParams thread) {
            lba = (thread.getThreadIndex() + 1L) * StripedRangeLockManager.DEFAULT_STRIPE_BLOCKS * 3;
        }
    }

    private long cycle(long lba, LockMode mode) {
        RangeLock lock = locks.acquire(lba, 8, mode).join();
        long blocks = lock.blocks();
        lock.close();
        return blocks;
    }

    @Benchmark
    @Threads(1)
    public long uncontendedExclusive() {
        return cycle(4096, LockMode.EXCLUSIVE);
    }

    @Benchmark
    @Threads(1)
    public long uncontendedShared() {
        return cycle(4096, LockMode.SHARED);
    }

    @Benchmark
    @Threads(2)
    public long contendedOneRangeExclusive() {
        return cycle(0, LockMode.EXCLUSIVE);
    }

    @Benchmark
    @Threads(2)
    public long disjointRangesExclusive(Disjoint d) {
        return cycle(d.lba, LockMode.EXCLUSIVE);
    }

    @Benchmark
    @Threads(1)
    public long grantOnRelease() {
        RangeLock held = locks.acquire(0, 8, LockMode.EXCLUSIVE).join();
        long[] granted = new long[1];
        locks.acquire(0, 8, LockMode.EXCLUSIVE).thenAccept(next -> {
            granted[0] = next.blocks();
            next.close();
        });
        held.close(); // grants the queued request and runs its continuation here
        return granted[0];
    }

    private static final int CHAIN = 8;

    @Benchmark
    @Threads(1)
    public long grantChain8() {
        RangeLock held = locks.acquire(0, 1, LockMode.EXCLUSIVE).join();
        long[] granted = new long[1];
        for (int i = 1; i < CHAIN; i++) {
            locks.acquire(0, 1, LockMode.EXCLUSIVE).thenAccept(next -> {
                granted[0]++;
                next.close(); // grants the next one in line, on this thread
            });
        }
        held.close();
        return granted[0];
    }
}
