package org.vaaitarget.core.dispatch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
import org.vaaitarget.core.assembly.LogicalUnits;

/** Read-only LUNs ({@code readOnly}) and software write protect (SWP): the medium refuses every change. */
class WriteProtectionTest {
    private static final int BS = 512;
    @TempDir
    Path dir;
    private TargetDevice device;
    private Harness h;

    private void open(boolean readOnly) throws Exception {
        LunConfig config = new LunConfig(dir.resolve("lun0.img"), 8L << 20, BS, LunConfig.WriteCacheMode.WRITE_BACK, null)
                .withReadOnly(readOnly);
        h = Harness.onFile(config);
        device = h.device;
        h.clearUa(Harness.A, 0);
    }

    @AfterEach
    void close() {
        if (device != null) {
            device.close();
        }
    }

    /** A 8 MiB LUN file whose first block is 0x5A, made read-only on disk. */
    private Path readOnlyFile() throws IOException {
        Path file = dir.resolve("lun0.img");
        byte[] content = new byte[8 << 20];
        Arrays.fill(content, 0, BS, (byte) 0x5A);
        Files.write(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
        return file;
    }

    @Test
    void readOnlyLunServesReadsAndRefusesEveryMediumChange() throws Exception {
        Path file = readOnlyFile();
        open(true);
        Reply read = h.run(Harness.A, 0, 0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0);
        assertEquals(ScsiStatus.GOOD, read.status());
        assertEquals(0x5A, read.data()[0] & 0xFF);

        byte[] block = new byte[BS];
        Arrays.fill(block, (byte) 0xA6);
        List<byte[]> writes = List.of(
                Harness.cdb(0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0),                                  // WRITE(10)
                Harness.cdb(0x0A, 0, 0, 0, 1, 0),                                              // WRITE(6)
                Harness.cdb(0xAA, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0),                            // WRITE(12)
                Harness.cdb(0x8A, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0),                // WRITE(16)
                Harness.cdb(0x2E, 0, 0, 0, 0, 0, 0, 0, 1, 0),                                  // WRITE AND VERIFY(10)
                Harness.cdb(0xAE, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0),                            // WRITE AND VERIFY(12)
                Harness.cdb(0x8E, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0),                // WRITE AND VERIFY(16)
                Harness.cdb(0x41, 0, 0, 0, 0, 0, 0, 0, 1, 0),                                  // WRITE SAME(10)
                Harness.cdb(0x93, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0),                // WRITE SAME(16)
                Harness.cdb(0x8B, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0),                // ORWRITE(16)
                Harness.cdb(0x9C, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0));               // WRITE ATOMIC(16)
        for (byte[] cdb : writes) {
            Harness.assertCheck(h.run(Harness.A, 0, cdb, block), SenseReason.WRITE_PROTECTED);
        }
        Harness.assertCheck(h.run(Harness.A, 0, Harness.cdb(0x89, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0),
                new byte[2 * BS]), SenseReason.WRITE_PROTECTED);                               // COMPARE AND WRITE
        byte[] unmap = new byte[24];
        unmap[1] = 22;
        unmap[3] = 16;
        unmap[23] = 1;
        Harness.assertCheck(h.run(Harness.A, 0, Harness.cdb(0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0), unmap),
                SenseReason.WRITE_PROTECTED);                                                  // UNMAP
        assertEquals(ScsiStatus.GOOD, h.run(Harness.A, 0, 0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0).status(),
                "SYNCHRONIZE CACHE has nothing to write");

        Reply sense6 = h.run(Harness.A, 0, 0x1A, 0, 0x3F, 0, 255, 0);
        assertEquals(0x80, sense6.data()[2] & 0x80, "MODE SENSE(6) WP");
        Reply sense10 = h.run(Harness.A, 0, 0x5A, 0, 0x3F, 0, 0, 0, 0, 0x01, 0, 0);
        assertEquals(0x80, sense10.data()[3] & 0x80, "MODE SENSE(10) WP");
        h.assertDataOutReleasedOnce();
        device.close();
        device = null;
        byte[] after = Files.readAllBytes(file);
        assertEquals(0x5A, after[0] & 0xFF, "the file is unchanged");
        assertEquals(0, after[BS] & 0xFF);
    }

    @Test
    void readOnlyLunNeedsAnExistingFile() {
        LunConfig config = new LunConfig(dir.resolve("missing.img"), 8L << 20, BS, LunConfig.WriteCacheMode.WRITE_BACK, null)
                .withReadOnly(true);
        IOException e = assertThrows(IOException.class, () -> LogicalUnits.open(0, config));
        assertEquals(true, e.getMessage().contains("read-only LUN"), e.getMessage());
        assertEquals(false, Files.exists(dir.resolve("missing.img")));
    }

    @Test
    void softwareWriteProtectRefusesWritesUntilCleared() throws Exception {
        open(false);
        h.clearUa(Harness.B, 0);
        byte[] write10 = Harness.cdb(0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0);
        assertEquals(ScsiStatus.GOOD, h.run(Harness.A, 0, write10, new byte[BS]).status());
        Reply changeable = h.run(Harness.A, 0, 0x1A, 0x08, 0x4A, 0, 255, 0);
        assertEquals(0x08, changeable.data()[4 + 4] & 0x08, "SWP is changeable");

        assertEquals(ScsiStatus.GOOD, selectControl(true).status());
        Harness.assertCheck(h.run(Harness.A, 0, write10, new byte[BS]), SenseReason.WRITE_PROTECTED);
        Reply current = h.run(Harness.A, 0, 0x1A, 0x08, 0x0A, 0, 255, 0);
        assertEquals(0x80, current.data()[2] & 0x80, "WP in the header");
        assertEquals(0x08, current.data()[4 + 4] & 0x08, "SWP in the control page");
        Harness.assertCheck(h.run(Harness.B, 0, 0x00, 0, 0, 0, 0, 0), SenseReason.MODE_PARAMETERS_CHANGED);
        Harness.assertCheck(h.run(Harness.B, 0, write10, new byte[BS]), SenseReason.WRITE_PROTECTED);

        assertEquals(ScsiStatus.GOOD, selectControl(false).status());
        assertEquals(ScsiStatus.GOOD, h.run(Harness.A, 0, write10, new byte[BS]).status());
        h.assertDataOutReleasedOnce();
    }

    /** MODE SELECT(6) of the current control page with SWP set or cleared. */
    private Reply selectControl(boolean swp) {
        Reply current = h.run(Harness.A, 0, 0x1A, 0x08, 0x0A, 0, 255, 0);
        byte[] page = Arrays.copyOfRange(current.data(), 4, 4 + 12);
        page[4] = (byte) (swp ? page[4] | 0x08 : page[4] & ~0x08);
        byte[] list = new byte[4 + page.length];
        System.arraycopy(page, 0, list, 4, page.length);
        return h.run(Harness.A, 0, Harness.cdb(0x15, 0x10, 0, 0, list.length, 0), list);
    }
}
