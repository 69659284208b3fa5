package org.vaaitarget.core.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vaaitarget.core.store.StoreException;
import org.vaaitarget.core.store.StoreException.Kind;

class GroupCommitTest {
    private final ExecutorService flusher = Executors.newSingleThreadExecutor();
    /** Each sync waits for one permit: the test steps the flusher. */
    private final Semaphore permits = new Semaphore(0);
    private final Semaphore started = new Semaphore(0);
    private final AtomicInteger syncs = new AtomicInteger();

    @AfterEach
    void stop() {
        permits.release(1000);
        flusher.shutdown();
    }

    private GroupCommit stepped(IOException failFirst) {
        return new GroupCommit("test.img", () -> {
            int n = syncs.incrementAndGet();
            started.release();
            permits.acquireUninterruptibly();
            if (n == 1 && failFirst != null) {
                throw failFirst;
            }
        }, flusher, Runnable::run);
    }

    @Test
    void requestsMadeWhileASyncRunsShareTheNextSyncAndAreNotCompletedByTheRunningOne() throws Exception {
        GroupCommit commit = stepped(null);
        CompletableFuture<Void> a = commit.request();
        assertTrue(started.tryAcquire(10, TimeUnit.SECONDS)); // sync 1 runs, covering a only
        CompletableFuture<Void> b = commit.request();
        CompletableFuture<Void> c = commit.request();
        CompletableFuture<Void> d = commit.request();
        permits.release(); // sync 1 ends
        a.get(10, TimeUnit.SECONDS);
        assertTrue(started.tryAcquire(10, TimeUnit.SECONDS)); // sync 2, for the batch that gathered
        assertFalse(b.isDone() || c.isDone() || d.isDone(), "sync 1 started before b, c, d: it covers none of them");
        permits.release();
        CompletableFuture.allOf(b, c, d).get(10, TimeUnit.SECONDS);
        assertEquals(2, syncs.get(), "one sync per batch, not per request");
    }

    @Test
    void aFailedSyncFailsItsBatchAndEveryLaterRequestWithoutAnotherSync() throws Exception {
        GroupCommit commit = stepped(new IOException("Input/output error"));
        CompletableFuture<Void> a = commit.request();
        assertTrue(started.tryAcquire(10, TimeUnit.SECONDS));
        CompletableFuture<Void> b = commit.request(); // gathers for the next batch while the failing one runs
        permits.release(2);
        assertEquals(Kind.IO_WRITE, failure(a).kind());
        assertEquals(Kind.IO_WRITE, failure(b).kind(), "a sync after a failed one proves nothing (fsyncgate)");
        assertEquals(Kind.IO_WRITE, failure(commit.request()).kind());
        assertTrue(commit.failed());
        assertEquals(1, syncs.get(), "after the failure no sync can report success");
    }

    @Test
    void theNextSyncStartsWhileThePreviousBatchIsStillBeingCompleted() throws Exception {
        ExecutorService completer = Executors.newSingleThreadExecutor();
        Semaphore completing = new Semaphore(0);
        try {
            completer.execute(completing::acquireUninterruptibly); // the completer is busy
            GroupCommit commit = new GroupCommit("test.img", () -> {
                syncs.incrementAndGet();
                started.release();
                permits.acquireUninterruptibly();
            }, flusher, completer);
            CompletableFuture<Void> first = commit.request();
            assertTrue(started.tryAcquire(10, TimeUnit.SECONDS)); // sync 1 for first alone
            List<CompletableFuture<Void>> big = new ArrayList<>();
            for (int i = 0; i <= GroupCommit.SMALL_BATCH; i++) {
                big.add(commit.request()); // more than a small batch gathers for sync 2
            }
            permits.release();
            first.get(10, TimeUnit.SECONDS); // nobody waited when sync 1 ended: completed by the flusher
            assertTrue(started.tryAcquire(10, TimeUnit.SECONDS)); // sync 2
            CompletableFuture<Void> late = commit.request();        // waits for sync 3
            permits.release(2);
            assertTrue(started.tryAcquire(10, TimeUnit.SECONDS), "sync 3 does not wait for the big batch's completion");
            assertFalse(big.get(0).isDone(), "the big batch went to the (busy) completer");
            completing.release();
            CompletableFuture.allOf(big.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            late.get(10, TimeUnit.SECONDS);
        } finally {
            completing.release();
            completer.shutdown();
        }
    }

    @Test
    void aSmallBatchIsCompletedByTheFlusherEvenWhileRequestsWait() throws Exception {
        GroupCommit commit = new GroupCommit("test.img", () -> {
            syncs.incrementAndGet();
            started.release();
            permits.acquireUninterruptibly();
        }, flusher, r -> {
            throw new AssertionError("no hand-off for a small batch");
        });
        CompletableFuture<Void> a = commit.request();
        assertTrue(started.tryAcquire(10, TimeUnit.SECONDS));
        CompletableFuture<Void> b = commit.request(); // waits for the next sync while a's batch completes
        permits.release(2);
        a.get(10, TimeUnit.SECONDS);
        b.get(10, TimeUnit.SECONDS);
        assertEquals(2, syncs.get());
    }

    @Test
    void withNobodyWaitingTheFlusherCompletesTheBatchItself() throws Exception {
        GroupCommit commit = new GroupCommit("test.img", syncs::incrementAndGet, flusher, r -> {
            throw new AssertionError("no hand-off when nothing waits for the next sync");
        });
        commit.request().get(10, TimeUnit.SECONDS);
        commit.request().get(10, TimeUnit.SECONDS);
        assertEquals(2, syncs.get());
    }

    @Test
    void aClosedFlusherFailsTheRequestAsClosed() throws Exception {
        flusher.shutdown();
        GroupCommit commit = stepped(null);
        assertEquals(Kind.CLOSED, failure(commit.request()).kind());
    }

    private static StoreException failure(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        return assertInstanceOf(StoreException.class, e.getCause());
    }

    @Test
    void requestHereSyncsOnTheCallerAndHandsRequestsMadeMeanwhileToTheFlusher() throws Exception {
        GroupCommit commit = stepped(null);
        ExecutorService lane = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<CompletableFuture<Void>> here = CompletableFuture.supplyAsync(commit::requestHere, lane);
            assertTrue(started.tryAcquire(10, TimeUnit.SECONDS)); // sync 1, on the lane thread
            CompletableFuture<Void> b = commit.request();         // made during it: not covered by it
            permits.release();
            here.get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
            assertTrue(started.tryAcquire(10, TimeUnit.SECONDS)); // sync 2, on the flusher
            assertFalse(b.isDone());
            permits.release();
            b.get(10, TimeUnit.SECONDS);
            assertEquals(2, syncs.get());
        } finally {
            lane.shutdown();
        }
    }

    @Test
    void requestHereJoinsTheNextBatchWhileASyncRuns() throws Exception {
        GroupCommit commit = stepped(null);
        CompletableFuture<Void> a = commit.request();
        assertTrue(started.tryAcquire(10, TimeUnit.SECONDS));
        CompletableFuture<Void> b = commit.requestHere(); // returns at once: the flusher's next sync covers it
        assertFalse(b.isDone());
        permits.release(2);
        a.get(10, TimeUnit.SECONDS);
        b.get(10, TimeUnit.SECONDS);
        assertEquals(2, syncs.get());
    }
}
