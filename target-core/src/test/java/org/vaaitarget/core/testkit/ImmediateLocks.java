package org.vaaitarget.core.testkit;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.vaaitarget.core.lu.lock.LockMode;
import org.vaaitarget.core.lu.lock.LockRange;
import org.vaaitarget.core.lu.lock.RangeLock;
import org.vaaitarget.core.lu.lock.RangeLockManager;

/** A test-only lock manager that grants every request at once (no exclusion). */
public final class ImmediateLocks implements RangeLockManager {
    private final AtomicInteger held = new AtomicInteger();

    @Override
    public CompletableFuture<RangeLock> acquire(long lba, long blocks, LockMode mode) {
        held.incrementAndGet();
        return CompletableFuture.completedFuture(new RangeLock() {
            private boolean closed;

            @Override
            public long lba() {
                return lba;
            }

            @Override
            public long blocks() {
                return blocks;
            }

            @Override
            public LockMode mode() {
                return mode;
            }

            @Override
            public synchronized void close() {
                if (!closed) {
                    closed = true;
                    held.decrementAndGet();
                }
            }
        });
    }

    @Override
    public CompletableFuture<RangeLock> acquireAll(List<LockRange> ranges) {
        LockRange first = ranges.get(0);
        return acquire(first.lba(), first.blocks(), first.mode());
    }

    @Override
    public int outstanding() {
        return held.get();
    }
}
