package org.vaaitarget.core.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vaaitarget.core.config.LunConfig.WriteCacheMode;
import org.vaaitarget.core.dispatch.TargetDevice;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.lu.LunIdentity;
import org.vaaitarget.core.lu.LunLimits;
import org.vaaitarget.core.lu.lock.StripedRangeLockManager;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.ItNexus;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.testkit.Harness;
import org.vaaitarget.core.assembly.StandardDevice;

/**
 * The threads a command crosses in the core with the file store and {@code writeCache: through}, counted
 * without timing (issue 19): which thread wrote, which synced, which completed the task (the fabric then hops
 * to the connection's event loop once). A WRITE at queue depth 1: the caller (the event loop) hands it to the
 * write lane, which writes, syncs and completes it: one hand-off in the core. Two hosts racing with COMPARE
 * AND WRITE on one block: the second, granted by the first's release on the lane, runs on the lane right after
 * it (no queue, no wake-up), and its sync is the flusher's (the lane stays free for the others). A COMPARE AND
 * WRITE whose blocks are in the page cache compares on the caller's thread: a miscompare never leaves it.
 */
class HandOffCountTest {
    private static final int BS = 512;
    private static final byte[] NAA = {0x60, 0x01, 0x40, 0x55, 0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0, 0, 0, 0x0E, 0x19};
    private static final ItNexus HOST_B = Harness.B;

    @TempDir
    Path dir;

    private final ThreadRecordingMedium medium = new ThreadRecordingMedium();
    private final List<Thread> writers = medium.writers;
    private final List<Thread> syncers = medium.syncers;
    /** The first write waits for it: continuations are attached before anything completes. */
    private final CountDownLatch gate = medium.gate;
    private FileBlockStore store;

    @AfterEach
    void close() {
        medium.close();
    }

    private TargetDevice device() throws IOException {
        store = medium.openStore(dir.resolve("lun.img"), 64L * BS, BS, WriteCacheMode.WRITE_THROUGH);
        LunIdentity id = new LunIdentity(NAA, "HANDOFF0", "VAAITGT", "FILEDISK", "0001");
        LogicalUnit lu = new LogicalUnit(0, store, LunLimits.defaults(BS), id, new StripedRangeLockManager());
        return StandardDevice.of(Harness.TARGET, List.of(lu));
    }

    /** The command's status and the thread that completed it. */
    private record Done(int status, Thread thread) {
    }

    private static CompletableFuture<Done> submit(TargetDevice device, ItNexus nexus, byte[] cdb, byte[] dataOut) {
        return device.submit(Harness.command(nexus, 0, cdb, Unpooled.wrappedBuffer(dataOut))).result()
                .toCompletableFuture()
                .thenApply((CommandResult r) -> new Done(r.status().code(), Thread.currentThread()));
    }

    private static byte[] write16(long lba, int blocks) {
        return Harness.cdb(0x8A, 0, 0, 0, 0, 0, 0, 0, 0, (int) lba, 0, 0, 0, blocks, 0, 0);
    }

    private static byte[] caw(long lba) {
        return Harness.cdb(0x89, 0, 0, 0, 0, 0, 0, 0, 0, (int) lba, 0, 0, 0, 1, 0, 0);
    }

    private static byte[] filled(int length, int value) {
        byte[] b = new byte[length];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void aWriteAtQueueDepthOneIsWrittenSyncedAndCompletedByTheLane() throws Exception {
        TargetDevice device = device();
        CompletableFuture<Done> done = submit(device, Harness.A, write16(5, 1), filled(BS, 7));
        gate.countDown();
        Done d = done.get(10, TimeUnit.SECONDS);
        assertEquals(ScsiStatus.GOOD.code(), d.status());
        assertEquals(1, writers.size());
        assertNotSame(Thread.currentThread(), writers.get(0), "the write left the caller's thread (the lane)");
        assertEquals(List.of(writers.get(0)), syncers, "the lane synced: no hand-off to the flusher");
        assertSame(writers.get(0), d.thread(), "and completed the task: one hand-off in the core");
    }

    /** Waits (up to 10 s) until {@code thread} parks with nothing to run (a pool thread waiting for a job) or ended. */
    private static void awaitIdle(Thread thread) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!EnumSet.of(Thread.State.WAITING, Thread.State.TIMED_WAITING, Thread.State.TERMINATED)
                .contains(thread.getState()) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    @Test
    void aCompareAndWriteThatMiscomparesOnCachedBlocksIsAnsweredOnTheCallersThread() throws Exception {
        TargetDevice device = device();
        gate.countDown();
        assertEquals(ScsiStatus.GOOD.code(),
                submit(device, Harness.A, write16(5, 1), filled(BS, 7)).get(10, TimeUnit.SECONDS).status());
        assertEquals(1, writers.size());
        // block 5 holds 7s, in the page cache since that write: the compare needs no store thread
        Done d = submit(device, HOST_B, caw(5), concat(filled(BS, 1), filled(BS, 2))).get(10, TimeUnit.SECONDS);
        assertEquals(ScsiStatus.CHECK_CONDITION.code(), d.status());
        assertSame(Thread.currentThread(), d.thread(), "compared and answered on the caller's thread: no hand-off");
        assertEquals(1, writers.size(), "nothing written");
        // a match compares on the caller's thread too, and hands only the write to the lane
        Done m = submit(device, HOST_B, caw(5), concat(filled(BS, 7), filled(BS, 2))).get(10, TimeUnit.SECONDS);
        assertEquals(ScsiStatus.GOOD.code(), m.status());
        assertEquals(2, writers.size());
        assertNotSame(Thread.currentThread(), writers.get(1));
    }

    @Test
    void aCompareAndWriteGrantedByAReleaseRunsOnTheLaneAtOnceAndLeavesItsSyncToTheFlusher() throws Exception {
        TargetDevice device = device();
        // A sync may end before the lane attached the command's continuation (likelier with maxSyncs above 1:
        // the second's starts at once), which would then complete the command on the lane: the syncs wait until
        // the lane is idle again (its jobs done), so the completing thread is the flusher's, as it is whenever
        // the sync takes longer than the lane's few microseconds.
        medium.beforeSync = () -> awaitIdle(writers.get(0));
        byte[] a = filled(BS, 1);
        CompletableFuture<Done> first = submit(device, Harness.A, caw(5), concat(new byte[BS], a));
        CompletableFuture<Done> second = submit(device, HOST_B, caw(5), concat(a, filled(BS, 2)));
        gate.countDown();
        assertEquals(ScsiStatus.GOOD.code(), first.get(10, TimeUnit.SECONDS).status());
        Done d = second.get(10, TimeUnit.SECONDS);
        assertEquals(ScsiStatus.GOOD.code(), d.status(), "the second matched the first's record");
        assertEquals(2, writers.size());
        assertSame(writers.get(0), writers.get(1), "granted on the lane, run there: no queue, no wake-up");
        for (Thread t : syncers) {
            assertNotSame(writers.get(0), t, "no sync on the lane after a COMPARE AND WRITE");
        }
        assertNotSame(writers.get(0), d.thread());
    }
}
