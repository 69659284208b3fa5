package org.vaaitarget.server.login;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;

/**
 * Collects the text of one request that the initiator spreads over several PDUs with the C bit
 * (RFC 7143 11.12.2 / 11.10.2). Bounded: past {@link #MAX_TEXT} bytes it refuses more, and the
 * caller fails the login or rejects the request.
 */
public final class TextAccumulator {
    /** The most text one login or text request may carry across continuation PDUs. */
    public static final int MAX_TEXT = 64 * 1024;

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    /**
     * Appends the readable bytes of {@code data} (not released, indexes untouched).
     *
     * @return false when the total would exceed {@link #MAX_TEXT}; nothing is appended then
     */
    public boolean append(ByteBuf data) {
        if (bytes.size() + (long) data.readableBytes() > MAX_TEXT) {
            return false;
        }
        bytes.writeBytes(TextKeyValues.bytesOf(data));
        return true;
    }

    /** The collected text; the accumulator is emptied. */
    public byte[] drain() {
        byte[] b = bytes.toByteArray();
        bytes.reset();
        return b;
    }

    public boolean isEmpty() {
        return bytes.size() == 0;
    }
}
