package org.vaaitarget.core.store.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vaaitarget.core.store.AllocationExtent;

/** The fallback used where hole punching is unavailable (non-Linux, or no JNA). */
class SparseRegionsTest {
    @TempDir
    Path dir;

    @Test
    void withoutNativeCallsDeallocateWritesZerosAndEverythingIsMapped() throws Exception {
        Path file = dir.resolve("f.img");
        byte[] ones = new byte[3 << 20];
        Arrays.fill(ones, (byte) 0xA5);
        Files.write(file, ones);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
             SparseRegions regions = new SparseRegions(file, ch, null)) {
            long offset = 4096 + 512;
            long length = (2 << 20) + 512; // more than one zero chunk
            regions.deallocate(offset, length);

            byte[] expected = ones.clone();
            Arrays.fill(expected, (int) offset, (int) (offset + length), (byte) 0);
            ByteBuffer actual = ByteBuffer.allocate(ones.length);
            while (actual.hasRemaining() && ch.read(actual, actual.position()) >= 0) {
                // read the whole file
            }
            assertArrayEquals(expected, actual.array());
            assertEquals(new AllocationExtent(5, 768 - 5, true), regions.extentAt(5, 768, 4096));
        }
    }
}
