package org.vaaitarget.conformance.jscsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vaaitarget.conformance.support.CephCluster;
import org.vaaitarget.conformance.support.TestTarget;
import org.vaaitarget.core.config.LunConfig;

/** jSCSI writes 64 MiB to a LUN on a Ceph RBD image, reads it back, and again after a server restart. */
class RbdJscsiRoundTripTest {
    private static final int DATA_BYTES = 64 << 20;
    private static final long FIRST_LBA = 2048;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void writes64MiBToAnRbdImageAndReadsItBackAlsoAfterARestart() throws Exception {
        LunConfig lun = CephCluster.newLun("jscsi", 256L << 20);
        byte[] data = new byte[DATA_BYTES];
        new Random(18).nextBytes(data);
        try (TestTarget target = TestTarget.serve(CephCluster.server(List.of(lun)))) {
            try (JscsiClient client = JscsiClient.connect(dir.resolve("jscsi1"), target)) {
                assertEquals(512, client.blockSize());
                client.write(FIRST_LBA, data);
                assertArrayEquals(data, client.read(FIRST_LBA, DATA_BYTES), "read back after write");
            }
            target.restart();
            try (JscsiClient client = JscsiClient.connect(dir.resolve("jscsi2"), target)) {
                assertArrayEquals(data, client.read(FIRST_LBA, DATA_BYTES), "read back after a server restart");
            }
        }
    }
}
