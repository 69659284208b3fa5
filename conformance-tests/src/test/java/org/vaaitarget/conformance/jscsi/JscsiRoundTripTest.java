package org.vaaitarget.conformance.jscsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vaaitarget.conformance.support.TestTarget;
import org.vaaitarget.server.session.ZeroCopyReads;

/** An independent Java initiator: 64 MiB of random data written, read back, and read back again after a restart. */
class JscsiRoundTripTest {
    private static final int DATA_BYTES = 64 << 20;
    private static final long LUN_BYTES = 256L << 20;
    /** Start 1 MiB into the LUN, so the data does not start at LBA 0 (a classic off-by-one hiding place). */
    private static final long FIRST_LBA = 2048;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // jSCSI waits forever for a lost answer
    void writes64MiBReadsItBackAndAgainAfterARestart() throws Exception {
        byte[] data = new byte[DATA_BYTES];
        new Random(7143).nextBytes(data);
        try (TestTarget target = TestTarget.start(dir, LUN_BYTES)) {
            assumeTrue(target.lun() == 0, "jSCSI always addresses LUN 0; " + target.url() + " is LUN " + target.lun());
            try (JscsiClient client = JscsiClient.connect(dir.resolve("jscsi1"), target)) {
                assertEquals(512, client.blockSize());
                client.write(FIRST_LBA, data);
                assertArrayEquals(data, client.read(FIRST_LBA, DATA_BYTES), "read back after write");
            }
            if (target.isExternal()) {
                return; // cannot restart someone else's target
            }
            target.restart();
            try (JscsiClient client = JscsiClient.connect(dir.resolve("jscsi2"), target)) {
                assertArrayEquals(data, client.read(FIRST_LBA, DATA_BYTES), "read back after a server restart");
            }
        }
        // After a clean shutdown the bytes are in the LUN file, at LBA * 512.
        byte[] onDisk = new byte[DATA_BYTES];
        try (RandomAccessFile file = new RandomAccessFile(dir.resolve("lun0.img").toFile(), "r")) {
            file.seek(FIRST_LBA * 512);
            file.readFully(onDisk);
        }
        assertArrayEquals(data, onDisk, "medium contents after shutdown");
    }

    @Test
    @Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void readsSentStraightFromTheFileAreTheBytesWrittenAndReleaseTheirLocks() throws Exception {
        assumeTrue(System.getProperty(TestTarget.URL_PROPERTY, "").isBlank(), "needs our own server");
        byte[] first = new byte[DATA_BYTES / 4];
        byte[] second = new byte[DATA_BYTES / 4];
        new Random(3270).nextBytes(first);
        new Random(3271).nextBytes(second);
        try (TestTarget target = TestTarget.start(dir, LUN_BYTES, c -> c.withZeroCopyReads(ZeroCopyReads.ALWAYS));
             JscsiClient client = JscsiClient.connect(dir.resolve("jscsi"), target)) {
            client.write(FIRST_LBA, first);
            assertArrayEquals(first, client.read(FIRST_LBA, first.length), "read back (pages cached: sendfile)");
            // a write of the same blocks after those reads: it would wait forever for a read lock never released
            client.write(FIRST_LBA, second);
            assertArrayEquals(second, client.read(FIRST_LBA, second.length), "the new bytes, not the old pages");
        }
    }
}
