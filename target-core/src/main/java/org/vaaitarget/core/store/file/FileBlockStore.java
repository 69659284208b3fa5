package org.vaaitarget.core.store.file;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.core.store.AllocationExtent;
import org.vaaitarget.core.store.BlockStore;
import org.vaaitarget.core.store.CompareOutcome;
import org.vaaitarget.core.store.FileRange;
import org.vaaitarget.core.store.StoreCapabilities;
import org.vaaitarget.core.store.StoreException;
import org.vaaitarget.core.store.StoreException.Kind;

/**
 * A {@link BlockStore} on one file: positional {@link FileChannel} I/O on the store's own bounded executor.
 * A full queue fails the request at once with {@link Kind#BUSY}; the caller never waits.
 *
 * <p>Every write goes to the page cache. A write is made durable only where the caller asks (FUA, which the
 * handlers also set for every write while the LU's WCE is 0) or by {@link #flush()}; both ride the store's
 * {@link GroupCommit}: one fdatasync covers every write that completed before it started, while the next
 * batch gathers (no O_DSYNC, no fdatasync per write). WRITE_THROUGH and WRITE_BACK differ only in the cache
 * the LU reports: WRITE_THROUGH has none (WCE=0 and not changeable, so every write is durable before GOOD),
 * WRITE_BACK a volatile one (WCE=1, changeable by MODE SELECT).
 *
 * <p>Executor threads are never interrupted (no {@code shutdownNow}, futures are plain
 * {@link CompletableFuture}s): an interrupt during a FileChannel call would close the channel for every user.
 */
public final class FileBlockStore implements BlockStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileBlockStore.class);
    private static final long CLOSE_WAIT_SECONDS = 60;
    /** Reads up to this size may be served from the page cache on the caller's thread (a short memcpy). */
    static final int INLINE_READ_MAX = PageCacheReader.INLINE_READ_MAX;

    private final Path path;
    private final FileChannel channel;
    private final int blockSize;
    /** Grows with {@link #grow} (published after the file has grown); never shrinks. */
    private volatile long blockCount;
    private final boolean readOnly;
    private final StoreCapabilities capabilities;
    private final ThreadPoolExecutor executor;
    /**
     * One thread for the writes, which only reach the page cache (durability is the group commit's job), and
     * the COMPARE AND WRITEs: those take microseconds, so one thread drains a burst of them with one wake-up,
     * where the pool woke a thread per write (measured: 4 KiB writes at qd8 cost 20 % less target CPU this
     * way). What may wait for the disk (reads that missed the page cache, UNMAP) stays on the pool, where a
     * slow one does not hold up the others; the fdatasyncs run on {@link #flusher} (with {@code through}, for a
     * write alone on the lane, on the lane itself: {@link #requestFlush}).
     */
    private final ThreadPoolExecutor writeLane;
    /**
     * Runs the group commit's flusher jobs: one thread per sync that may run at once
     * ({@link GroupCommit#DEFAULT_MAX_SYNCS}), never more jobs than that queued or running.
     */
    private final ThreadPoolExecutor flusher;
    /** writeCache through: the lane syncs itself when idle ({@link #requestFlush}). */
    private final boolean writeThrough;
    /** The group commit's own descriptors: each concurrent sync is told of every writeback error (SyncChannels). */
    private final SyncChannels syncChannels;
    private final MediumIo medium;
    private final GroupCommit commit;
    private final BlockFileIo io;
    /** Non-blocking reads from the page cache (shares the native calls that {@link #sparse} closes). */
    private final PageCacheReader pageCache;
    private final SparseRegions sparse;
    /** The native calls (a second descriptor on the file), null where unavailable: errno of failed writes. */
    private final LinuxFileOps nativeOps;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The atomic-write journal ({@code <file>.atomic}), or null for a read-only LUN. */
    private final AtomicWriteJournal atomicJournal;
    private final FileChannel atomicChannel;
    /**
     * Set on this store's executor threads while they run a job: the one follow-up job for the same
     * executor that the job's completion submitted (see {@link #submit}), run by the same thread right after it.
     */
    private final ThreadLocal<FollowUp> followUp = new ThreadLocal<>();

    private FileBlockStore(BackingFile file, LunConfig config, ThreadPoolExecutor executor, ThreadPoolExecutor writeLane,
                           ByteBufAllocator allocator, UnaryOperator<MediumIo> interpose) throws IOException {
        int maxSyncs = GroupCommit.configuredMaxSyncs();
        this.syncChannels = openSyncChannels(file, config, maxSyncs);
        this.path = file.path();
        this.channel = file.channel();
        this.blockSize = config.blockSize();
        this.blockCount = file.sizeBytes() / blockSize;
        this.readOnly = config.readOnly();
        // A read-only file has no write cache to flush (WCE=0) and nothing is ever written to it.
        boolean writeBack = !readOnly && config.writeCache() == LunConfig.WriteCacheMode.WRITE_BACK;
        this.capabilities = new StoreCapabilities(writeBack, true, true, true);
        this.writeThrough = !writeBack;
        this.executor = executor;
        this.writeLane = writeLane;
        this.nativeOps = LinuxFileOps.open(path, readOnly).orElse(null); // null where unavailable
        this.pageCache = new PageCacheReader(nativeOps, allocator, blockSize);
        this.sparse = new SparseRegions(path, channel, nativeOps);
        this.medium = interpose.apply(MediumIo.of(channel, sparse, syncChannels));
        this.io = new BlockFileIo(channel, medium, blockSize, allocator);
        this.flusher = StoreExecutors.newExecutor(String.valueOf(path.getFileName()) + "-flush", maxSyncs, maxSyncs);
        this.commit = new GroupCommit(path.toString(), medium::sync, maxSyncs, flusher, executor);
        this.atomicChannel = file.journal();
        this.atomicJournal = atomicChannel == null ? null : new AtomicWriteJournal(PositionalFile.of(atomicChannel),
                PositionalFile.of(channel), file.sizeBytes(), MAX_ATOMIC_WRITE_BYTES);
    }

    /** One descriptor per concurrent sync for a writable LUN; on failure closes the file's channels. */
    private static SyncChannels openSyncChannels(BackingFile file, LunConfig config, int maxSyncs) throws IOException {
        if (config.readOnly()) {
            return SyncChannels.none(file.channel());
        }
        try {
            return SyncChannels.open(file.path(), maxSyncs, file.channel());
        } catch (IOException e) {
            file.channel().close();
            if (file.journal() != null) {
                file.journal().close();
            }
            throw e;
        }
    }

    /** The largest atomic write: 1 MiB, one journal record. */
    static final int MAX_ATOMIC_WRITE_BYTES = 1 << 20;

    /**
     * Opens the LUN's file, creating it sparse when missing (see {@link LunConfig#sizeBytes()}).
     *
     * @throws IllegalArgumentException a missing file with a size that is not a positive multiple of the block size
     * @throws IOException              the file cannot be created or opened, or has an unusable size; names the file
     */
    public static FileBlockStore open(LunConfig config) throws IOException {
        String name = String.valueOf(config.file().getFileName());
        return open(config, StoreExecutors.newExecutor(name, StoreExecutors.DEFAULT_THREADS, StoreExecutors.DEFAULT_QUEUE),
                StoreExecutors.newExecutor(name + "-cached-writes", 1, StoreExecutors.DEFAULT_QUEUE),
                PooledByteBufAllocator.DEFAULT);
    }

    /** Opens with one given executor for everything (the store owns it from now on) and read-buffer allocator. */
    static FileBlockStore open(LunConfig config, ThreadPoolExecutor executor, ByteBufAllocator allocator)
            throws IOException {
        return open(config, executor, executor, allocator);
    }

    /** Opens with a given pool and write lane (the store owns both from now on; they may be the same). */
    static FileBlockStore open(LunConfig config, ThreadPoolExecutor executor, ThreadPoolExecutor writeLane,
                               ByteBufAllocator allocator) throws IOException {
        return open(config, executor, writeLane, allocator, UnaryOperator.identity());
    }

    /** For tests: opens with the default executors, every file change and sync going through {@code interpose}. */
    static FileBlockStore open(LunConfig config, UnaryOperator<MediumIo> interpose) throws IOException {
        String name = String.valueOf(config.file().getFileName());
        return open(config, StoreExecutors.newExecutor(name, StoreExecutors.DEFAULT_THREADS, StoreExecutors.DEFAULT_QUEUE),
                StoreExecutors.newExecutor(name + "-cached-writes", 1, StoreExecutors.DEFAULT_QUEUE),
                PooledByteBufAllocator.DEFAULT, interpose);
    }

    /** For tests: given executors, and a layer under the file I/O ({@link MediumIo}). */
    static FileBlockStore open(LunConfig config, ThreadPoolExecutor executor, ThreadPoolExecutor writeLane,
                               ByteBufAllocator allocator, UnaryOperator<MediumIo> interpose) throws IOException {
        try {
            FileBlockStore store = new FileBlockStore(BackingFile.open(config), config, executor, writeLane, allocator,
                    interpose);
            try {
                if (store.atomicJournal != null) {
                    store.atomicJournal.recover(store.path.toString()); // before any I/O: replay or drop
                }
            } catch (IOException | RuntimeException e) {
                store.close();
                throw new IOException(store.path + ": cannot recover the atomic-write journal: " + e, e);
            }
            return store;
        } catch (IOException | RuntimeException e) {
            executor.shutdown();
            writeLane.shutdown();
            throw e;
        }
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public long blockCount() {
        return blockCount;
    }

    @Override
    public StoreCapabilities capabilities() {
        return capabilities;
    }

    /**
     * Extends the file with ftruncate(2) (the new blocks are a hole: no space is allocated, they read as
     * zeros) on the store's pool, then publishes the new block count. A count below the current one is
     * refused: shrinking would cut off data an initiator may still address.
     */
    @Override
    public CompletableFuture<Void> grow(long newBlockCount) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        submit(executor, result, () -> path + ": grow to " + newBlockCount + " blocks", Kind.IO_WRITE, () -> {
            synchronized (this) {
                long current = blockCount;
                if (newBlockCount < current) {
                    throw new StoreException(Kind.OUT_OF_RANGE, path + ": cannot shrink from " + current
                            + " to " + newBlockCount + " blocks");
                }
                if (newBlockCount > current) {
                    try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(path.toFile(), "rw")) {
                        file.setLength(newBlockCount * blockSize);
                    }
                    channel.force(true); // the new size is metadata: on disk before we report it
                    blockCount = newBlockCount;
                }
            }
            result.complete(null);
        });
        return result;
    }

    /** Opened read-only (a write-protected LUN): every write fails with {@link Kind#IO_WRITE}. */
    @Override
    public boolean readOnly() {
        return readOnly;
    }

    /** The backing file. */
    public Path path() {
        return path;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The buffer comes from the store's allocator (pooled direct by default) and is zero-filled past
     * the end of the file. If the future was completed by someone else (cancelled), the buffer is released here.
     */
    @Override
    public CompletableFuture<ByteBuf> read(long lba, int blocks) {
        StoreException bad = checkRange(lba, blocks);
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        if ((long) blocks * blockSize > Integer.MAX_VALUE) {
            return CompletableFuture.failedFuture(new StoreException(Kind.OUT_OF_RANGE,
                    path + ": a read of " + blocks + " blocks does not fit in one buffer"));
        }
        // A page-cache hit is served on the caller's thread (RWF_NOWAIT: never blocks on the disk);
        // a miss falls back to the executor below.
        ByteBuf cached = closed.get() ? null : pageCache.readIfCached(lba, blocks);
        if (cached != null) {
            return CompletableFuture.completedFuture(cached);
        }
        CompletableFuture<ByteBuf> result = new CompletableFuture<>();
        Supplier<String> what = () -> path + ": read of " + blocks + " blocks at LBA " + lba;
        submit(executor, result, what, Kind.IO_READ, () -> {
            ByteBuf buf = io.readBlocks(lba, blocks);
            if (!result.complete(buf)) {
                buf.release();
            }
        });
        return result;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Only for reads larger than {@link #INLINE_READ_MAX} (smaller ones are copied on the caller's
     * thread, which costs less than a second message per PDU), and only where {@code cachestat(2)} tells
     * that every page is cached (Linux 6.5 and later; elsewhere always null).
     */
    @Override
    public FileRange cachedFileRange(long lba, int blocks) {
        long length = (long) blocks * blockSize;
        if (length <= INLINE_READ_MAX || length > Integer.MAX_VALUE || checkRange(lba, blocks) != null
                || closed.get() || !pageCache.isCached(lba * blockSize, length)) {
            return null;
        }
        return new FileRange(channel, lba * blockSize, (int) length);
    }

    /**
     * {@inheritDoc}
     *
     * <p>{@code data}'s readable bytes are written as they are (no copy for direct buffers); its indexes
     * and reference count are left untouched. The write goes to the page cache on the write lane; with
     * {@code fua} the future then waits for the group commit's next fdatasync.
     */
    @Override
    public CompletableFuture<Void> write(long lba, ByteBuf data, boolean fua) {
        int length = data.readableBytes();
        if (length == 0 || length % blockSize != 0) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    path + ": write data of " + length + " bytes is not a whole number of " + blockSize + "-byte blocks"));
        }
        StoreException bad = checkRange(lba, length / blockSize);
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        Supplier<String> what = () -> path + ": write of " + length / blockSize + " blocks at LBA " + lba;
        int from = data.readerIndex();
        submit(writeLane, result, what, Kind.IO_WRITE, () -> {
            io.writeBlocks(lba, data, from, length);
            result.complete(null);
        }, writeProbe(lba, data, from, length));
        return fua ? result.thenCompose(v -> requestFlush()) : result;
    }

    /**
     * {@inheritDoc}
     *
     * <p>With the blocks in the page cache, read and compare run on the caller's thread and only a match's write
     * goes to the write lane; otherwise read, compare and write run in ONE task on the lane
     * ({@link CompareAndWriteTask}): one queue hop instead of two for the ATS heartbeat. FUA then waits for the
     * group commit. A read failure is reported as {@link Kind#IO_READ}, a write
     * failure as {@link Kind#IO_WRITE}, as the separate calls would. If the future was completed by someone
     * else (cancelled), a miscompare's found buffer is released here.
     */
    @Override
    public CompletableFuture<CompareOutcome> compareAndWrite(long lba, ByteBuf verify, ByteBuf write, boolean fua) {
        int length = verify.readableBytes();
        if (length == 0 || length % blockSize != 0 || write.readableBytes() != length) {
            return BlockStore.super.compareAndWrite(lba, verify, write, fua); // fails with the SPI's message
        }
        int blocks = length / blockSize;
        StoreException bad = checkRange(lba, blocks);
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        CompletableFuture<CompareOutcome> result = new CompletableFuture<>();
        // described only if it fails: no string is built per command
        Supplier<String> what = () -> path + ": compare and write of " + blocks + " blocks at LBA " + lba;
        int writeFrom = write.readerIndex();
        // The compare on the caller's thread when the blocks are in the page cache (RWF_NOWAIT: never waits
        // for the disk, so even an event loop may do it). A miscompare is then answered without any store
        // thread (three in four COMPARE AND WRITEs with eight hosts racing for one block); a match hands only
        // the write to the lane. Sound because the caller holds the EXCLUSIVE range lock of the blocks from
        // before this read until after the write completes (see BlockStore#compareAndWrite).
        ByteBuf cached = closed.get() ? null : pageCache.readIfCached(lba, blocks);
        IoAction onLane;
        if (cached == null) {
            onLane = () -> CompareAndWriteTask.run(io, lba, blocks, verify, write, writeFrom, length, result, what);
        } else {
            CompareOutcome miscompare = CompareAndWriteTask.compare(verify, cached);
            if (miscompare != null) {
                return CompletableFuture.completedFuture(miscompare);
            }
            onLane = () -> {
                io.writeBlocks(lba, write, writeFrom, length);
                result.complete(CompareOutcome.MATCHED);
            };
        }
        submit(writeLane, result, what, Kind.IO_WRITE,
                () -> {
                    markCompareAndWrite();
                    onLane.run();
                },
                writeProbe(lba, write, writeFrom, length));
        if (!fua) {
            return result;
        }
        return result.thenCompose(outcome -> !outcome.matched() ? CompletableFuture.completedFuture(outcome)
                : requestFlush().thenApply(v -> outcome));
    }

    @Override
    public int maxAtomicWriteBytes() {
        return MAX_ATOMIC_WRITE_BYTES;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Through the {@link AtomicWriteJournal} on the pool (three forces: journal, file, journal), one
     * atomic write at a time per LUN.
     */
    @Override
    public CompletableFuture<Void> writeAtomic(long lba, ByteBuf data) {
        int length = data.readableBytes();
        if (atomicJournal == null || length == 0 || length % blockSize != 0 || length > MAX_ATOMIC_WRITE_BYTES) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(path + ": atomic write of " + length
                    + " bytes not possible here"));
        }
        StoreException bad = checkRange(lba, length / blockSize);
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        int from = data.readerIndex();
        submit(executor, result, () -> path + ": atomic write of " + length / blockSize + " blocks at LBA " + lba, Kind.IO_WRITE,
                () -> {
                    atomicJournal.write(lba * blockSize, data.nioBuffer(from, length));
                    result.complete(null);
                });
        return result;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Joins the group commit: completes after an fdatasync that started after this call, which covers
     * every write and hole punch completed before it. Fails with IO_WRITE when that fdatasync (or any
     * earlier one since the store was opened) failed: see {@link GroupCommit}.
     */
    @Override
    public CompletableFuture<Void> flush() {
        if (closed.get()) {
            return CompletableFuture.failedFuture(closedException());
        }
        return requestFlush();
    }

    /**
     * Joins the group commit. With {@code writeCache: through}, on the write lane with nothing else queued for
     * it (a write at queue depth 1, whose completion asks for the flush on the lane), the lane thread runs the
     * fdatasync itself instead of waking a flusher (GroupCommit.requestHere): the command then costs two
     * thread hand-offs (event loop, lane, event loop) instead of three. Anything else queued for the lane
     * (another write, the next COMPARE AND WRITE a released range lock granted) keeps the lane free: the
     * flusher syncs while the lane writes. A lane job that arrives during the lane's sync waits for it; in
     * {@code through} every lane job but a miscomparing COMPARE AND WRITE waits for that sync or the next one
     * before its GOOD anyway. Not after a COMPARE AND WRITE, though: ATS is where hosts race for one block,
     * and the others' COMPARE AND WRITEs that miscompare (three in four, with eight hosts on one block) need
     * no flush and must not wait behind the winner's. With {@code back} the lane never syncs: its writes answer
     * from the page cache and must not wait behind a FUA write's fdatasync.
     */
    private CompletableFuture<Void> requestFlush() {
        // the flag is the running job's own: a COMPARE AND WRITE's completion asks for its flush on the lane
        FollowUp slot = followUp.get();
        boolean laneIdle = writeThrough && slot != null && slot.lane == writeLane && slot.next == null
                && !slot.compareAndWrite && writeLane.getQueue().isEmpty();
        return laneIdle ? commit.requestHere() : commit.request();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Punches a hole where the file system can (freeing space), else writes zeros, in the page cache and
     * the file's extent map; like a write, it is durable after the next {@link #flush()} (the caller flushes
     * while the LU's WCE is 0).
     */
    @Override
    public CompletableFuture<Void> unmap(long lba, long blocks) {
        StoreException bad = checkRange(lba, blocks);
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        if (blocks == 0) {
            result.complete(null);
            return result;
        }
        submit(executor, result, () -> path + ": unmap of " + blocks + " blocks at LBA " + lba, Kind.IO_WRITE, () -> {
            medium.deallocate(lba * blockSize, blocks * blockSize);
            result.complete(null);
        });
        return result;
    }

    /**
     * The provisioning status of the run of blocks starting at {@code lba} (for GET LBA STATUS), from
     * SEEK_DATA/SEEK_HOLE; where those are unavailable every block reports as mapped.
     */
    @Override
    public CompletableFuture<AllocationExtent> allocationAt(long lba) {
        StoreException bad = checkRange(lba, 1);
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        CompletableFuture<AllocationExtent> result = new CompletableFuture<>();
        submit(executor, result, () -> path + ": allocation status at LBA " + lba, Kind.IO_READ,
                () -> result.complete(sparse.extentAt(lba, blockCount, blockSize)));
        return result;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Sums the file's data extents (SEEK_DATA/SEEK_HOLE), rounded up to whole blocks; empty where those
     * calls are unavailable.
     */
    @Override
    public CompletableFuture<OptionalLong> allocatedBlocks() {
        CompletableFuture<OptionalLong> result = new CompletableFuture<>();
        submit(executor, result, () -> path + ": allocated size", Kind.IO_READ, () -> {
            long bytes = sparse.allocatedBytes(blockCount * blockSize);
            result.complete(bytes < 0 ? OptionalLong.empty() : OptionalLong.of((bytes + blockSize - 1) / blockSize));
        });
        return result;
    }

    /**
     * Flushes, lets queued and running operations finish (new ones fail with {@link Kind#CLOSED}), then
     * closes the file. Blocks the caller (up to a minute if the disk hangs), so never call it from a
     * completion of this store's own futures, which may run on its executor. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        executor.shutdown();
        writeLane.shutdown();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CLOSE_WAIT_SECONDS);
            boolean done = executor.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)
                    && writeLane.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            flusher.shutdown(); // after the lanes: their last FUA writes still join a flush
            if (!done || !flusher.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                LOG.warn("{}: store operations still running after {} s; closing the file under them",
                        path, CLOSE_WAIT_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (!commit.failed()) { // after a failed flush a later one proves nothing (see GroupCommit)
                medium.sync();
            }
        } catch (IOException e) {
            LOG.error("{}: flush on close failed: {}", path, e.toString());
        } finally {
            sparse.close();
            try {
                syncChannels.close();
            } catch (IOException e) {
                LOG.warn("{}: closing the sync descriptors failed: {}", path, e.toString());
            }
            try {
                if (atomicChannel != null) {
                    atomicChannel.close();
                }
            } catch (IOException e) {
                LOG.warn("{}: closing the atomic-write journal failed: {}", path, e.toString());
            }
            try {
                channel.close();
            } catch (IOException e) {
                LOG.warn("{}: close failed: {}", path, e.toString());
            }
        }
    }

    /** A blocking file operation that completes its own future on success. */
    private interface IoAction {
        void run() throws IOException;
    }

    /**
     * Runs {@code action} on the executor. One shortcut: when the caller is this store's executor thread
     * running a job (a completion of that job submitted this one: the next COMPARE AND WRITE granted the
     * range lock that the finished one released, say), the first such job runs on the same thread right
     * after the current one instead of going through the queue. That saves waking a second thread per
     * hand-off, which is most of the cost of a contended ATS lock. Only one is kept per job, so a burst
     * (a released lock granting many readers) still spreads over the executor's threads. Only a job meant
     * for the executor the thread belongs to: one that may wait for the disk, submitted from the write
     * lane, goes to the pool, or a slow disk would hold up every page-cache write behind it.
     */
    private void submit(ThreadPoolExecutor lane, CompletableFuture<?> result, Supplier<String> what, Kind failureKind,
                        IoAction action) {
        submit(lane, result, what, failureKind, action,
                failureKind == Kind.IO_WRITE && nativeOps != null ? nativeOps::fileSystemErrno : null);
    }

    /**
     * Where a write failed with an IOException: the errno of the same write repeated through JNA, else
     * (it succeeds now, say the flush after it failed) what the file system says (IoFailures).
     */
    private IoFailures.ErrnoProbe writeProbe(long lba, ByteBuf data, int from, int length) {
        if (nativeOps == null) {
            return null;
        }
        return () -> {
            int errno = nativeOps.writeErrno(lba * blockSize, data, from, length);
            return errno != 0 ? errno : nativeOps.fileSystemErrno();
        };
    }

    /** @param probe tells the errno behind an IOException of {@code action}, or null (IoFailures) */
    private void submit(ThreadPoolExecutor lane, CompletableFuture<?> result, Supplier<String> what, Kind failureKind,
                        IoAction action, IoFailures.ErrnoProbe probe) {
        if (closed.get()) {
            result.completeExceptionally(closedException());
            return;
        }
        Runnable job = () -> {
            try {
                action.run();
            } catch (Throwable t) {
                result.completeExceptionally(IoFailures.classify(t, failureKind, what.get(), probe));
            }
        };
        FollowUp slot = followUp.get();
        if (slot != null && slot.lane == lane && slot.next == null) {
            slot.next = job;
            return;
        }
        try {
            lane.execute(() -> runWithFollowUps(lane, job));
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(closed.get() ? closedException()
                    : new StoreException(Kind.BUSY, path + ": store queue full (" + lane.getQueue().size()
                            + " waiting); " + what.get() + " refused"));
        }
    }

    /** Tells {@link #requestFlush} that the job running on this store thread is a COMPARE AND WRITE. */
    private void markCompareAndWrite() {
        FollowUp slot = followUp.get();
        if (slot != null) {
            slot.compareAndWrite = true;
        }
    }

    /** Runs a job on a thread of {@code lane}, then the follow-up for that lane it submitted, and so on. */
    private void runWithFollowUps(ThreadPoolExecutor lane, Runnable job) {
        FollowUp slot = new FollowUp(lane);
        followUp.set(slot);
        try {
            for (Runnable next = job; next != null; next = slot.next) {
                slot.next = null;
                slot.compareAndWrite = false;
                next.run(); // never throws: the job completes its future either way
            }
        } finally {
            followUp.remove();
        }
    }

    /** The executor a store thread belongs to, and the follow-up job for it (or null). */
    private static final class FollowUp {
        final ThreadPoolExecutor lane;
        Runnable next;
        /** The running job is a COMPARE AND WRITE: its flush never runs on the lane ({@link #requestFlush}). */
        boolean compareAndWrite;

        FollowUp(ThreadPoolExecutor lane) {
            this.lane = lane;
        }
    }

    private StoreException checkRange(long lba, long blocks) {
        if (lba < 0 || blocks < 0 || lba > blockCount || blocks > blockCount - lba) {
            return new StoreException(Kind.OUT_OF_RANGE, path + ": blocks [" + lba + ", +" + blocks
                    + ") are outside the " + blockCount + " blocks of the store");
        }
        return null;
    }

    private StoreException closedException() {
        return new StoreException(Kind.CLOSED, path + ": the store is closed");
    }
}
