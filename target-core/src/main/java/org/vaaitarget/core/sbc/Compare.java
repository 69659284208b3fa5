package org.vaaitarget.core.sbc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/** Byte comparison for COMPARE AND WRITE and VERIFY with BYTCHK. */
final class Compare {
    private Compare() {
    }

    /**
     * Offset of the first byte that differs between a[aIndex..aIndex+len) and b[bIndex..bIndex+len),
     * or -1 when they are equal. Indexes are absolute; neither buffer is changed or released.
     */
    static int firstDifference(ByteBuf a, int aIndex, ByteBuf b, int bIndex, int len) {
        if (ByteBufUtil.equals(a, aIndex, b, bIndex, len)) {
            return -1;
        }
        for (int i = 0; i < len; i++) {
            if (a.getByte(aIndex + i) != b.getByte(bIndex + i)) {
                return i;
            }
        }
        return -1;
    }
}
