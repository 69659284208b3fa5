package org.vaaitarget.core.store.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * The few positional file operations the atomic-write journal needs, so that a test can put a file that
 * loses unflushed writes (torn at 512-byte sectors) under it.
 */
interface PositionalFile {
    /** Writes all of {@code src} at {@code position}. */
    void write(ByteBuffer src, long position) throws IOException;

    /** Reads until {@code dst} is full or the end of the file; returns the bytes read. */
    int read(ByteBuffer dst, long position) throws IOException;

    /** Everything written (and the size) is on stable storage when this returns. */
    void force() throws IOException;

    void truncate(long size) throws IOException;

    long size() throws IOException;

    /** A {@link FileChannel} as a positional file (the channel is not closed by it). */
    static PositionalFile of(FileChannel channel) {
        return new PositionalFile() {
            @Override
            public void write(ByteBuffer src, long position) throws IOException {
                long at = position;
                while (src.hasRemaining()) {
                    at += channel.write(src, at);
                }
            }

            @Override
            public int read(ByteBuffer dst, long position) throws IOException {
                int total = 0;
                while (dst.hasRemaining()) {
                    int n = channel.read(dst, position + total);
                    if (n < 0) {
                        break;
                    }
                    total += n;
                }
                return total;
            }

            @Override
            public void force() throws IOException {
                channel.force(true);
            }

            @Override
            public void truncate(long size) throws IOException {
                channel.truncate(size);
            }

            @Override
            public long size() throws IOException {
                return channel.size();
            }
        };
    }
}
