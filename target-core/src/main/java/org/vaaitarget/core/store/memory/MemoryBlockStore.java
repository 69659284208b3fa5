package org.vaaitarget.core.store.memory;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.BitSet;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.vaaitarget.core.store.AllocationExtent;
import org.vaaitarget.core.store.BlockStore;
import org.vaaitarget.core.store.CompareOutcome;
import org.vaaitarget.core.store.StoreCapabilities;
import org.vaaitarget.core.store.StoreException;

/**
 * A {@link BlockStore} held in one byte array, for tests and demos. At most 2 GiB.
 *
 * <p>Operations run inline (on the caller's thread) unless an executor is given; with an executor
 * every operation completes on one of its threads, which exercises the same races as a file store.
 * The store itself gives no atomicity between overlapping operations (that is the range locks' job),
 * so a multi-block read racing with a write without locks can really see a torn result (with an
 * executor, transfers copy block by block and yield between blocks to make that likely).
 *
 * <p>Provisioning: a new store is entirely deallocated; writes map blocks and {@link #unmap} deallocates
 * them (and zeroes them), so {@link #allocationAt} and {@link #allocatedBlocks} report what a sparse
 * file would.
 *
 * <p>Counters ({@link #flushCount()}, {@link #fuaWriteCount()}, {@link #writeCount()}) let tests check
 * that FUA and SYNCHRONIZE CACHE reached the store.
 */
public final class MemoryBlockStore implements BlockStore {
    private final int blockSize;
    private final long blockCount;
    private final StoreCapabilities capabilities;
    private final Executor executor;
    private final byte[] data;
    /** Mapped blocks; guarded by itself. */
    private final BitSet mapped = new BitSet();
    private final AtomicLong flushes = new AtomicLong();
    private final AtomicLong fuaWrites = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private volatile boolean closed;

    /** A write-back (volatile cache), thin, unmap-capable store whose operations complete inline. */
    public MemoryBlockStore(int blockSize, long blockCount) {
        this(blockSize, blockCount, new StoreCapabilities(true, true, true, true), null);
    }

    /**
     * @param executor where operations run; null runs them on the caller's thread
     */
    public MemoryBlockStore(int blockSize, long blockCount, StoreCapabilities capabilities, Executor executor) {
        if (blockSize <= 0 || blockCount <= 0 || (long) blockSize * blockCount > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("memory store too large or empty: " + blockCount + " x " + blockSize);
        }
        this.blockSize = blockSize;
        this.blockCount = blockCount;
        this.capabilities = capabilities;
        this.executor = executor;
        this.data = new byte[(int) (blockSize * blockCount)];
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

    /** @return a new heap buffer of blocks*blockSize bytes; the caller releases it */
    @Override
    public CompletableFuture<ByteBuf> read(long lba, int blocks) {
        return run(() -> {
            check(lba, blocks);
            int off = (int) (lba * blockSize);
            int len = blocks * blockSize;
            ByteBuf out = Unpooled.buffer(len, len);
            for (int b = 0; b < blocks; b++) {
                out.writeBytes(data, off + b * blockSize, blockSize);
                pauseBetweenBlocks();
            }
            return out;
        });
    }

    /** Copies {@code data}'s readable bytes (not consumed, not released: the caller keeps it). */
    @Override
    public CompletableFuture<Void> write(long lba, ByteBuf src, boolean fua) {
        return run(() -> {
            int len = src.readableBytes();
            if (len % blockSize != 0) {
                throw new StoreException(StoreException.Kind.IO_WRITE, "write of " + len + " bytes is not whole blocks");
            }
            check(lba, len / blockSize);
            copyIn(lba, src, fua);
            return null;
        });
    }

    private void copyIn(long lba, ByteBuf src, boolean fua) {
        int len = src.readableBytes();
        int off = (int) (lba * blockSize);
        for (int b = 0; b < len; b += blockSize) {
            src.getBytes(src.readerIndex() + b, data, off + b, blockSize);
            pauseBetweenBlocks();
        }
        setMapped(lba, len / blockSize, true);
        writes.incrementAndGet();
        if (fua) {
            fuaWrites.incrementAndGet();
        }
    }

    /**
     * Reads, compares and (when equal) writes in one operation, like a file store's single task. The
     * found buffer of a miscompare is a new heap buffer the receiver releases. Counts as one write (and
     * one FUA write) when it writes.
     */
    @Override
    public CompletableFuture<CompareOutcome> compareAndWrite(long lba, ByteBuf verify, ByteBuf src, boolean fua) {
        int len = verify.readableBytes();
        if (len == 0 || len % blockSize != 0 || src.readableBytes() != len) {
            return BlockStore.super.compareAndWrite(lba, verify, src, fua); // fails with the SPI's message
        }
        return run(() -> {
            check(lba, len / blockSize);
            int off = (int) (lba * blockSize);
            int diff = ByteBuffer.wrap(data, off, len).mismatch(verify.nioBuffer(verify.readerIndex(), len));
            if (diff >= 0) {
                return CompareOutcome.miscompare(diff, Unpooled.copiedBuffer(data, off, len));
            }
            copyIn(lba, src, fua);
            return CompareOutcome.MATCHED;
        });
    }

    @Override
    public CompletableFuture<Void> flush() {
        return run(() -> {
            flushes.incrementAndGet();
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> unmap(long lba, long blocks) {
        return run(() -> {
            check(lba, blocks);
            Arrays.fill(data, (int) (lba * blockSize), (int) ((lba + blocks) * blockSize), (byte) 0);
            setMapped(lba, blocks, false);
            return null;
        });
    }

    @Override
    public CompletableFuture<AllocationExtent> allocationAt(long lba) {
        return run(() -> {
            check(lba, 1);
            synchronized (mapped) {
                boolean isMapped = mapped.get((int) lba);
                int end = isMapped ? mapped.nextClearBit((int) lba) : mapped.nextSetBit((int) lba);
                long stop = end < 0 || end > blockCount ? blockCount : end;
                return new AllocationExtent(lba, stop - lba, isMapped);
            }
        });
    }

    @Override
    public CompletableFuture<OptionalLong> allocatedBlocks() {
        return run(() -> {
            synchronized (mapped) {
                return OptionalLong.of(mapped.cardinality());
            }
        });
    }

    @Override
    public void close() {
        closed = true;
    }

    /** Synchronous copy of blocks, for test assertions (no locks taken). */
    public byte[] peek(long lba, int blocks) {
        check(lba, blocks);
        int off = (int) (lba * blockSize);
        return Arrays.copyOfRange(data, off, off + blocks * blockSize);
    }

    /** Synchronous write of whole blocks, for test setup (no locks taken, not counted). */
    public void poke(long lba, byte[] bytes) {
        if (bytes.length % blockSize != 0) {
            throw new IllegalArgumentException("not whole blocks");
        }
        check(lba, bytes.length / blockSize);
        System.arraycopy(bytes, 0, data, (int) (lba * blockSize), bytes.length);
        setMapped(lba, bytes.length / blockSize, true);
    }

    private void setMapped(long lba, long blocks, boolean value) {
        synchronized (mapped) {
            mapped.set((int) lba, (int) (lba + blocks), value);
        }
    }

    public long flushCount() {
        return flushes.get();
    }

    public long fuaWriteCount() {
        return fuaWrites.get();
    }

    public long writeCount() {
        return writes.get();
    }

    private void check(long lba, long blocks) {
        if (closed) {
            throw new StoreException(StoreException.Kind.CLOSED, "memory store is closed");
        }
        if (lba < 0 || blocks < 0 || lba > blockCount || blocks > blockCount - lba) {
            throw new StoreException(StoreException.Kind.OUT_OF_RANGE, "lba " + lba + " + " + blocks
                    + " beyond " + blockCount);
        }
    }

    /**
     * With an executor, multi-block transfers copy one block at a time and yield in between, as a file
     * store's several positional writes would: an unlocked reader racing a writer really sees a mix.
     */
    private void pauseBetweenBlocks() {
        if (executor != null) {
            Thread.yield();
        }
    }

    private <T> CompletableFuture<T> run(Supplier<T> op) {
        if (closed) {
            return CompletableFuture.failedFuture(new StoreException(StoreException.Kind.CLOSED, "memory store is closed"));
        }
        if (executor == null) {
            try {
                return CompletableFuture.completedFuture(op.get());
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        try {
            return CompletableFuture.supplyAsync(op, executor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new StoreException(StoreException.Kind.BUSY, "executor saturated", e));
        }
    }
}
