package org.vaaitarget.core.store.file;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.core.store.StoreException;
import org.vaaitarget.core.store.StoreException.Kind;

/**
 * Group commit: one fdatasync for every durability request that arrived before it started, with up to
 * {@code maxSyncs} of them running at once.
 *
 * <p>{@link #request()} returns a future that completes once a sync that <em>started after the call</em>
 * has succeeded, so it covers every write (and hole punch) that completed before the call. A request made
 * while fewer than {@code maxSyncs} syncs run starts another one at once, on another flusher thread; when
 * {@code maxSyncs} run, requests gather for the next one to start. Each flusher job loops, taking every waiting
 * request into one batch and syncing it, until none waits: under load every sync covers a whole batch, and
 * when idle a request costs one sync without waiting for a timer. Concurrent syncs on one file can cost less
 * than the same syncs one after the other, as ext4 (jbd2) joins them into the running journal commit, but
 * they split the writes into smaller batches: which wins depends on the machine ({@link #DEFAULT_MAX_SYNCS}).
 * When requests already wait for the next sync, a synced batch of more than {@value #SMALL_BATCH} requests is
 * completed on another thread (the store's pool), so the commands' continuations do not delay that sync;
 * otherwise the flusher completes it itself, saving a thread hand-off. A thread with nothing else to do may
 * run the sync itself instead of waking a flusher ({@link #requestHere}).
 *
 * <p>A failed sync fails its whole batch with {@link Kind#IO_WRITE}, and then every later request too, until
 * the store is reopened. After fsync reports an error, Linux may already have dropped the dirty pages that
 * could not be written (marked clean, or invalidated) and the error is reported once only: a second fsync
 * may then "succeed" without those writes ever reaching the disk (the 2018 PostgreSQL "fsyncgate"). So a
 * success after a failure proves nothing about the lost writes, and the only honest answer is to fail every
 * durability request from then on; restarting the target reopens the file and reads what the disk really has.
 * The same holds for syncs that ran at the same time: a sync that returns success after another one failed
 * fails its batch too (the failed one may have been told of the error that concerned its pages).
 */
final class GroupCommit {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

    /** The sync call (FileChannel.force(false), i.e. fdatasync, or a test's interposer). */
    interface Sync {
        void sync() throws IOException;
    }

    /**
     * A batch this small is completed by the flusher even when requests wait for the next sync: its
     * continuations (a response hand-off to an event loop each, a few microseconds) delay that sync less than
     * waking a pool thread costs. Eight hosts racing with COMPARE AND WRITE make batches of one to a few;
     * measured there (voluntary context switches of the target per operation, which the machine's load
     * changes little) the pool hop cost about 0.1 switches per COMPARE AND WRITE more than completing on the
     * flusher.
     */
    static final int SMALL_BATCH = 4;

    /**
     * How many syncs may run at once per LUN by default: one, by measurement. On ext4 on the bench machine's
     * virtio disk (4 KiB random writes, one session, maxSyncs 1 against 4 in alternating rounds, README
     * "Where the durable write rate goes"): with the disk to ourselves, one LUN or two written at once, one
     * sync at a time gave about 10 % more IOPS at queue depth 32 and 7 % more at 8 (a sync's time is mostly
     * its batch's pages; more syncs mean more cache flushes for the same writes); with other programs
     * syncing on the same file system, four gave 9 % to 36 % more at 32 and 20 % to 69 % more at 8 (jbd2
     * joins concurrent syncs into the running commit). So more than one is a tuning for such machines and
     * slow disks: the system property {@value #MAX_SYNCS_PROPERTY} sets it (1 to 64).
     */
    static final int DEFAULT_MAX_SYNCS = 1;
    static final String MAX_SYNCS_PROPERTY = "vaaitarget.groupCommit.maxSyncs";

    /** {@link #DEFAULT_MAX_SYNCS}, or the system property {@value #MAX_SYNCS_PROPERTY} (1 to 64) where set. */
    static int configuredMaxSyncs() {
        String value = System.getProperty(MAX_SYNCS_PROPERTY);
        if (value == null || value.isBlank()) {
            return DEFAULT_MAX_SYNCS;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1 && n <= 64) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the warning
        }
        LOG.warn("-D{}={} is not a number from 1 to 64; using {}", MAX_SYNCS_PROPERTY, value, DEFAULT_MAX_SYNCS);
        return DEFAULT_MAX_SYNCS;
    }

    private final String name;
    private final Sync sync;
    private final int maxSyncs;
    private final Executor flusher;
    private final Executor completer;
    private final Object monitor = new Object();
    private List<CompletableFuture<Void>> waiting = new ArrayList<>();
    /** Syncs running or queued (flusher jobs, and a {@link #requestHere} caller's sync), at most maxSyncs. */
    private int running;
    private StoreException failed;

    /**
     * @param name      names the file, for messages
     * @param maxSyncs  how many syncs may run at once (1: one after the other)
     * @param flusher   runs the flusher jobs (each blocks in its sync); at most {@code maxSyncs} are ever
     *                  queued or running, so it needs that many threads for them to run at once
     * @param completer completes a synced batch (runs the commands' continuations: responses, the next
     *                  lock holder), so that the flusher starts the next sync at once; when it refuses
     *                  (full, shut down) the flusher completes the batch itself
     */
    GroupCommit(String name, Sync sync, int maxSyncs, Executor flusher, Executor completer) {
        if (maxSyncs < 1) {
            throw new IllegalArgumentException("maxSyncs " + maxSyncs + " < 1");
        }
        this.name = name;
        this.sync = sync;
        this.maxSyncs = maxSyncs;
        this.flusher = flusher;
        this.completer = completer;
    }

    /** Completes after a sync that started after this call succeeded; fails with IO_WRITE, CLOSED or BUSY. */
    CompletableFuture<Void> request() {
        CompletableFuture<Void> result = new CompletableFuture<>();
        boolean start;
        synchronized (monitor) {
            if (failed != null) {
                return CompletableFuture.failedFuture(failed);
            }
            waiting.add(result);
            start = running < maxSyncs; // else a running flusher job takes it when its sync ends
            if (start) {
                running++;
            }
        }
        if (start) {
            startFlusher();
        }
        return result;
    }

    /**
     * Like {@link #request()}, but when no sync is running or queued the calling thread runs it (and completes
     * the batch) instead of waking a flusher: one thread hand-off less for a write at queue depth 1. For a
     * thread with nothing else to do (the store's write lane with an empty queue). When a sync is already
     * running or queued, the request is handled as by {@link #request()} (it may start another sync on a
     * flusher): the caller is not kept busy while others sync. Requests that are still waiting after the
     * caller's sync are handed to a flusher.
     */
    CompletableFuture<Void> requestHere() {
        CompletableFuture<Void> result = new CompletableFuture<>();
        List<CompletableFuture<Void>> batch = null;
        synchronized (monitor) {
            if (failed == null && running == 0) {
                running = 1; // this caller's sync
                waiting.add(result);
                batch = waiting;
                waiting = new ArrayList<>();
            }
        }
        if (batch == null) {
            return request(); // failed, or a sync already running or queued: as any request
        }
        StoreException error = syncOnce(); // every request in batch was made before this call: it covers them all
        boolean more;
        synchronized (monitor) {
            more = !waiting.isEmpty();
            if (!more) {
                running--;
            } // else requests that came during the sync: a flusher job takes them over with this sync's count
        }
        if (more) {
            startFlusher();
        }
        complete(batch, error);
        return result;
    }

    /** Queues a flusher job; the caller counted it in {@code running}. */
    private void startFlusher() {
        try {
            flusher.execute(this::drain);
        } catch (RejectedExecutionException e) { // the store is closing
            List<CompletableFuture<Void>> batch;
            synchronized (monitor) {
                running--;
                batch = waiting;
                waiting = new ArrayList<>();
            }
            StoreException closed = new StoreException(Kind.CLOSED, name + ": the store is closed");
            batch.forEach(f -> f.completeExceptionally(closed));
        }
    }

    /**
     * One sync; null when it succeeded and no sync failed meanwhile. On one file descriptor Linux reports a
     * writeback error to one fsync only (errseq): when syncs run at once, the one told may be another than the
     * one whose batch's pages were lost. The store gives each concurrent sync a descriptor of its own
     * ({@link SyncChannels}); still, a success after another sync's failure is not trusted.
     */
    private StoreException syncOnce() {
        try {
            sync.sync();
        } catch (Throwable t) {
            return fail(t);
        }
        synchronized (monitor) {
            return failed;
        }
    }

    /** True once a sync has failed: every later request fails. */
    boolean failed() {
        synchronized (monitor) {
            return failed != null;
        }
    }

    /** A flusher job: sync batch after batch until nobody waits. */
    private void drain() {
        while (true) {
            List<CompletableFuture<Void>> batch;
            StoreException error;
            synchronized (monitor) {
                if (waiting.isEmpty()) {
                    running--;
                    return;
                }
                batch = waiting;
                waiting = new ArrayList<>();
                error = failed;
            }
            if (error == null) {
                error = syncOnce(); // every request in batch was made before this call: it covers them all
            }
            StoreException outcome = error;
            boolean more;
            synchronized (monitor) {
                more = !waiting.isEmpty();
            }
            if (!more || batch.size() <= SMALL_BATCH) {
                complete(batch, outcome); // nobody waits for the next sync, or few continuations: save the hand-off
                continue;
            }
            try {
                completer.execute(() -> complete(batch, outcome));
            } catch (RejectedExecutionException e) {
                complete(batch, outcome);
            }
        }
    }

    private static void complete(List<CompletableFuture<Void>> batch, StoreException error) {
        for (CompletableFuture<Void> f : batch) {
            if (error == null) {
                f.complete(null);
            } else {
                f.completeExceptionally(error);
            }
        }
    }

    private StoreException fail(Throwable t) {
        StoreException e = IoFailures.classify(t, Kind.IO_WRITE, name + ": flush (fdatasync)");
        if (e.kind() == Kind.CLOSED) {
            return e; // closing under us: not a disk failure
        }
        StoreException sticky = new StoreException(Kind.IO_WRITE, name + ": flush (fdatasync) failed; writes since"
                + " the last good flush may be lost, so every later flush fails too until the LUN is reopened"
                + " (restart the target after fixing the disk): " + t, t);
        synchronized (monitor) {
            if (failed == null) {
                failed = sticky;
                LOG.error("{}", sticky.getMessage());
            }
            return failed;
        }
    }
}
