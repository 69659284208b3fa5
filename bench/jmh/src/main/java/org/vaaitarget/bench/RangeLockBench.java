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
 * wait for the other thread's release, which then completes the future); two threads on ranges in
 * different stripes.
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
}
