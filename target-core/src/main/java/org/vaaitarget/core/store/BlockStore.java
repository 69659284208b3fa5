package org.vaaitarget.core.store;

import io.netty.buffer.ByteBuf;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * The backing-store SPI: a linear array of fixed-size blocks. Every operation is asynchronous so that
 * no transport thread ever waits on disk; implementations run blocking I/O on their own bounded
 * executor and fail fast with {@link StoreException.Kind#BUSY} when it is saturated.
 *
 * <p>Range checks are the caller's job (handlers check against {@link #blockCount()} first), but
 * implementations still refuse out-of-range requests with {@link StoreException.Kind#OUT_OF_RANGE}.
 * Atomicity against other commands is the range-lock manager's job, not the store's.
 */
public interface BlockStore extends AutoCloseable {

    /** Logical block size in bytes (512 or 4096). */
    int blockSize();

    /** Number of logical blocks. May grow while the store is open ({@link #grow}); it never shrinks. */
    long blockCount();

    /**
     * Grows the store to {@code newBlockCount} blocks (the new blocks read as zeros); {@link #blockCount()}
     * answers the new count once the future has completed. The default refuses: a store that cannot grow.
     *
     * @return fails with {@link StoreException.Kind#OUT_OF_RANGE} when {@code newBlockCount} is smaller than
     *         the current count, or when this store cannot grow
     */
    default CompletableFuture<Void> grow(long newBlockCount) {
        return CompletableFuture.failedFuture(new StoreException(StoreException.Kind.OUT_OF_RANGE,
                "this store cannot be resized"));
    }

    StoreCapabilities capabilities();

    /**
     * Whether the medium is write-protected (a read-only LUN): the LU then refuses every command that would
     * change it with DATA PROTECT / WRITE PROTECTED before it reaches the store.
     */
    default boolean readOnly() {
        return false;
    }

    /**
     * Reads {@code blocks} blocks starting at {@code lba}.
     *
     * @return a new buffer of exactly blocks*blockSize readable bytes; the caller releases it
     */
    CompletableFuture<ByteBuf> read(long lba, int blocks);

    /**
     * Where the blocks lie in a file, when this store can let the transport send them from there
     * (zero-copy Data-In) right now: every byte already in the page cache, so that sending never waits
     * for the disk. Null (the default) when not: the caller then {@link #read}s. The caller holds a
     * range lock on the blocks for as long as it uses the range.
     */
    default FileRange cachedFileRange(long lba, int blocks) {
        return null;
    }

    /**
     * Writes {@code data} (a whole number of blocks) at {@code lba}. The store does not release
     * {@code data}; the caller keeps ownership and releases it after the future completes.
     *
     * <p>Without {@code fua} a store may keep the write in a volatile cache, whatever mode it was opened in:
     * durability is the caller's request, by {@code fua} or a later {@link #flush()}, which the handlers make
     * for every change of the medium while the LU's WCE is 0 (SBC-4 4.15).
     *
     * @param fua when true the data is on stable storage before the future completes (SBC-4 FUA)
     */
    CompletableFuture<Void> write(long lba, ByteBuf data, boolean fua);

    /**
     * The medium half of COMPARE AND WRITE (SBC-4 5.3): reads the blocks at {@code lba}, compares them with
     * {@code verify} and, only when they are equal, writes {@code write} there. The caller holds an
     * exclusive range lock on the blocks (the store gives no atomicity of its own); this method only
     * saves round trips. The default does it with {@link #read} and {@link #write}; a store that can
     * should do all of it in one task on its executor.
     *
     * <p>Neither buffer is released or has its indexes changed; the caller keeps ownership.
     *
     * @param verify the expected blocks (a whole number of blocks, its readable bytes)
     * @param write  the new blocks, as many bytes as {@code verify}
     * @param fua    as for {@link #write}: durable before the future completes
     * @return MATCHED after the write, or the miscompare offset and the blocks found (nothing written)
     */
    default CompletableFuture<CompareOutcome> compareAndWrite(long lba, ByteBuf verify, ByteBuf write, boolean fua) {
        int length = verify.readableBytes();
        if (length == 0 || length % blockSize() != 0 || write.readableBytes() != length) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("compare and write needs verify and write"
                    + " data of the same whole number of blocks, not " + length + " and " + write.readableBytes() + " bytes"));
        }
        return read(lba, length / blockSize()).thenCompose(medium -> {
            int diff;
            try {
                diff = CompareOutcome.firstDifference(verify, medium);
            } catch (RuntimeException e) {
                medium.release();
                throw e;
            }
            if (diff >= 0) {
                return CompletableFuture.completedFuture(CompareOutcome.miscompare(diff, medium));
            }
            medium.release();
            return write(lba, write, fua).thenApply(v -> CompareOutcome.MATCHED);
        });
    }

    /**
     * The largest write this store can make all or nothing across a power loss ({@link #writeAtomic}), in
     * bytes; 0 (the default) when it cannot. WRITE ATOMIC(16) is served only where this is positive.
     */
    default int maxAtomicWriteBytes() {
        return 0;
    }

    /**
     * Writes {@code data} (whole blocks, at most {@link #maxAtomicWriteBytes()}) so that after any power loss
     * the blocks hold all of it or none of it, and all of it once the future completes (always durable).
     * The caller holds an EXCLUSIVE range lock on the blocks and keeps ownership of {@code data}.
     */
    default CompletableFuture<Void> writeAtomic(long lba, ByteBuf data) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("this store has no atomic writes"));
    }

    /**
     * Whether {@link #writeZeroes} zeroes a range without sending zeros block by block (an RBD image:
     * {@code rbd_aio_write_zeroes}); false (the default) when the caller should write zero blocks itself.
     */
    default boolean zeroesWithoutData() {
        return false;
    }

    /**
     * Makes the range read as zeros, durably before the future completes (WRITE SAME of a zero block); only where
     * {@link #zeroesWithoutData} is true. The blocks may end up deallocated (then {@link StoreCapabilities#unmapReadsZeros}
     * is true).
     */
    default CompletableFuture<Void> writeZeroes(long lba, long blocks) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException(getClass().getSimpleName()
                + " has no zeroing without data"));
    }

    /**
     * Makes every write and deallocation completed before this call durable (SYNCHRONIZE CACHE, and every
     * medium change while WCE is 0). A failure means some of them may be lost.
     */
    CompletableFuture<Void> flush();

    /**
     * Deallocates the range (UNMAP, WRITE SAME with UNMAP). Afterwards the blocks read back as zeros
     * when {@link StoreCapabilities#unmapReadsZeros()} is true. Durable only after a {@link #flush()}.
     */
    CompletableFuture<Void> unmap(long lba, long blocks);

    /**
     * The provisioning status of the run of blocks starting at {@code lba} (GET LBA STATUS, SBC-4 5.22):
     * how many blocks from {@code lba} on are all mapped or all deallocated. The default reports every
     * block mapped (the truth for a fully provisioned store); stores that deallocate override it.
     *
     * @param lba below {@link #blockCount()}; otherwise the future fails with {@link StoreException.Kind#OUT_OF_RANGE}
     */
    default CompletableFuture<AllocationExtent> allocationAt(long lba) {
        if (lba < 0 || lba >= blockCount()) {
            return CompletableFuture.failedFuture(new StoreException(StoreException.Kind.OUT_OF_RANGE,
                    "LBA " + lba + " is outside the " + blockCount() + " blocks of the store"));
        }
        return CompletableFuture.completedFuture(new AllocationExtent(lba, blockCount() - lba, true));
    }

    /**
     * How many blocks' worth of space the store has allocated now (for the thin-provisioning soft
     * threshold), or empty when the store cannot tell (the default). May be approximate (rounded up to the
     * file system's allocation unit) and may cost a walk over the file's extents: call it rarely.
     */
    default CompletableFuture<OptionalLong> allocatedBlocks() {
        return CompletableFuture.completedFuture(OptionalLong.empty());
    }

    /** Releases files and threads after flushing. Idempotent. */
    @Override
    void close();
}
