package org.vaaitarget.core.sbc;

import io.netty.buffer.ByteBuf;

/** Byte comparison for COMPARE AND WRITE and VERIFY with BYTCHK. */
final class Compare {
    private Compare() {
    }

    /**
     * Offset of the first byte that differs between a[aIndex..aIndex+len) and b[bIndex..bIndex+len),
     * or -1 when they are equal. Indexes are absolute; neither buffer is changed or released.
     */
    static int firstDifference(ByteBuf a, int aIndex, ByteBuf b, int bIndex, int len) {
        // One bulk, vectorised comparison (ByteBuffer.mismatch) instead of per-byte or per-long ByteBuf
        // accesses: faster, and it stays cheap under Netty's paranoid leak detection, which records every
        // ByteBuf access.
        return a.nioBuffer(aIndex, len).mismatch(b.nioBuffer(bIndex, len));
    }
}
