package org.vaaitarget.core.dispatch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.assembly.LogicalUnits;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.testkit.Harness;
import org.vaaitarget.core.testkit.Reply;
import org.vaaitarget.core.assembly.StandardHandlers;
import org.vaaitarget.core.assembly.StandardDevice;

/**
 * The whole core as the server runs it: the standard handler set (SPC + SBC) behind the real dispatcher,
 * on a file-backed LU with the real range-lock manager.
 */
class StandardTargetDeviceTest {
    @TempDir
    Path dir;
    private TargetDevice device;
    private Harness h;

    private void open(int blockSize) throws Exception {
        LogicalUnit lu = LogicalUnits.open(0, new LunConfig(dir.resolve("lun0.img"), 8L << 20, blockSize,
                LunConfig.WriteCacheMode.WRITE_BACK, null));
        device = StandardDevice.of(Harness.TARGET, List.of(lu));
        h = new Harness(device);
        h.clearUa(Harness.A, 0);
    }

    @AfterEach
    void close() {
        if (device != null) {
            device.close();
        }
    }

    @Test
    void standardTableHasNoDuplicateRegistrations() {
        HandlerTable table = new HandlerTable(StandardHandlers.all());
        assertTrue(table.specs().size() > 30, "SPC and SBC commands are both registered");
    }

    @Test
    void blockLimitsAdvertiseTheCompareAndWriteLengthTheHandlerEnforces() throws Exception {
        open(512);
        Reply b0 = h.run(Harness.A, 0, 0x12, 0x01, 0xB0, 0x00, 0xFF, 0x00);
        assertEquals(ScsiStatus.GOOD, b0.status());
        int advertised = b0.data()[5] & 0xFF;
        assertEquals(255, advertised);
        // One block more than advertised is refused with INVALID FIELD IN CDB.
        byte[] caw = new byte[16];
        caw[0] = (byte) 0x89;
        caw[13] = (byte) advertised;
        Reply ok = h.run(Harness.A, 0, caw, new byte[2 * advertised * 512]);
        assertEquals(ScsiStatus.GOOD, ok.status(), "zeros compare equal to a fresh sparse LUN");
    }

    @Test
    void physicalBlockIs4KiBInReadCapacityAndBlockLimits() throws Exception {
        open(512);
        Reply rc16 = h.run(Harness.A, 0, 0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0);
        assertEquals(ScsiStatus.GOOD, rc16.status());
        assertEquals(3, rc16.data()[13] & 0x0F, "8 logical blocks per physical block");
        Reply b0 = h.run(Harness.A, 0, 0x12, 0x01, 0xB0, 0x00, 0xFF, 0x00);
        assertEquals(8, ((b0.data()[6] & 0xFF) << 8) | (b0.data()[7] & 0xFF), "OPTIMAL TRANSFER LENGTH GRANULARITY");
    }

    @Test
    void writeThenReadThroughTheDispatcherOnAFile() throws Exception {
        open(4096);
        byte[] data = new byte[3 * 4096];
        Arrays.fill(data, (byte) 0x5A);
        byte[] w16 = {(byte) 0x8A, 0x08, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 3, 0, 0}; // FUA, LBA 7, 3 blocks
        assertEquals(ScsiStatus.GOOD, h.run(Harness.A, 0, w16, data).status());
        Reply r = h.run(Harness.A, 0, 0x88, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 3, 0, 0);
        assertEquals(ScsiStatus.GOOD, r.status());
        assertArrayEquals(data, r.data());
        h.assertDataOutReleasedOnce();
    }

    @Test
    void miscompareThroughTheDispatcherReportsTheOffset() throws Exception {
        open(512);
        byte[] caw = new byte[16];
        caw[0] = (byte) 0x89;
        caw[9] = 4;      // LBA 4
        caw[13] = 2;     // 2 blocks
        byte[] payload = new byte[4 * 512];
        payload[512 + 3] = 1; // verify data differs from the zeroed medium at byte 515
        Reply r = h.run(Harness.A, 0, caw, payload);
        Harness.assertCheck(r, SenseReason.MISCOMPARE_DURING_VERIFY_OPERATION);
        assertNotNull(r.sense());
        assertEquals(0xF0, r.sense()[0] & 0xFF, "fixed format with VALID");
        int info = ((r.sense()[3] & 0xFF) << 24) | ((r.sense()[4] & 0xFF) << 16) | ((r.sense()[5] & 0xFF) << 8)
                | (r.sense()[6] & 0xFF);
        assertEquals(515, info);
        assertEquals(1, device.luns().get(0).ats().miscomparedCount());
    }
}
