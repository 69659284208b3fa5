package org.vaaitarget.core.store.rbd;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The native address of a buffer's readable bytes for librbd to read from until the request completes: the
 * buffer itself when it is direct with an address (the caller keeps it alive until the future completes),
 * else a direct copy released with {@link #release()}.
 */
final class NativeBytes {
    private final ByteBuf copy;
    private final long address;

    private NativeBytes(ByteBuf copy, long address) {
        this.copy = copy;
        this.address = address;
    }

    static NativeBytes of(ByteBuf data, ByteBufAllocator allocator) {
        int length = data.readableBytes();
        if (data.hasMemoryAddress()) {
            return new NativeBytes(null, data.memoryAddress() + data.readerIndex());
        }
        ByteBuf copy = allocator.directBuffer(length, length);
        copy.writeBytes(data, data.readerIndex(), length);
        if (!copy.hasMemoryAddress()) {
            copy.release();
            throw new IllegalStateException("Netty has no direct buffer addresses here (sun.misc.Unsafe unavailable)");
        }
        return new NativeBytes(copy, copy.memoryAddress());
    }

    long address() {
        return address;
    }

    void release() {
        if (copy != null && copy.refCnt() > 0) {
            copy.release();
        }
    }
}
