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
 * Group commit: one fdatasync for every durability request that arrived before it started.
 *
 * <p>{@link #request()} returns a future that completes once a sync that <em>started after the call</em>
 * has succeeded, so it covers every write (and hole punch) that completed before the call. While one sync
 * runs, new requests gather for the next one; a single flusher job on {@code flusher} loops until no request
 * is waiting, so under load every sync covers a whole batch (32 writes at queue depth 32 cost one sync) and
 * when idle a request costs one sync without waiting for a timer. When requests already wait for the next
 * sync, a synced batch of more than {@value #SMALL_BATCH} requests is completed on another thread (the store's
 * pool), so the commands' continuations do not delay that sync; otherwise the flusher completes it itself,
 * saving a thread hand-off. A thread with
 * nothing else to do may run the sync itself instead of waking the flusher ({@link #requestHere}).
 *
 * <p>A failed sync fails its whole batch with {@link Kind#IO_WRITE}, and then every later request too, until
 * the store is reopened. After fsync reports an error, Linux may already have dropped the dirty pages that
 * could not be written (marked clean, or invalidated) and the error is reported once only: a second fsync
 * may then "succeed" without those writes ever reaching the disk (the 2018 PostgreSQL "fsyncgate"). So a
 * success after a failure proves nothing about the lost writes, and the only honest answer is to fail every
 * durability request from then on; restarting the target reopens the file and reads what the disk really has.
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

    private final String name;
    private final Sync sync;
    private final Executor flusher;
    private final Executor completer;
    private final Object monitor = new Object();
    private List<CompletableFuture<Void>> waiting = new ArrayList<>();
    private boolean running;
    private StoreException failed;

    /**
     * @param name      names the file, for messages
     * @param flusher   runs the flusher job (blocks in the sync); only one job is ever queued or running
     * @param completer completes a synced batch (runs the commands' continuations: responses, the next
     *                  lock holder), so that the flusher starts the next sync at once; when it refuses
     *                  (full, shut down) the flusher completes the batch itself
     */
    GroupCommit(String name, Sync sync, Executor flusher, Executor completer) {
        this.name = name;
        this.sync = sync;
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
            start = !running;
            running = true;
        }
        if (start) {
            startFlusher();
        }
        return result;
    }

    /**
     * Like {@link #request()}, but when no sync is running or queued the calling thread runs it (and completes
     * the batch) instead of waking the flusher: one thread hand-off less for a write at queue depth 1. For a
     * thread with nothing else to do (the store's write lane with an empty queue). When a sync is already
     * running or queued, the request joins the next batch as with {@link #request()}; requests that arrive
     * during the caller's sync are handed to the flusher afterwards.
     */
    CompletableFuture<Void> requestHere() {
        CompletableFuture<Void> result = new CompletableFuture<>();
        List<CompletableFuture<Void>> batch;
        synchronized (monitor) {
            if (failed != null) {
                return CompletableFuture.failedFuture(failed);
            }
            waiting.add(result);
            if (running) {
                return result;
            }
            running = true;
            batch = waiting;
            waiting = new ArrayList<>();
        }
        StoreException error = null;
        try {
            sync.sync(); // every request in batch was made before this call: it covers them all
        } catch (Throwable t) {
            error = fail(t);
        }
        boolean more;
        synchronized (monitor) {
            more = !waiting.isEmpty();
            running = more; // requests that came during the sync: the flusher takes them (running stays true)
        }
        if (more) {
            startFlusher();
        }
        complete(batch, error);
        return result;
    }

    /** Queues the flusher job; the caller set {@code running}. */
    private void startFlusher() {
        try {
            flusher.execute(this::drain);
        } catch (RejectedExecutionException e) { // the store is closing
            List<CompletableFuture<Void>> batch;
            synchronized (monitor) {
                running = false;
                batch = waiting;
                waiting = new ArrayList<>();
            }
            StoreException closed = new StoreException(Kind.CLOSED, name + ": the store is closed");
            batch.forEach(f -> f.completeExceptionally(closed));
        }
    }

    /** True once a sync has failed: every later request fails. */
    boolean failed() {
        synchronized (monitor) {
            return failed != null;
        }
    }

    /** The flusher job: sync batch after batch until nobody waits. */
    private void drain() {
        while (true) {
            List<CompletableFuture<Void>> batch;
            StoreException error;
            synchronized (monitor) {
                if (waiting.isEmpty()) {
                    running = false;
                    return;
                }
                batch = waiting;
                waiting = new ArrayList<>();
                error = failed;
            }
            if (error == null) {
                try {
                    sync.sync(); // every request in batch was made before this call: it covers them all
                } catch (Throwable t) {
                    error = fail(t);
                }
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
