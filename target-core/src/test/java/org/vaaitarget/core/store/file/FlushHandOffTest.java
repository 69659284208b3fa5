package org.vaaitarget.core.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vaaitarget.core.config.LunConfig.WriteCacheMode;

/**
 * Which threads a durable write crosses (the hand-offs counted for issue 19): a write whose flush is
 * requested on the write lane with nothing else queued there (queue depth 1) is synced by the lane thread
 * itself, not by the flusher: event loop, lane, event loop instead of event loop, lane, flusher, event loop.
 * With more writes queued on the lane, the flusher syncs so that the lane keeps writing; with
 * {@code writeCache: back} the lane never syncs (its writes must not wait behind a FUA write's fdatasync),
 * nor after a COMPARE AND WRITE (the other hosts' miscompares must not wait behind the winner's sync).
 */
class FlushHandOffTest {
    private static final int BS = 512;

    @TempDir
    Path dir;

    private final ThreadRecordingMedium medium = new ThreadRecordingMedium();
    private final List<Thread> writers = medium.writers;
    private final List<Thread> syncers = medium.syncers;
    /** The first write waits for it: the test builds its continuations before any write completes. */
    private final CountDownLatch gate = medium.gate;
    private FileBlockStore store;

    @AfterEach
    void close() {
        medium.close();
    }

    private FileBlockStore open() throws IOException {
        return open(WriteCacheMode.WRITE_THROUGH);
    }

    private FileBlockStore open(WriteCacheMode mode) throws IOException {
        store = medium.openStore(dir.resolve("lun.img"), 64L * BS, BS, mode);
        return store;
    }

    /** What Durability does: the write, then (on the thread that completed it) a flush. */
    private CompletableFuture<Thread> durableWrite(long lba) {
        ByteBuf data = Unpooled.wrappedBuffer(new byte[BS]);
        return store.write(lba, data, false)
                .thenCompose(v -> store.flush())
                .thenApply(v -> Thread.currentThread());
    }

    @Test
    void aWriteAloneOnTheLaneIsSyncedAndCompletedByTheLaneThread() throws Exception {
        open();
        CompletableFuture<Thread> done = durableWrite(3);
        gate.countDown();
        Thread completedOn = done.get(10, TimeUnit.SECONDS);
        assertEquals(1, syncers.size());
        assertSame(writers.get(0), syncers.get(0), "no hand-off to the flusher at queue depth 1");
        assertSame(writers.get(0), completedOn);
    }

    @Test
    void withAnotherWriteQueuedTheFlusherSyncsAndTheLaneGoesOnWriting() throws Exception {
        open();
        CompletableFuture<Thread> first = durableWrite(3);
        CompletableFuture<Thread> second = durableWrite(4); // queued on the lane behind the first
        gate.countDown();
        first.get(10, TimeUnit.SECONDS);
        second.get(10, TimeUnit.SECONDS);
        assertEquals(2, writers.size());
        assertSame(writers.get(0), writers.get(1));
        assertTrue(syncers.size() >= 1);
        assertNotSame(writers.get(0), syncers.get(0), "the first write's flush went to the flusher: a write was queued");
    }

    @Test
    void withWriteBackTheLaneNeverSyncs() throws Exception {
        open(WriteCacheMode.WRITE_BACK);
        CompletableFuture<Thread> done = durableWrite(3);
        gate.countDown();
        done.get(10, TimeUnit.SECONDS);
        assertEquals(1, syncers.size());
        assertNotSame(writers.get(0), syncers.get(0));
    }

    @Test
    void aCompareAndWriteAloneOnTheLaneLeavesItsSyncToTheFlusher() throws Exception {
        open();
        CompletableFuture<Thread> done = store.compareAndWrite(3, Unpooled.wrappedBuffer(new byte[BS]),
                        Unpooled.wrappedBuffer(new byte[BS]), false)
                .thenCompose(outcome -> {
                    assertTrue(outcome.matched());
                    return store.flush();
                })
                .thenApply(v -> Thread.currentThread());
        gate.countDown();
        done.get(10, TimeUnit.SECONDS);
        assertEquals(1, syncers.size());
        assertNotSame(writers.get(0), syncers.get(0), "the lane stays free for the other hosts' COMPARE AND WRITEs");
    }
}
