package org.vaaitarget.server.login;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Response text to be sent in pieces no larger than the initiator's MaxRecvDataSegmentLength, with
 * the C bit on every piece but the last (RFC 7143 11.13 and 11.11: Login and Text Response
 * continuation). Used by login and by Text Responses (SendTargets).
 */
public final class ChunkedText {
    private final byte[] text;
    private final int maxChunk;
    private int offset;

    /**
     * @param text     the whole response text
     * @param maxChunk the largest data segment the initiator accepts
     */
    public ChunkedText(byte[] text, int maxChunk) {
        if (maxChunk <= 0) {
            throw new IllegalArgumentException("maxChunk " + maxChunk);
        }
        this.text = text;
        this.maxChunk = maxChunk;
    }

    /** The next piece as a new heap buffer owned by the caller (normally moved into a Pdu). */
    public ByteBuf next() {
        int n = Math.min(maxChunk, text.length - offset);
        ByteBuf b = Unpooled.wrappedBuffer(text, offset, n);
        offset += n;
        return b;
    }

    /** Whether pieces remain after the ones taken so far (i.e. the last piece taken needs the C bit). */
    public boolean hasMore() {
        return offset < text.length;
    }
}
