package org.vaaitarget.core.sbc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.concurrent.CompletableFuture;
import org.vaaitarget.core.store.BlockStore;

/**
 * Writes one block's content to a run of blocks (WRITE SAME) without one store call per block: a buffer of
 * up to {@link #CHUNK_BYTES} of repeated copies is built once and written chunk after chunk, one store
 * write in flight at a time (the store's bounded queue is never flooded). Runs as a loop while the store
 * completes inline and continues from the completion otherwise, so the stack never grows with the count.
 */
final class RepeatedBlockWriter {
    /** Size of the repeated-block buffer: one large I/O. */
    static final int CHUNK_BYTES = 1 << 20;
    /**
     * Shared, never released chunk of zeros: block zeroing (ESXi "Zero", NDOB) allocates nothing, so many
     * concurrent WRITE SAME commands do not each hold a MiB of direct memory. Read through slices only.
     */
    private static final ByteBuf ZEROS = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(CHUNK_BYTES, CHUNK_BYTES).writeZero(CHUNK_BYTES)).asReadOnly();

    private final BlockStore store;
    private final ByteBuf chunk;
    private final int blocksPerChunk;
    private final int blockSize;
    private final long end;
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    private RepeatedBlockWriter(BlockStore store, ByteBuf chunk, int blocksPerChunk, int blockSize, long end) {
        this.store = store;
        this.chunk = chunk;
        this.blocksPerChunk = blocksPerChunk;
        this.blockSize = blockSize;
        this.end = end;
    }

    /**
     * Writes {@code block} to [lba, lba + blocks).
     *
     * @param alloc   where the chunk buffer comes from (not used for an all-zero block, which shares one
     *                static chunk); a chunk allocated here is released when the future completes
     * @param durable when true, the store is flushed after the last chunk (SBC-4 4.15, WCE=0)
     */
    static CompletableFuture<Void> write(BlockStore store, ByteBufAllocator alloc, long lba, long blocks,
                                         byte[] block, boolean durable) {
        int bs = block.length;
        int perChunk = (int) Math.min(blocks, Math.max(1, CHUNK_BYTES / bs));
        boolean zeros = isZero(block) && bs <= CHUNK_BYTES;
        ByteBuf chunk = zeros ? ZEROS : alloc.directBuffer(perChunk * bs, perChunk * bs);
        if (!zeros) {
            for (int i = 0; i < perChunk; i++) {
                chunk.writeBytes(block);
            }
        }
        RepeatedBlockWriter w = new RepeatedBlockWriter(store, chunk, perChunk, bs, lba + blocks);
        w.writeFrom(lba);
        CompletableFuture<Void> written = zeros ? w.done : w.done.whenComplete((v, e) -> chunk.release());
        return durable ? written.thenCompose(v -> store.flush()) : written;
    }

    static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private void writeFrom(long start) {
        long next = start;
        while (next < end) {
            int now = (int) Math.min(blocksPerChunk, end - next);
            CompletableFuture<Void> f;
            try {
                f = store.write(next, chunk.slice(0, now * blockSize), false);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
                return;
            }
            long after = next + now;
            if (!f.isDone() || f.isCompletedExceptionally()) {
                f.whenComplete((v, e) -> {
                    if (e != null) {
                        done.completeExceptionally(e);
                    } else {
                        writeFrom(after);
                    }
                });
                return;
            }
            next = after;
        }
        done.complete(null);
    }
}
