package org.vaaitarget.core.store;

import io.netty.buffer.ByteBuf;

/**
 * What {@link BlockStore#compareAndWrite} found: either the verify data matched the medium and the write
 * data was written, or the medium differed and nothing was written.
 *
 * @param miscompareOffset offset of the first differing byte from the start of the verify data, or -1 when
 *                         the verify data matched
 * @param found            on a miscompare, the blocks as read from the medium (exactly as many bytes as the
 *                         verify data; the receiver of the outcome releases it); null when matched
 */
public record CompareOutcome(int miscompareOffset, ByteBuf found) {
    /** The verify data matched and the write data was written. */
    public static final CompareOutcome MATCHED = new CompareOutcome(-1, null);

    public CompareOutcome {
        if ((miscompareOffset < 0) != (found == null)) {
            throw new IllegalArgumentException("a miscompare needs the found blocks, a match has none");
        }
    }

    /**
     * A miscompare at {@code offset}.
     *
     * @param found the medium's blocks; ownership passes to the outcome's receiver
     */
    public static CompareOutcome miscompare(int offset, ByteBuf found) {
        return new CompareOutcome(offset, found);
    }

    public boolean matched() {
        return miscompareOffset < 0;
    }

    /**
     * Offset of the first byte that differs between the readable bytes of {@code verify} and
     * {@code medium} (compared over the verify data's length), or -1 when they are equal. One bulk,
     * vectorised comparison; neither buffer is changed or released.
     */
    public static int firstDifference(ByteBuf verify, ByteBuf medium) {
        int len = verify.readableBytes();
        return verify.nioBuffer(verify.readerIndex(), len).mismatch(medium.nioBuffer(medium.readerIndex(), len));
    }
}
