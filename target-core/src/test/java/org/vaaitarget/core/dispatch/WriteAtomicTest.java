package org.vaaitarget.core.dispatch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.testkit.Harness;
import org.vaaitarget.core.testkit.Reply;
import org.vaaitarget.core.assembly.StandardHandlers;

/** WRITE ATOMIC(16) through the dispatcher: limits advertised and enforced, data written, journal left empty. */
class WriteAtomicTest {
    private static final int BS = 512;
    @TempDir
    Path dir;
    private TargetDevice device;
    private Harness h;

    private void open() throws Exception {
        h = Harness.onFile(new LunConfig(dir.resolve("lun0.img"), 8L << 20, BS, LunConfig.WriteCacheMode.WRITE_BACK, null));
        device = h.device;
        h.clearUa(Harness.A, 0);
    }

    @AfterEach
    void close() {
        if (device != null) {
            device.close();
        }
    }

    private static byte[] writeAtomic(long lba, int blocks, int boundary, int byte1) {
        byte[] c = new byte[16];
        c[0] = (byte) 0x9C;
        c[1] = (byte) byte1;
        for (int i = 0; i < 8; i++) {
            c[2 + i] = (byte) (lba >>> (56 - 8 * i));
        }
        c[10] = (byte) (boundary >> 8);
        c[11] = (byte) boundary;
        c[12] = (byte) (blocks >> 8);
        c[13] = (byte) blocks;
        return c;
    }

    @Test
    void blockLimitsAdvertiseWhatTheHandlerEnforces() throws Exception {
        open();
        Reply b0 = h.run(Harness.A, 0, 0x12, 0x01, 0xB0, 0x00, 0xFF, 0x00);
        long max = b0.u32(44);
        assertEquals((1 << 20) / BS, max, "MAXIMUM ATOMIC TRANSFER LENGTH: 1 MiB");
        assertEquals(0, b0.u32(48), "ATOMIC ALIGNMENT");
        assertEquals(0, b0.u32(52), "ATOMIC TRANSFER LENGTH GRANULARITY");
        assertEquals(max, b0.u32(56), "MAXIMUM ATOMIC TRANSFER LENGTH WITH ATOMIC BOUNDARY");
        assertEquals(max, b0.u32(60), "MAXIMUM ATOMIC BOUNDARY SIZE");

        byte[] data = new byte[(int) max * BS];
        Arrays.fill(data, (byte) 0x3C);
        assertEquals(ScsiStatus.GOOD, h.run(Harness.A, 0, writeAtomic(3, (int) max, (int) max, 0), data).status(),
                "the maximum, at an odd LBA, with the largest boundary");
        Reply back = h.run(Harness.A, 0, 0x88, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0x08, 0x00, 0, 0);
        assertArrayEquals(data, back.data());
        assertEquals(0, Files.size(dir.resolve("lun0.img.atomic")), "the journal is empty after the write");

        Harness.assertCheck(h.run(Harness.A, 0, writeAtomic(0, (int) max + 1, 0, 0), new byte[((int) max + 1) * BS]),
                SenseReason.INVALID_FIELD_IN_CDB);
        Harness.assertCheck(h.run(Harness.A, 0, writeAtomic(0, 1, (int) max + 1, 0), new byte[BS]),
                SenseReason.INVALID_FIELD_IN_CDB);
        for (int protect = 1; protect < 8; protect++) {
            Harness.assertCheck(h.run(Harness.A, 0, writeAtomic(0, 1, 0, protect << 5), new byte[BS]),
                    SenseReason.INVALID_FIELD_IN_CDB);
        }
        long blocks = (8L << 20) / BS;
        Harness.assertCheck(h.run(Harness.A, 0, writeAtomic(blocks - 1, 2, 0, 0), new byte[2 * BS]),
                SenseReason.LBA_OUT_OF_RANGE);
        Harness.assertCheck(h.run(Harness.A, 0, writeAtomic(blocks + 1, 0, 0, 0), null), SenseReason.LBA_OUT_OF_RANGE);
        assertEquals(ScsiStatus.GOOD, h.run(Harness.A, 0, writeAtomic(0, 0, 0, 0), null).status());
        Harness.assertCheck(h.run(Harness.A, 0, writeAtomic(0, 2, 0, 0), new byte[BS]),
                SenseReason.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT);
        h.assertDataOutReleasedOnce();
    }

    @Test
    void storesWithoutAtomicWritesDoNotServeItNorAdvertiseIt() {
        h = Harness.of(List.of(Harness.lu(0, Harness.THIN_WRITE_BACK)),
                StandardHandlers.all());
        device = h.device;
        h.clearUa(Harness.A, 0);
        Harness.assertCheck(h.run(Harness.A, 0, writeAtomic(0, 1, 0, 0), new byte[BS]),
                SenseReason.INVALID_COMMAND_OPERATION_CODE);
        Reply b0 = h.run(Harness.A, 0, 0x12, 0x01, 0xB0, 0x00, 0xFF, 0x00);
        assertEquals(0, b0.u32(44), "MAXIMUM ATOMIC TRANSFER LENGTH 0");
        Reply one = h.run(Harness.A, 0, 0xA3, 0x0C, 0x01, 0x9C, 0, 0, 0, 0, 0x10, 0, 0, 0);
        assertEquals(1, one.data()[1] & 0x07, "REPORT SUPPORTED OPERATION CODES: not supported");
    }
}
