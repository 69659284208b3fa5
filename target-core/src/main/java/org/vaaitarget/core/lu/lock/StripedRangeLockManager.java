package org.vaaitarget.core.lu.lock;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link RangeLockManager} striped by LBA region, so that disjoint ranges in different regions never
 * touch the same monitor.
 *
 * <p><b>Layout.</b> The LBA space is cut into regions of {@code stripeBlocks} blocks; region {@code r}
 * belongs to stripe {@code r % stripeCount}. Each stripe keeps one FIFO list of the requests (granted
 * and waiting) whose range touches one of its regions, ordered by a global sequence number.
 *
 * <p><b>Ordering and deadlock freedom.</b> A request (one range, or all the ranges of
 * {@link #acquireAll}) takes the monitors of all its stripes in ascending stripe index (short critical
 * sections; no monitor is ever held while waiting for a grant or doing I/O), draws its sequence number
 * and appends each of its ranges to every one of those lists in one step. Any two overlapping ranges
 * share at least one stripe, so their requests are ordered the same way everywhere, and a request only
 * ever waits for requests with a smaller sequence number: the waits-for graph among requests has no
 * cycle. (A command that made several requests in a row could still close one; see
 * {@link RangeLockManager}.)
 *
 * <p><b>Fairness.</b> A request is granted when no earlier request in any of its stripes (granted or
 * still waiting) overlaps it with a conflicting mode. A waiting EXCLUSIVE therefore holds back later
 * SHARED requests on its range: writers are not starved, and grants follow arrival order among
 * overlapping requests.
 *
 * <p><b>Threads.</b> Never blocks the caller beyond the stripe locks (each held for a list scan). A grant may complete the
 * future on the thread that releases (or withdraws) a conflicting request. Cancelling a waiting future
 * withdraws the request; a cancel that loses the race with a grant releases the lock instead.
 */
public final class StripedRangeLockManager implements RangeLockManager {
    public static final int DEFAULT_STRIPE_COUNT = 64;
    /** 1 MiB of 512-byte blocks: a region is about the size of a large single I/O. */
    public static final long DEFAULT_STRIPE_BLOCKS = 2048;

    private enum State { WAITING, GRANTED, DONE }

    private final Stripe[] stripes;
    private final long stripeBlocks;
    private final AtomicInteger outstanding = new AtomicInteger();
    /** Drawn while holding the locks of every stripe of the request (see class comment). */
    private final AtomicLong nextSeq = new AtomicLong();

    public StripedRangeLockManager() {
        this(DEFAULT_STRIPE_COUNT, DEFAULT_STRIPE_BLOCKS);
    }

    /**
     * @param stripeCount  number of stripes (monitors), at least 1
     * @param stripeBlocks blocks per region, at least 1
     */
    public StripedRangeLockManager(int stripeCount, long stripeBlocks) {
        if (stripeCount < 1 || stripeBlocks < 1) {
            throw new IllegalArgumentException("stripeCount and stripeBlocks must be positive");
        }
        this.stripes = new Stripe[stripeCount];
        for (int i = 0; i < stripeCount; i++) {
            stripes[i] = new Stripe();
        }
        this.stripeBlocks = stripeBlocks;
    }

    @Override
    public CompletableFuture<RangeLock> acquire(long lba, long blocks, LockMode mode) {
        if (blocks < 1 || lba < 0 || lba > Long.MAX_VALUE - blocks) {
            throw new IllegalArgumentException("bad range lba=" + lba + " blocks=" + blocks);
        }
        return enqueue(new Request(new LockRange[] {new LockRange(lba, blocks, mode)}));
    }

    @Override
    public CompletableFuture<RangeLock> acquireAll(List<LockRange> ranges) {
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("no range to lock");
        }
        return enqueue(new Request(ranges.toArray(LockRange[]::new)));
    }

    private CompletableFuture<RangeLock> enqueue(Request r) {
        outstanding.incrementAndGet();
        boolean granted;
        lockAll(r.stripes);
        try {
            r.seq = nextSeq.getAndIncrement();
            for (Part p : r.parts) {
                for (int s : p.stripes) {
                    stripes[s].queue.add(p);
                }
            }
            granted = tryGrantLocked(r);
        } finally {
            unlockAll(r.stripes);
        }
        if (granted) {
            r.future.complete(r);
        } else {
            r.future.whenComplete((l, err) -> {
                if (err instanceof CancellationException) {
                    withdraw(r);
                }
            });
        }
        return r.future;
    }

    @Override
    public int outstanding() {
        return outstanding.get();
    }

    /** Sorted, distinct stripe indices covering [lba, lba + blocks). */
    private int[] stripesOf(long lba, long blocks) {
        long first = lba / stripeBlocks;
        long last = (lba + blocks - 1) / stripeBlocks;
        long regions = last - first + 1;
        if (regions >= stripes.length) {
            int[] all = new int[stripes.length];
            for (int i = 0; i < all.length; i++) {
                all[i] = i;
            }
            return all;
        }
        boolean[] hit = new boolean[stripes.length];
        int n = 0;
        for (long reg = first; reg <= last; reg++) {
            int s = (int) (reg % stripes.length);
            if (!hit[s]) {
                hit[s] = true;
                n++;
            }
        }
        return indicesOf(hit, n);
    }

    /** Sorted, distinct union of the parts' stripe indices. */
    private int[] union(Part[] parts) {
        if (parts.length == 1) {
            return parts[0].stripes;
        }
        boolean[] hit = new boolean[stripes.length];
        int n = 0;
        for (Part p : parts) {
            for (int s : p.stripes) {
                if (!hit[s]) {
                    hit[s] = true;
                    n++;
                }
            }
        }
        return indicesOf(hit, n);
    }

    /** The {@code n} indices where {@code hit} is true, ascending. */
    private static int[] indicesOf(boolean[] hit, int n) {
        int[] out = new int[n];
        int k = 0;
        for (int i = 0; i < hit.length; i++) {
            if (hit[i]) {
                out[k++] = i;
            }
        }
        return out;
    }

    /** Takes the stripe locks in ascending index order (idx is sorted): no lock-order cycle. */
    private void lockAll(int[] idx) {
        for (int i = 0; i < idx.length; i++) {
            stripes[idx[i]].lock.lock();
        }
    }

    private void unlockAll(int[] idx) {
        for (int i = idx.length - 1; i >= 0; i--) {
            stripes[idx[i]].lock.unlock();
        }
    }

    /** Caller holds all of r's stripe locks. Marks r GRANTED when nothing earlier conflicts. */
    private boolean tryGrantLocked(Request r) {
        if (r.state != State.WAITING) {
            return false;
        }
        for (Part p : r.parts) {
            for (int s : p.stripes) {
                for (Part e : stripes[s].queue) {
                    if (e.owner.seq >= r.seq) {
                        break; // the queue is in seq order; a request never waits for its own ranges
                    }
                    if (e.conflictsWith(p)) {
                        return false;
                    }
                }
            }
        }
        r.state = State.GRANTED;
        return true;
    }

    /** Releases a granted lock (idempotent). */
    private void release(Request r) {
        remove(r, State.GRANTED);
    }

    /** Withdraws a cancelled request: if it was granted in the meantime, releases it instead. */
    private void withdraw(Request r) {
        if (!remove(r, State.WAITING)) {
            remove(r, State.GRANTED);
        }
    }

    /**
     * Removes r if it is in state {@code expected}, then grants whichever later overlapping requests
     * that unblocks. Returns whether r was removed.
     */
    private boolean remove(Request r, State expected) {
        List<Request> candidates = null; // allocated only when a waiter may be granted (every release pays this)
        lockAll(r.stripes);
        try {
            if (r.state != expected) {
                return false;
            }
            r.state = State.DONE;
            for (int s : r.stripes) {
                Iterator<Part> it = stripes[s].queue.iterator();
                while (it.hasNext()) {
                    Part e = it.next();
                    if (e.owner == r) {
                        it.remove();
                    } else if (e.owner.seq > r.seq && e.owner.state == State.WAITING && r.overlaps(e)) {
                        if (candidates == null) {
                            candidates = new ArrayList<>(2);
                        }
                        candidates.add(e.owner); // may repeat: a request listed in several of r's stripes
                    }
                }
            }
        } finally {
            unlockAll(r.stripes);
        }
        outstanding.decrementAndGet();
        if (candidates == null) {
            return true;
        }
        if (candidates.size() > 1) {
            candidates.sort((a, b) -> Long.compare(a.seq, b.seq));
        }
        // Locks are granted after our stripe locks are dropped: completing a future runs the waiter's
        // continuation on this thread, and it may take or release other locks.
        Request previous = null;
        for (Request c : candidates) {
            if (c == previous) {
                continue; // sorted by seq, so repeats are adjacent
            }
            previous = c;
            boolean granted;
            lockAll(c.stripes);
            try {
                granted = tryGrantLocked(c);
            } finally {
                unlockAll(c.stripes);
            }
            if (granted && !c.future.complete(c)) {
                // The waiter cancelled while we granted: release on its behalf (contract).
                release(c);
            }
        }
        return true;
    }

    private static final class Stripe {
        final ReentrantLock lock = new ReentrantLock();
        /** Ranges of the requests touching this stripe, ascending seq. */
        final List<Part> queue = new LinkedList<>();
    }

    /** One range of a request, listed in the queue of every stripe it touches. */
    private static final class Part {
        final LockRange range;
        final Request owner;
        final int[] stripes;

        Part(LockRange range, Request owner, int[] stripes) {
            this.range = range;
            this.owner = owner;
            this.stripes = stripes;
        }

        boolean conflictsWith(Part o) {
            return (range.mode() == LockMode.EXCLUSIVE || o.range.mode() == LockMode.EXCLUSIVE)
                    && range.overlaps(o.range);
        }

        @Override
        public String toString() {
            return range.mode() + " " + range.lba() + "+" + range.blocks();
        }
    }

    private final class Request implements RangeLock {
        final Part[] parts;
        /** The union of the parts' stripes, sorted. */
        final int[] stripes;
        final CompletableFuture<RangeLock> future = new CompletableFuture<>();
        long seq;
        /** Guarded by the locks of all of this request's stripes. */
        State state = State.WAITING;

        Request(LockRange[] ranges) {
            this.parts = new Part[ranges.length];
            for (int i = 0; i < ranges.length; i++) {
                parts[i] = new Part(ranges[i], this, stripesOf(ranges[i].lba(), ranges[i].blocks()));
            }
            this.stripes = union(parts);
        }

        /** Whether one of this request's ranges overlaps {@code o}. */
        boolean overlaps(Part o) {
            for (Part p : parts) {
                if (p.range.overlaps(o.range)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public long lba() {
            return parts[0].range.lba();
        }

        @Override
        public long blocks() {
            return parts[0].range.blocks();
        }

        @Override
        public LockMode mode() {
            return parts[0].range.mode();
        }

        @Override
        public void close() {
            release(this);
        }

        @Override
        public String toString() {
            return "RangeLock[" + java.util.Arrays.toString(parts) + " seq=" + seq + " " + state + "]";
        }
    }
}
