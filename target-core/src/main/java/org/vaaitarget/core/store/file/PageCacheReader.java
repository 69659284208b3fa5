package org.vaaitarget.core.store.file;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Small reads served on the caller's thread when every byte is already in the page cache: preadv2 with
 * RWF_NOWAIT never waits for the disk, so even an event loop may call it, and a cache hit saves the
 * executor round trip. On a miss (or where the native call is unavailable) the caller falls back to the
 * store's executor as usual.
 */
final class PageCacheReader {
    /** Reads up to this size may be served from the page cache on the caller's thread (a short memcpy). */
    static final int INLINE_READ_MAX = 64 * 1024;

    /** The native calls, or null where unavailable (then every read misses). Not owned: never closed here. */
    private final LinuxFileOps cache;
    private final ByteBufAllocator allocator;
    private final int blockSize;

    PageCacheReader(LinuxFileOps cache, ByteBufAllocator allocator, int blockSize) {
        this.cache = cache;
        this.allocator = allocator;
        this.blockSize = blockSize;
    }

    /** Whether every byte of the range is in the page cache now; false when that cannot be told. */
    boolean isCached(long offset, long length) {
        return cache != null && cache.isCached(offset, length);
    }

    /**
     * The blocks, read without blocking, or null when not possible (no native call, too large, or not all
     * cached); the read then goes through the executor. The returned buffer (from the allocator, readable
     * bytes = the blocks) belongs to the caller, who must release it.
     */
    ByteBuf readIfCached(long lba, int blocks) {
        int length = blocks * blockSize;
        if (cache == null || length > INLINE_READ_MAX) {
            return null;
        }
        ByteBuf buf = allocator.directBuffer(length, length);
        if (!buf.hasMemoryAddress() || cache.readCached(buf.memoryAddress(), length, lba * blockSize) != length) {
            buf.release();
            return null;
        }
        return buf.writerIndex(length);
    }
}
