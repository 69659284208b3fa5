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
import java.util.concurrent.CountDownLatch;
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
        }, 1, flusher, Runnable::run);
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
            }, 1, flusher, completer);
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
        }, 1, flusher, r -> {
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
        GroupCommit commit = new GroupCommit("test.img", syncs::incrementAndGet, 1, flusher, r -> {
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

    /**
     * Syncs that the test ends one by one: sync n (from 1) waits for {@code end(n)}; {@code started} gets a
     * permit as each begins. Sync {@code failing} (0: none) throws EIO.
     */
    private final class GatedSyncs implements GroupCommit.Sync {
        private final List<CountDownLatch> ends = new ArrayList<>();
        private final int failing;

        GatedSyncs(int failing) {
            this.failing = failing;
            for (int i = 0; i < 16; i++) {
                ends.add(new CountDownLatch(1));
            }
        }

        void end(int n) {
            ends.get(n - 1).countDown();
        }

        void endAll() {
            ends.forEach(CountDownLatch::countDown);
        }

        @Override
        public void sync() throws IOException {
            int n = syncs.incrementAndGet();
            started.release();
            try {
                ends.get(n - 1).await();
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            if (n == failing) {
                throw new IOException("Input/output error");
            }
        }
    }

    /** Counts the flusher jobs submitted (each is one sync slot), and runs them on two threads. */
    private final ExecutorService twoFlushers = Executors.newFixedThreadPool(2);
    private final AtomicInteger flusherJobs = new AtomicInteger();

    /** The syncs of {@link #twoAtOnce}. */
    private GatedSyncs gated = new GatedSyncs(0);

    @AfterEach
    void stopTwo() {
        gated.endAll();
        twoFlushers.shutdown();
    }

    /** Up to two syncs at once, each ended by the test; sync {@code failing} (0: none) fails. */
    private GroupCommit twoAtOnce(int failing) {
        gated = new GatedSyncs(failing);
        return new GroupCommit("test.img", gated, 2, job -> {
            flusherJobs.incrementAndGet();
            twoFlushers.execute(job);
        }, Runnable::run);
    }

    /** Requests a, then b while a's sync runs: both syncs run when this returns. */
    private List<CompletableFuture<Void>> twoSyncsRunning(GroupCommit commit) throws InterruptedException {
        CompletableFuture<Void> a = commit.request();
        assertTrue(started.tryAcquire(10, TimeUnit.SECONDS)); // sync 1, for a
        CompletableFuture<Void> b = commit.request();
        assertTrue(started.tryAcquire(10, TimeUnit.SECONDS), "sync 2 starts while sync 1 still runs");
        assertFalse(a.isDone() || b.isDone());
        return List.of(a, b);
    }

    @Test
    void aRequestMadeWhileASyncRunsStartsASecondSyncAtOnce() throws Exception {
        GroupCommit commit = twoAtOnce(0);
        List<CompletableFuture<Void>> ab = twoSyncsRunning(commit);
        CompletableFuture<Void> a = ab.get(0);
        CompletableFuture<Void> b = ab.get(1);
        assertEquals(2, syncs.get());
        gated.end(2); // the second ends first: it covers b (made before it started), not a's batch
        b.get(10, TimeUnit.SECONDS);
        assertFalse(a.isDone(), "a waits for its own sync");
        gated.end(1);
        a.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aRequestMadeAfterBothSyncsStartedIsCompletedByNeitherAndNoThirdSyncStartsMeanwhile() throws Exception {
        GroupCommit commit = twoAtOnce(0);
        List<CompletableFuture<Void>> ab = twoSyncsRunning(commit);
        CompletableFuture<Void> a = ab.get(0);
        CompletableFuture<Void> b = ab.get(1);
        CompletableFuture<Void> c = commit.request();
        CompletableFuture<Void> d = commit.request();
        assertEquals(2, flusherJobs.get(), "at most two syncs at once: c and d wait for a running job");
        gated.end(1);
        gated.end(2);
        a.get(10, TimeUnit.SECONDS);
        b.get(10, TimeUnit.SECONDS);
        assertTrue(started.tryAcquire(10, TimeUnit.SECONDS)); // sync 3, for c and d together
        assertFalse(c.isDone() || d.isDone(), "syncs 1 and 2 started before c and d: they cover neither");
        gated.end(3);
        CompletableFuture.allOf(c, d).get(10, TimeUnit.SECONDS);
        assertEquals(3, syncs.get(), "c and d share one sync");
    }

    @Test
    void aSyncThatSucceedsAfterAConcurrentOneFailedFailsItsBatchToo() throws Exception {
        GroupCommit commit = twoAtOnce(1);
        List<CompletableFuture<Void>> ab = twoSyncsRunning(commit);
        CompletableFuture<Void> a = ab.get(0);
        CompletableFuture<Void> b = ab.get(1);
        CompletableFuture<Void> c = commit.request(); // waits for a third sync
        gated.end(1); // fails
        assertEquals(Kind.IO_WRITE, failure(a).kind());
        gated.end(2); // "succeeds", but the error may have been reported to sync 1 only (one descriptor)
        assertEquals(Kind.IO_WRITE, failure(b).kind(), "a success after a concurrent failure proves nothing");
        assertEquals(Kind.IO_WRITE, failure(c).kind());
        assertEquals(Kind.IO_WRITE, failure(commit.request()).kind());
        assertEquals(2, syncs.get(), "no sync after the failure");
    }

    @Test
    void requestHereLeavesTheCallerFreeWhileAnotherSyncRunsAndStartsASecondOnAFlusher() throws Exception {
        GroupCommit commit = twoAtOnce(0);
        CompletableFuture<Void> a = commit.request();
        assertTrue(started.tryAcquire(10, TimeUnit.SECONDS));
        CompletableFuture<Void> b = commit.requestHere(); // returns at once: not synced on this thread
        assertFalse(b.isDone());
        assertTrue(started.tryAcquire(10, TimeUnit.SECONDS), "the second sync runs on a flusher");
        assertEquals(2, flusherJobs.get());
        gated.end(2);
        b.get(10, TimeUnit.SECONDS);
        gated.end(1);
        a.get(10, TimeUnit.SECONDS);
    }

    @Test
    void theMaximumComesFromTheSystemPropertyWhenValid() {
        String old = System.getProperty(GroupCommit.MAX_SYNCS_PROPERTY);
        try {
            System.setProperty(GroupCommit.MAX_SYNCS_PROPERTY, "1");
            assertEquals(1, GroupCommit.configuredMaxSyncs());
            System.setProperty(GroupCommit.MAX_SYNCS_PROPERTY, "0");
            assertEquals(GroupCommit.DEFAULT_MAX_SYNCS, GroupCommit.configuredMaxSyncs());
            System.setProperty(GroupCommit.MAX_SYNCS_PROPERTY, "four");
            assertEquals(GroupCommit.DEFAULT_MAX_SYNCS, GroupCommit.configuredMaxSyncs());
            System.clearProperty(GroupCommit.MAX_SYNCS_PROPERTY);
            assertEquals(GroupCommit.DEFAULT_MAX_SYNCS, GroupCommit.configuredMaxSyncs());
        } finally {
            if (old == null) {
                System.clearProperty(GroupCommit.MAX_SYNCS_PROPERTY);
            } else {
                System.setProperty(GroupCommit.MAX_SYNCS_PROPERTY, old);
            }
        }
    }
}
