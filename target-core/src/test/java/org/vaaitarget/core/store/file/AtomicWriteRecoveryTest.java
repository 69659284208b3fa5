package org.vaaitarget.core.store.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.core.config.LunConfig.WriteCacheMode;

/** The store replays the journal a crash left behind before it serves anything. */
class AtomicWriteRecoveryTest {
    private static final int BS = 512;
    @TempDir
    Path dir;

    @Test
    void openingTheStoreFinishesAnAtomicWriteInterruptedAfterItsRecord() throws Exception {
        Path file = dir.resolve("lun.img");
        Files.write(file, new byte[64 * BS]);
        byte[] data = new byte[8 * BS];
        Arrays.fill(data, (byte) 0x5E);
        // Step 1 of the protocol done, then the power failed as the in-place write began.
        try (FileChannel journal = FileChannel.open(dir.resolve("lun.img.atomic"), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            PositionalFile failing = new PositionalFile() {
                @Override
                public void write(ByteBuffer src, long position) throws IOException {
                    throw new IOException("power lost");
                }

                @Override
                public int read(ByteBuffer dst, long position) {
                    return 0;
                }

                @Override
                public void force() {
                }

                @Override
                public void truncate(long size) {
                }

                @Override
                public long size() {
                    return 64 * BS;
                }
            };
            AtomicWriteJournal j = new AtomicWriteJournal(PositionalFile.of(journal), failing, 64 * BS, 1 << 20);
            assertThrows(IOException.class, () -> j.write(5 * BS, ByteBuffer.wrap(data)));
        }
        assertArrayEquals(new byte[8 * BS], Arrays.copyOfRange(Files.readAllBytes(file), 5 * BS, 13 * BS));

        try (FileBlockStore store = FileBlockStore.open(new LunConfig(file, 64 * BS, BS, WriteCacheMode.WRITE_BACK, null))) {
            ByteBuf back = store.read(5, 8).join();
            try {
                assertArrayEquals(data, ByteBufUtil.getBytes(back), "replayed at open");
            } finally {
                back.release();
            }
        }
        assertEquals(0, Files.size(dir.resolve("lun.img.atomic")));
    }
}
