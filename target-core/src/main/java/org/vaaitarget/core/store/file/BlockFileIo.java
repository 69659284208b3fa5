package org.vaaitarget.core.store.file;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * The blocking block reads and writes on the store's file channel. Called only on the store's executor
 * (never on an event loop); the range has been checked by the caller.
 */
final class BlockFileIo {
    private final FileChannel channel;
    private final MediumIo medium;
    private final int blockSize;
    private final ByteBufAllocator allocator;

    /** Reads from {@code channel}, writes through {@code medium}. */
    BlockFileIo(FileChannel channel, MediumIo medium, int blockSize, ByteBufAllocator allocator) {
        this.channel = channel;
        this.medium = medium;
        this.blockSize = blockSize;
        this.allocator = allocator;
    }

    /**
     * Reads the blocks into a new buffer from the allocator, zero-filled past the end of the file.
     * The caller owns the returned buffer; it is released here if the read fails.
     */
    ByteBuf readBlocks(long lba, int blocks) throws IOException {
        int length = blocks * blockSize;
        ByteBuf buf = allocator.directBuffer(length, length);
        try {
            ByteBuffer target = buf.nioBuffer(0, length);
            long position = lba * blockSize;
            while (target.hasRemaining()) {
                int n = channel.read(target, position + target.position());
                if (n < 0) {
                    break;
                }
            }
            buf.setZero(target.position(), length - target.position()); // past EOF (file shrunk under us)
            buf.writerIndex(length);
            return buf;
        } catch (IOException | RuntimeException e) {
            buf.release();
            throw e;
        }
    }

    /**
     * Writes {@code length} bytes of {@code data} from index {@code from} (its indexes and reference count
     * untouched) to the page cache; the store's group commit makes them durable where asked.
     */
    void writeBlocks(long lba, ByteBuf data, int from, int length) throws IOException {
        long position = lba * blockSize;
        for (ByteBuffer part : data.nioBuffers(from, length)) {
            int n = part.remaining();
            medium.write(part, position);
            position += n;
        }
    }
}
