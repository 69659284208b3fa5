package org.vaaitarget.core.lu.lock;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * PLACEHOLDER (store branch): a correct but naive range-lock manager so that LUNs can be opened; the real
 * striped implementation comes from the lock helper's branch and replaces this file at merge.
 *
 * <p>One synchronized list of requests in arrival order. A request is granted when no earlier request
 * (held or waiting) overlaps it with a conflicting mode, which gives FIFO order among overlapping
 * requests while disjoint ones never wait. Futures are completed outside the monitor.
 */
public final class StripedRangeLockManager implements RangeLockManager {
    private final List<Request> requests = new ArrayList<>();

    public StripedRangeLockManager() {
    }

    @Override
    public CompletableFuture<RangeLock> acquire(long lba, long blocks, LockMode mode) {
        if (lba < 0 || blocks < 1 || mode == null) {
            throw new IllegalArgumentException("bad lock request: lba " + lba + ", blocks " + blocks + ", mode " + mode);
        }
        Request request = new Request(lba, blocks, mode);
        synchronized (this) {
            requests.add(request);
        }
        request.future.whenComplete((lock, failure) -> {
            if (failure instanceof CancellationException) {
                withdraw(request);
            }
        });
        grantReady();
        return request.future;
    }

    @Override
    public synchronized int outstanding() {
        return requests.size();
    }

    private void withdraw(Request request) {
        boolean removed;
        synchronized (this) {
            removed = !request.granted && requests.remove(request);
        }
        if (removed) {
            grantReady();
        }
    }

    private void release(Request request) {
        synchronized (this) {
            requests.remove(request);
        }
        grantReady();
    }

    private void grantReady() {
        List<Request> ready = new ArrayList<>();
        synchronized (this) {
            for (int i = 0; i < requests.size(); i++) {
                Request candidate = requests.get(i);
                if (!candidate.granted && !blockedByEarlier(candidate, i)) {
                    candidate.granted = true;
                    ready.add(candidate);
                }
            }
        }
        for (Request request : ready) {
            if (!request.future.complete(request)) {
                request.close(); // cancelled while being granted: release on the caller's behalf
            }
        }
    }

    private boolean blockedByEarlier(Request candidate, int index) {
        for (int i = 0; i < index; i++) {
            Request earlier = requests.get(i);
            if (earlier.overlaps(candidate)
                    && (earlier.mode == LockMode.EXCLUSIVE || candidate.mode == LockMode.EXCLUSIVE)) {
                return true;
            }
        }
        return false;
    }

    private final class Request implements RangeLock {
        final long lba;
        final long blocks;
        final LockMode mode;
        final CompletableFuture<RangeLock> future = new CompletableFuture<>();
        final AtomicBoolean released = new AtomicBoolean();
        boolean granted; // guarded by the manager's monitor

        Request(long lba, long blocks, LockMode mode) {
            this.lba = lba;
            this.blocks = blocks;
            this.mode = mode;
        }

        boolean overlaps(Request other) {
            return lba < other.lba + other.blocks && other.lba < lba + blocks;
        }

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
        public void close() {
            if (released.compareAndSet(false, true)) {
                release(this);
            }
        }
    }
}
