package org.vaaitarget.core.store.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.core.config.LunConfig.WriteCacheMode;
import org.vaaitarget.core.store.AllocationExtent;
import org.vaaitarget.core.store.FileRange;
import org.vaaitarget.core.store.StoreCapabilities;
import org.vaaitarget.core.store.StoreException;
import org.vaaitarget.core.store.StoreException.Kind;

class FileBlockStoreTest {
    private static final int BS = 512;
    private static final long SIZE = 64L << 20; // 131072 blocks

    @TempDir
    Path dir;

    /** Unpooled and instrumented: usedDirectMemory returns to 0 only when every buffer was released. */
    private final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(true);
    private FileBlockStore store;

    @AfterEach
    void closeAndCheckLeaks() {
        if (store != null) {
            store.close();
        }
        assertEquals(0, alloc.metric().usedDirectMemory(), "direct buffers leaked");
        assertEquals(0, alloc.metric().usedHeapMemory(), "heap buffers leaked");
    }

    private LunConfig config(String name, long size, int blockSize, WriteCacheMode mode) {
        return new LunConfig(dir.resolve(name), size, blockSize, mode, null);
    }

    private FileBlockStore open(LunConfig config) throws IOException {
        return FileBlockStore.open(config, StoreExecutors.newExecutor("test", 2, 16), alloc);
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(30, TimeUnit.SECONDS);
    }

    private static StoreException failure(CompletableFuture<?> future) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(30, TimeUnit.SECONDS));
        return assertInstanceOf(StoreException.class, e.getCause());
    }

    private static byte[] pattern(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private void write(long lba, byte[] bytes, boolean fua) throws Exception {
        ByteBuf data = alloc.directBuffer(bytes.length).writeBytes(bytes);
        try {
            await(store.write(lba, data, fua));
            assertEquals(1, data.refCnt(), "the store must not release the caller's buffer");
            assertEquals(0, data.readerIndex(), "the store must not move the caller's indexes");
        } finally {
            data.release();
        }
    }

    private byte[] read(long lba, int blocks) throws Exception {
        ByteBuf buf = await(store.read(lba, blocks));
        try {
            assertEquals(blocks * store.blockSize(), buf.readableBytes());
            byte[] bytes = new byte[buf.readableBytes()];
            buf.getBytes(buf.readerIndex(), bytes);
            return bytes;
        } finally {
            buf.release();
        }
    }

    @ParameterizedTest
    @CsvSource({
        "512, WRITE_BACK, 0, 1", "512, WRITE_BACK, 7, 9", "512, WRITE_THROUGH, 1000, 256",
        "512, WRITE_THROUGH, 131071, 1", "512, WRITE_BACK, 131064, 8",
        "4096, WRITE_BACK, 0, 3", "4096, WRITE_THROUGH, 16383, 1", "4096, WRITE_BACK, 100, 64"})
    void writtenBlocksReadBackAndNeighboursStayZero(int blockSize, WriteCacheMode mode, long lba, int blocks)
            throws Exception {
        store = open(config("lun.img", SIZE, blockSize, mode));
        byte[] data = pattern(blocks * blockSize, lba);
        write(lba, data, false);
        assertArrayEquals(data, read(lba, blocks));
        if (lba > 0) {
            assertArrayEquals(new byte[blockSize], read(lba - 1, 1));
        }
        if (lba + blocks < store.blockCount()) {
            assertArrayEquals(new byte[blockSize], read(lba + blocks, 1));
        }
    }

    @Test
    void neverWrittenRegionsReadAsZeros() throws Exception {
        store = open(config("lun.img", SIZE, BS, WriteCacheMode.WRITE_BACK));
        assertArrayEquals(new byte[64 * BS], read(5000, 64));
        assertArrayEquals(new byte[BS], read(store.blockCount() - 1, 1));
    }

    @Test
    void compositeBufferIsWrittenPartByPart() throws Exception {
        store = open(config("lun.img", SIZE, BS, WriteCacheMode.WRITE_BACK));
        byte[] bytes = pattern(4 * BS, 42);
        CompositeByteBuf data = alloc.compositeDirectBuffer();
        data.addComponent(true, alloc.directBuffer().writeBytes(bytes, 0, 700));
        data.addComponent(true, alloc.heapBuffer().writeBytes(bytes, 700, bytes.length - 700));
        try {
            await(store.write(10, data, true));
        } finally {
            data.release();
        }
        assertArrayEquals(bytes, read(10, 4));
    }

    @Test
    void readerIndexOfTheDataIsHonoured() throws Exception {
        store = open(config("lun.img", SIZE, BS, WriteCacheMode.WRITE_BACK));
        byte[] bytes = pattern(BS, 7);
        ByteBuf data = alloc.directBuffer().writeBytes(new byte[] {1, 2, 3}).writeBytes(bytes);
        data.skipBytes(3);
        try {
            await(store.write(3, data, false));
            assertEquals(3, data.readerIndex());
        } finally {
            data.release();
        }
        assertArrayEquals(bytes, read(3, 1));
    }

    @Test
    void capabilitiesFollowTheWriteCacheMode() throws Exception {
        store = open(config("wb.img", SIZE, BS, WriteCacheMode.WRITE_BACK));
        assertEquals(new StoreCapabilities(true, true, true, true), store.capabilities());
        store.close();
        store = open(config("wt.img", SIZE, BS, WriteCacheMode.WRITE_THROUGH));
        assertEquals(new StoreCapabilities(false, true, true, true), store.capabilities());
    }

    @ParameterizedTest
    @EnumSource(WriteCacheMode.class)
    void fuaWritesAndFlushComplete(WriteCacheMode mode) throws Exception {
        store = open(config("lun.img", SIZE, BS, mode));
        byte[] data = pattern(8 * BS, 3);
        write(100, data, true);
        assertEquals(null, await(store.flush()));
        assertArrayEquals(data, read(100, 8));
    }

    @Test
    void missingFileIsCreatedSparseWithParents() throws Exception {
        LunConfig config = new LunConfig(dir.resolve("a/b/lun.img"), SIZE, BS, WriteCacheMode.WRITE_BACK, null);
        store = open(config);
        assertEquals(SIZE, Files.size(config.file()));
        assertEquals(SIZE / BS, store.blockCount());
        allocatedBytes(config.file()).ifPresent(allocated ->
                assertTrue(allocated < (1 << 20), "a new LUN file must be sparse, " + allocated + " bytes allocated"));
    }

    @Test
    void existingFileIsUsedAtItsOwnSize() throws Exception {
        Path file = dir.resolve("old.img");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(40 * 4096);
        }
        store = open(new LunConfig(file, SIZE, 4096, WriteCacheMode.WRITE_BACK, null));
        assertEquals(40, store.blockCount());
        assertEquals(40 * 4096, Files.size(file));
    }

    @Test
    void missingFileWithBadSizeIsRejectedNamingFileAndSize() {
        for (long size : new long[] {0, -4096, 4096 + 512}) {
            LunConfig config = config("bad-" + Math.abs(size) + ".img", size, 4096, WriteCacheMode.WRITE_BACK);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> open(config));
            assertTrue(e.getMessage().contains(config.file().getFileName().toString()), e.getMessage());
            assertTrue(e.getMessage().contains(String.valueOf(size)), e.getMessage());
            assertFalse(Files.exists(config.file()));
        }
    }

    @Test
    void existingFileWithBadSizeIsRejectedNamingTheFile() throws Exception {
        Path ragged = dir.resolve("ragged.img");
        Files.write(ragged, new byte[4096 + 100]);
        IOException e = assertThrows(IOException.class,
                () -> open(new LunConfig(ragged, 8192, 4096, WriteCacheMode.WRITE_BACK, null)));
        assertTrue(e.getMessage().contains(ragged.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("not a multiple of the block size 4096"), e.getMessage());

        Path empty = Files.createFile(dir.resolve("empty.img"));
        e = assertThrows(IOException.class,
                () -> open(new LunConfig(empty, 8192, 512, WriteCacheMode.WRITE_BACK, null)));
        assertTrue(e.getMessage().contains(empty.toString()) && e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void unmapZeroesTheRangeLeavesNeighboursAndFreesSpace() throws Exception {
        store = open(config("lun.img", SIZE, BS, WriteCacheMode.WRITE_BACK));
        int blocks = (4 << 20) / BS; // 4 MiB, aligned
        byte[] data = pattern(blocks * BS + 2 * BS, 9);
        long first = 2048 - 1;
        write(first, data, false);
        await(store.flush());
        var before = allocatedBytes(store.path());

        await(store.unmap(2048, blocks));
        await(store.flush());

        assertArrayEquals(new byte[blocks * BS], read(2048, blocks));
        byte[] neighbours = read(first, 1);
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 0, BS), neighbours);
        assertArrayEquals(java.util.Arrays.copyOfRange(data, data.length - BS, data.length), read(2048 + blocks, 1));
        var after = allocatedBytes(store.path());
        if (before.isPresent() && after.isPresent()) {
            assertTrue(after.get() <= before.get() - (3 << 20),
                    "punching 4 MiB must free space: before " + before.get() + ", after " + after.get());
        }
    }

    @Test
    void unmapOfUnalignedSingleBlocksReadsZeros() throws Exception {
        store = open(config("lun.img", SIZE, BS, WriteCacheMode.WRITE_THROUGH));
        byte[] data = pattern(3 * BS, 11);
        write(41, data, false);
        await(store.unmap(42, 1));
        byte[] expected = data.clone();
        java.util.Arrays.fill(expected, BS, 2 * BS, (byte) 0);
        assertArrayEquals(expected, read(41, 3));
        assertEquals(null, await(store.unmap(0, 0)));
    }

    @Test
    void allocationStatusReportsHolesAndData() throws Exception {
        store = open(config("lun.img", SIZE, 4096, WriteCacheMode.WRITE_BACK));
        write(256, pattern(16 * 4096, 5), false);
        await(store.flush());
        AllocationExtent head = await(store.allocationAt(0));
        if (!head.mapped()) { // SEEK_DATA available
            assertEquals(new AllocationExtent(0, 256, false), head);
            AllocationExtent data = await(store.allocationAt(256));
            assertTrue(data.mapped() && data.blocks() >= 16, data.toString());
            AllocationExtent tail = await(store.allocationAt(1024));
            assertEquals(new AllocationExtent(1024, store.blockCount() - 1024, false), tail);
            await(store.unmap(256, 16));
            assertEquals(new AllocationExtent(0, store.blockCount(), false), await(store.allocationAt(0)));
        } else {
            assertEquals(new AllocationExtent(0, store.blockCount(), true), head);
        }
    }

    @Test
    void outOfRangeRequestsFailWithoutTouchingTheFile() throws Exception {
        store = open(config("lun.img", SIZE, BS, WriteCacheMode.WRITE_BACK));
        long end = store.blockCount();
        assertEquals(Kind.OUT_OF_RANGE, failure(store.read(end, 1)).kind());
        assertEquals(Kind.OUT_OF_RANGE, failure(store.read(end - 1, 2)).kind());
        assertEquals(Kind.OUT_OF_RANGE, failure(store.read(-1, 1)).kind());
        assertEquals(Kind.OUT_OF_RANGE, failure(store.unmap(end - 1, Long.MAX_VALUE)).kind());
        ByteBuf data = alloc.directBuffer().writeZero(2 * BS);
        try {
            assertEquals(Kind.OUT_OF_RANGE, failure(store.write(end - 1, data, false)).kind());
            ByteBuf partial = data.slice(0, BS + 1);
            ExecutionException e = assertThrows(ExecutionException.class, () -> store.write(0, partial, false).get());
            assertInstanceOf(IllegalArgumentException.class, e.getCause());
        } finally {
            data.release();
        }
        assertEquals(SIZE, Files.size(store.path()));
    }

    @Test
    void readPastAShrunkFileIsZeroFilled() throws Exception {
        store = open(config("lun.img", SIZE, BS, WriteCacheMode.WRITE_BACK));
        byte[] data = pattern(2 * BS, 13);
        write(store.blockCount() - 2, data, false);
        try (RandomAccessFile raf = new RandomAccessFile(store.path().toFile(), "rw")) {
            raf.setLength(SIZE - BS - 100); // someone else truncated the file under us
        }
        byte[] expected = new byte[2 * BS];
        System.arraycopy(data, 0, expected, 0, BS - 100);
        assertArrayEquals(expected, read(store.blockCount() - 2, 2));
    }

    @Test
    void fullQueueFailsFastWithBusy() throws Exception {
        ThreadPoolExecutor executor = StoreExecutors.newExecutor("tiny", 1, 1);
        store = FileBlockStore.open(config("lun.img", SIZE, BS, WriteCacheMode.WRITE_BACK), executor, alloc);
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        executor.execute(() -> {
            running.countDown();
            awaitUninterruptibly(release);
        });
        running.await();
        // takes the one queue slot (a write: a small read of cached blocks may not queue at all)
        ByteBuf first = alloc.directBuffer().writeZero(BS);
        CompletableFuture<Void> queued = store.write(1, first, false);
        ByteBuf data = alloc.directBuffer().writeZero(BS);
        try {
            CompletableFuture<Void> refused = store.write(0, data, false);
            assertTrue(refused.isCompletedExceptionally(), "a full queue must fail at once, not block");
            assertEquals(Kind.BUSY, failure(refused).kind());
            assertEquals(Kind.BUSY, failure(store.unmap(5, 1)).kind());
            assertEquals(null, await(store.flush()), "the flush has its own thread: never refused by a full pool");
        } finally {
            data.release();
        }
        release.countDown();
        await(queued);
        first.release();
    }

    /** cachestat(2) came with Linux 6.5; before it no range is ever offered. */
    private static boolean kernelHasCachestat() {
        String[] v = System.getProperty("os.version", "0.0").split("[.-]");
        try {
            int major = Integer.parseInt(v[0]);
            int minor = v.length > 1 ? Integer.parseInt(v[1]) : 0;
            return com.sun.jna.Platform.isLinux() && (major > 6 || major == 6 && minor >= 5);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    @Test
    void largeCachedRangesAreOfferedForZeroCopySmallOnesAndAfterCloseNot() throws Exception {
        store = open(config("lun.img", SIZE, BS, WriteCacheMode.WRITE_BACK));
        int blocks = FileBlockStore.INLINE_READ_MAX / BS * 2;
        byte[] data = pattern(blocks * BS, 21);
        write(64, data, false); // written through the page cache: every page is cached now
        assertArrayEquals(data, read(64, blocks));
        assertNull(store.cachedFileRange(64, FileBlockStore.INLINE_READ_MAX / BS), "small reads are copied");
        FileRange range = store.cachedFileRange(64, blocks);
        if (kernelHasCachestat()) {
            assertNotNull(range, "cachestat says the written pages are cached");
            assertEquals(64L * BS, range.position());
            assertEquals(blocks * BS, range.length());
            ByteBuffer fromFile = ByteBuffer.allocate(range.length());
            range.channel().read(fromFile, range.position());
            assertArrayEquals(data, fromFile.array(), "the range holds exactly the blocks");
        } else {
            assertNull(range, "no cachestat: never offered");
        }
        assertNull(store.cachedFileRange(SIZE / BS - 1, blocks), "out of range");
        store.close();
        assertNull(store.cachedFileRange(64, blocks), "closed");
    }

    @Test
    void smallReadsOfCachedBlocksDoNotWaitForTheExecutorLargeOnesDo() throws Exception {
        assumeTrue(com.sun.jna.Platform.isLinux(), "RWF_NOWAIT reads are Linux only");
        store = open(config("lun.img", SIZE, BS, WriteCacheMode.WRITE_BACK));
        byte[] data = pattern(8 * BS, 9);
        write(100, data, false);
        ThreadPoolExecutor executor = StoreExecutors.newExecutor("blocked", 1, 4);
        FileBlockStore blocked = FileBlockStore.open(config("lun.img", SIZE, BS, WriteCacheMode.WRITE_BACK), executor, alloc);
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        executor.execute(() -> {
            running.countDown();
            awaitUninterruptibly(release);
        });
        try {
            running.await();
            CompletableFuture<ByteBuf> small = blocked.read(100, 8);   // just written: in the page cache
            assertTrue(small.isDone(), "a cached small read is served on the caller's thread");
            ByteBuf buf = small.join();
            try {
                byte[] back = new byte[buf.readableBytes()];
                buf.getBytes(buf.readerIndex(), back);
                assertArrayEquals(data, back);
            } finally {
                buf.release();
            }
            CompletableFuture<ByteBuf> large = blocked.read(0, FileBlockStore.INLINE_READ_MAX / BS + 1);
            assertFalse(large.isDone(), "a large read goes through the executor");
            release.countDown();
            await(large).release();
        } finally {
            release.countDown();
            blocked.close();
        }
    }

    @Test
    void aJobSubmittedByACompletionOnAStoreThreadRunsNextOnThatThreadWithoutTheQueue() throws Exception {
        ThreadPoolExecutor executor = StoreExecutors.newExecutor("chain", 1, 16);
        store = FileBlockStore.open(config("lun.img", SIZE, BS, WriteCacheMode.WRITE_BACK), executor, alloc);
        ByteBuf data = alloc.directBuffer().writeBytes(pattern(BS, 5));
        CountDownLatch release = new CountDownLatch(1);
        try {
            // Hold the only thread so that the dependents below are attached before anything completes.
            executor.execute(() -> awaitUninterruptibly(release));
            CompletableFuture<Void> first = store.write(1, data, false);
            // as a released range lock grants the next COMPARE AND WRITE: the first write's completion submits the second
            CompletableFuture<Void> second = first.thenCompose(v -> store.write(2, data, false));
            // a completion that submits three: the first stays on the thread, the other two take the queue
            CompletableFuture<Void> burst = second.thenCompose(v -> CompletableFuture.allOf(
                    store.unmap(12, 1), store.unmap(10, 1), store.unmap(11, 1)));
            long queuedBefore = executor.getTaskCount();
            release.countDown();
            await(burst);
            assertEquals(queuedBefore + 2, executor.getTaskCount(),
                    "only the two extra jobs of the burst went through the executor's queue");
            assertArrayEquals(pattern(BS, 5), read(2, 1));
        } finally {
            release.countDown();
            data.release();
        }
    }

    @ParameterizedTest
    @EnumSource(WriteCacheMode.class)
    void everyWriteTakesTheWriteLaneAndTheFlushItsOwnThread(WriteCacheMode mode) throws Exception {
        ThreadPoolExecutor lane = StoreExecutors.newExecutor("lane", 1, 16);
        store = FileBlockStore.open(config("lun.img", SIZE, BS, mode), StoreExecutors.newExecutor("pool", 2, 16),
                lane, alloc);
        ByteBuf data = alloc.directBuffer().writeBytes(pattern(BS, 8));
        CountDownLatch release = new CountDownLatch(1);
        try {
            lane.execute(() -> awaitUninterruptibly(release)); // the lane is busy
            CompletableFuture<Void> cached = store.write(1, data, false);
            CompletableFuture<Void> fua = store.write(2, data, true); // only the page cache, then the group commit
            await(store.flush()); // the flusher is not behind the lane
            assertFalse(cached.isDone(), "a write waits for the lane");
            assertFalse(fua.isDone(), "a FUA write is not durable before it was even written");
            release.countDown();
            await(cached);
            await(fua);
            assertArrayEquals(pattern(BS, 8), read(1, 1));
        } finally {
            release.countDown();
            data.release();
        }
    }

    @Test
    void aJobThatMayWaitForTheDiskSubmittedFromTheWriteLaneRunsOnThePool() throws Exception {
        // docs/ARCHITECTURE.md "Threads": everything that may wait for the disk runs off the one write-lane
        // thread (the pool, or the LUN's flusher for fdatasync), even when a write-lane completion submits
        // it (a released range lock). The threads are recorded where the file I/O itself runs (MediumIo),
        // not in a continuation, which may run on whichever thread attaches it.
        ThreadRecordingMedium ranOn = new ThreadRecordingMedium().open();
        ThreadPoolExecutor lane = StoreExecutors.newExecutor("lane", 1, 16);
        store = FileBlockStore.open(config("lun.img", SIZE, BS, WriteCacheMode.WRITE_BACK),
                StoreExecutors.newExecutor("pool", 2, 16), lane, alloc, ranOn);
        ByteBuf data = alloc.directBuffer().writeBytes(pattern(BS, 9));
        CountDownLatch release = new CountDownLatch(1);
        try {
            lane.execute(() -> awaitUninterruptibly(release)); // dependents attach before anything completes
            CompletableFuture<Void> cached = store.write(1, data, false);
            CompletableFuture<Void> flush = cached.thenCompose(v -> store.flush());
            CompletableFuture<Void> fua = cached.thenCompose(v -> store.write(3, data, true));
            CompletableFuture<Void> unmap = cached.thenCompose(v -> store.unmap(5, 1));
            CompletableFuture<Void> next = cached.thenCompose(v -> store.write(2, data, false));
            release.countDown();
            await(flush);
            await(fua);
            await(unmap);
            await(next);
            assertFalse(ranOn.syncers.isEmpty());
            for (Thread t : ranOn.syncers) {
                assertFalse(t.getName().startsWith("store-io-lane-"), "fdatasync ran on " + t.getName());
            }
            assertTrue(ranOn.deallocators.get(0).getName().startsWith("store-io-pool-"),
                    "UNMAP ran on " + ranOn.deallocators.get(0).getName());
            for (Thread t : ranOn.writers) {
                assertTrue(t.getName().startsWith("store-io-lane-"), "a page-cache write stays on the lane: " + t.getName());
            }
        } finally {
            release.countDown();
            data.release();
        }
    }

    @Test
    void withMaxSyncsTwoAFlushRequestedWhileASyncRunsStartsASecondSyncAtOnceOnAnotherThread() throws Exception {
        // Each sync waits (up to 10 s) until both are in progress: one sync at a time would time out.
        CountDownLatch firstInSync = new CountDownLatch(1);
        CountDownLatch bothInSync = new CountDownLatch(2);
        List<Boolean> overlapped = Collections.synchronizedList(new ArrayList<>());
        ThreadRecordingMedium meetInSync = new ThreadRecordingMedium().open();
        meetInSync.beforeSync = () -> {
            firstInSync.countDown();
            bothInSync.countDown();
            try {
                overlapped.add(bothInSync.await(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
        };
        System.setProperty(GroupCommit.MAX_SYNCS_PROPERTY, "2"); // read when the store opens
        try {
            store = FileBlockStore.open(config("lun.img", SIZE, BS, WriteCacheMode.WRITE_THROUGH),
                    StoreExecutors.newExecutor("pool", 2, 16), StoreExecutors.newExecutor("lane", 1, 16), alloc,
                    meetInSync);
        } finally {
            System.clearProperty(GroupCommit.MAX_SYNCS_PROPERTY);
        }
        CompletableFuture<Void> first = store.flush();
        assertTrue(firstInSync.await(10, TimeUnit.SECONDS));
        CompletableFuture<Void> second = store.flush(); // the running sync does not cover it: starts a second
        await(first);
        await(second);
        assertEquals(List.of(true, true), overlapped, "the second sync started while the first ran");
        assertNotSame(meetInSync.syncers.get(0), meetInSync.syncers.get(1));
    }

    private static String thread() {
        return Thread.currentThread().getName();
    }

    @Test
    void closeFinishesQueuedWorkThenRefusesAndIsIdempotent() throws Exception {
        ThreadPoolExecutor executor = StoreExecutors.newExecutor("tiny", 1, 4);
        // flush() never queues behind the pool (the group commit has its own thread): it probes for the closed state
        LunConfig config = config("lun.img", SIZE, BS, WriteCacheMode.WRITE_THROUGH);
        store = FileBlockStore.open(config, executor, alloc);
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        executor.execute(() -> {
            running.countDown();
            awaitUninterruptibly(release);
        });
        running.await();
        byte[] bytes = pattern(BS, 17);
        ByteBuf data = alloc.directBuffer().writeBytes(bytes);
        CompletableFuture<Void> queuedWrite = store.write(77, data, false);
        Thread closer = new Thread(store::close);
        closer.start();
        while (!store.flush().isCompletedExceptionally()) {
            Thread.onSpinWait(); // wait until close() has begun refusing new work
        }
        assertEquals(Kind.CLOSED, failure(store.flush()).kind());
        assertEquals(Kind.CLOSED, failure(store.read(0, 1)).kind());
        release.countDown();
        closer.join();
        assertEquals(null, await(queuedWrite), "work queued before close completes normally");
        data.release();
        store.close(); // again: nothing happens
        store.close();

        store = open(config);
        assertArrayEquals(bytes, read(77, 1));
    }

    @Test
    void failuresAreClassifiedByErrnoNeverByTheirText() {
        String what = "f: op";
        // ENOSPC, EDQUOT: SPACE ALLOCATION FAILED WRITE PROTECT; EROFS: WRITE PROTECTED; whatever the text says
        IOException german = new IOException("Auf dem Gerät ist kein Speicherplatz mehr verfügbar");
        assertEquals(Kind.NO_SPACE, IoFailures.classify(german, Kind.IO_WRITE, what, () -> LinuxFileOps.ENOSPC).kind());
        assertEquals(Kind.NO_SPACE, IoFailures.classify(german, Kind.IO_WRITE, what, () -> LinuxFileOps.EDQUOT).kind());
        assertEquals(Kind.WRITE_PROTECTED, IoFailures.classify(new IOException("Dateisystem ist nur lesbar"),
                Kind.IO_WRITE, what, () -> LinuxFileOps.EROFS).kind());
        assertEquals(Kind.IO_WRITE, IoFailures.classify(new IOException("No space left on device"), Kind.IO_WRITE, what,
                () -> 0).kind(), "the English text alone decides nothing");
        assertEquals(Kind.IO_WRITE, IoFailures.classify(german, Kind.IO_WRITE, what, () -> 5).kind(), "EIO");
        assertEquals(Kind.NO_SPACE, IoFailures.classify(new IOException("x", new com.sun.jna.LastErrorException(28)),
                Kind.IO_WRITE, what).kind(), "errno of our own JNA calls");
        assertEquals(Kind.CLOSED, IoFailures.classify(new java.nio.channels.ClosedChannelException(), Kind.IO_READ, what).kind());
        assertEquals(Kind.IO_READ, IoFailures.classify(new IOException("Input/output error"), Kind.IO_READ, what).kind());
        assertEquals(Kind.IO_WRITE, IoFailures.classify(new IOException("Input/output error"), Kind.IO_WRITE, what).kind());
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        while (true) {
            try {
                latch.await();
                return;
            } catch (InterruptedException ignored) {
                // keep waiting: the test releases the latch
            }
        }
    }

    /** Allocated bytes from stat(1) (st_blocks * 512), or empty where stat is unavailable. */
    private static java.util.Optional<Long> allocatedBytes(Path file) throws IOException, InterruptedException {
        if (!System.getProperty("os.name").toLowerCase().contains("linux")) {
            return java.util.Optional.empty();
        }
        Process p = new ProcessBuilder("stat", "-c", "%b", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        if (p.waitFor() != 0 || !out.matches("\\d+")) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(Long.parseLong(out) * 512);
    }
}
