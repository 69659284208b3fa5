package org.vaaitarget.server.codec;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * iSCSI digests: CRC32C (RFC 7143 13.1, Appendix B.4). The 32-bit value is sent least significant
 * byte first: RFC 7143 B.4's example "32 bytes of zeroes" has CRC bytes aa 36 91 8a, which is the
 * little-endian form of 0x8a9136aa; use {@link #writeTo} and {@link #readFrom} for the wire form.
 */
public final class Crc32c {
    private Crc32c() {
    }

    /** CRC32C of a byte-array range. */
    public static int of(byte[] a, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(a, off, len);
        return (int) c.getValue();
    }

    /**
     * Adds {@code len} bytes of {@code buf} starting at {@code index} to {@code crc}. Does not move
     * the reader index; does not retain or release {@code buf}.
     */
    public static void update(CRC32C crc, ByteBuf buf, int index, int len) {
        if (len == 0) {
            return;
        }
        if (buf.hasArray()) {
            crc.update(buf.array(), buf.arrayOffset() + index, len);
        } else if (buf.nioBufferCount() == 1) {
            crc.update(buf.nioBuffer(index, len));
        } else {
            for (ByteBuffer b : buf.nioBuffers(index, len)) {
                crc.update(b);
            }
        }
    }

    /** CRC32C of {@code len} bytes of {@code buf} from {@code index}; the buffer is untouched. */
    public static int of(ByteBuf buf, int index, int len) {
        CRC32C c = new CRC32C();
        update(c, buf, index, len);
        return (int) c.getValue();
    }

    /** Writes a digest in wire byte order. */
    public static void writeTo(ByteBuf out, int crc) {
        out.writeIntLE(crc);
    }

    /** Reads a digest in wire byte order at an absolute index. */
    public static int readFrom(ByteBuf in, int index) {
        return in.getIntLE(index);
    }
}
