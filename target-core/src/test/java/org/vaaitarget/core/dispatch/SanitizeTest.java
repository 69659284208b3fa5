package org.vaaitarget.core.dispatch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.testkit.Harness;
import org.vaaitarget.core.testkit.Reply;

/** SANITIZE through the dispatcher on a file LU: the operations, the in-progress state, power loss, failure mode. */
@Timeout(120) // hang guard only
class SanitizeTest {
    private static final int BS = 512;
    private static final long LUN_BYTES = 2L << 20;
    @TempDir
    Path dir;
    private TargetDevice device;
    private Harness h;

    private LunConfig config(boolean sanitize, long bytesPerSecond) {
        return new LunConfig(dir.resolve("lun0.img"), LUN_BYTES, BS, LunConfig.WriteCacheMode.WRITE_BACK, null)
                .withSanitize(sanitize).withSanitizeBytesPerSecond(bytesPerSecond);
    }

    private void open(LunConfig config) throws Exception {
        h = Harness.onFile(config);
        device = h.device;
    }

    @AfterEach
    void close() {
        if (device != null) {
            device.close();
        }
    }

    private Path marker() {
        return dir.resolve("lun0.img.sanitize");
    }

    private static byte[] sanitize(int byte1, int listLength) {
        return Harness.cdb(0x48, byte1, 0, 0, 0, 0, 0, listLength >> 8, listLength & 0xFF, 0);
    }

    /** OVERWRITE parameter list: count, pattern. */
    private static byte[] overwriteList(int count, byte[] pattern) {
        byte[] list = new byte[4 + pattern.length];
        list[0] = (byte) count;
        list[2] = (byte) (pattern.length >> 8);
        list[3] = (byte) pattern.length;
        System.arraycopy(pattern, 0, list, 4, pattern.length);
        return list;
    }

    private Reply read(long lba, int blocks) {
        return h.run(Harness.A, 0, 0x28, 0, (int) (lba >> 24), (int) (lba >> 16), (int) (lba >> 8), (int) lba, 0,
                blocks >> 8, blocks & 0xFF, 0);
    }

    private void write(long lba, byte value) {
        byte[] data = new byte[BS];
        Arrays.fill(data, value);
        assertEquals(ScsiStatus.GOOD, h.run(Harness.A, 0, Harness.cdb(0x2A, 0, 0, 0, (int) (lba >> 8), (int) lba, 0, 0, 1, 0),
                data).status());
    }

    /** TEST UNIT READY until the sanitize has ended (bounded: a hang guard, not a timing assertion). */
    private void awaitReady() throws InterruptedException {
        for (int i = 0; i < 3000; i++) {
            Reply r = h.run(Harness.A, 0, 0x00, 0, 0, 0, 0, 0);
            if (r.status() == ScsiStatus.GOOD) {
                return;
            }
            Harness.assertCheck(r, SenseReason.LOGICAL_UNIT_NOT_READY_SANITIZE_IN_PROGRESS);
            Thread.sleep(10);
        }
        throw new AssertionError("the sanitize never ended");
    }

    @Test
    void lunsWithoutTheOptionDoNotKnowTheCommand() throws Exception {
        open(config(false, 0));
        h.clearUa(Harness.A, 0);
        Harness.assertCheck(h.run(Harness.A, 0, sanitize(0x02, 0), null), SenseReason.INVALID_COMMAND_OPERATION_CODE);
        Reply all = h.run(Harness.A, 0, 0xA3, 0x0C, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0);
        for (int off = 4; off < all.data().length; off += 8) {
            assertTrue((all.data()[off] & 0xFF) != 0x48, "SANITIZE listed by REPORT SUPPORTED OPERATION CODES");
        }
        assertEquals(0, h.run(Harness.A, 0, 0x12, 0x01, 0xB1, 0, 64, 0).data()[7] & 0xF0, "WABEREQ, WACEREQ 0");
    }

    @Test
    void overwriteRepeatsThePatternInEveryBlockAndBlockEraseDeallocates() throws Exception {
        open(config(true, 0));
        h.clearUa(Harness.A, 0);
        assertEquals(0x40, h.run(Harness.A, 0, 0x12, 0x01, 0xB1, 0, 64, 0).data()[7] & 0xF0, "WABEREQ 01b");
        write(7, (byte) 0x11);
        byte[] list = overwriteList(2, new byte[] {1, 2, 3});
        assertEquals(ScsiStatus.GOOD, h.run(Harness.A, 0, sanitize(0x01, list.length), list).status());
        byte[] expected = new byte[BS];
        for (int i = 0; i < BS; i++) {
            expected[i] = (byte) (i % 3 + 1);
        }
        assertArrayEquals(expected, read(7, 1).data());
        assertArrayEquals(expected, read(LUN_BYTES / BS - 1, 1).data());
        assertFalse(Files.exists(marker()), "no marker once the sanitize is done");

        assertEquals(ScsiStatus.GOOD, h.run(Harness.A, 0, sanitize(0x02, 0), null).status());
        assertArrayEquals(new byte[BS], read(7, 1).data());
        Reply status = h.run(Harness.A, 0, 0x9E, 0x12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0);
        assertEquals(ScsiStatus.GOOD, status.status());
        assertEquals(LUN_BYTES / BS, status.u32(8 + 8), "one descriptor covering every block");
        assertEquals(1, status.data()[8 + 12] & 0x0F, "deallocated");
        h.assertDataOutReleasedOnce();
    }

    @Test
    void badCdbsAndParameterListsAreRefused() throws Exception {
        open(config(true, 0));
        h.clearUa(Harness.A, 0);
        byte[] good = overwriteList(1, new byte[BS]);
        Harness.assertCheck(h.run(Harness.A, 0, sanitize(0x03, 0), null), SenseReason.INVALID_FIELD_IN_CDB);  // CRYPTO
        Harness.assertCheck(h.run(Harness.A, 0, sanitize(0x00, 0), null), SenseReason.INVALID_FIELD_IN_CDB);
        Harness.assertCheck(h.run(Harness.A, 0, sanitize(0x42, 0), null), SenseReason.INVALID_FIELD_IN_CDB);  // reserved bit
        byte[] reservedByte = sanitize(0x02, 0);
        reservedByte[4] = 1;
        Harness.assertCheck(h.run(Harness.A, 0, reservedByte, null), SenseReason.INVALID_FIELD_IN_CDB);
        Harness.assertCheck(h.run(Harness.A, 0, sanitize(0x02, 8), new byte[8]), SenseReason.INVALID_FIELD_IN_CDB);
        Harness.assertCheck(h.run(Harness.A, 0, sanitize(0x1F, 8), new byte[8]), SenseReason.INVALID_FIELD_IN_CDB);
        Harness.assertCheck(h.run(Harness.A, 0, sanitize(0x01, 4), good), SenseReason.INVALID_FIELD_IN_CDB);
        Harness.assertCheck(h.run(Harness.A, 0, sanitize(0x01, BS + 5), new byte[BS + 5]), SenseReason.INVALID_FIELD_IN_CDB);
        Harness.assertCheck(h.run(Harness.A, 0, sanitize(0x01, good.length), overwriteList(0, new byte[BS])),
                SenseReason.INVALID_FIELD_IN_PARAMETER_LIST);                                                  // count 0
        byte[] noPattern = overwriteList(1, new byte[BS]);
        noPattern[2] = 0;
        noPattern[3] = 0;
        Harness.assertCheck(h.run(Harness.A, 0, sanitize(0x01, noPattern.length), noPattern),
                SenseReason.INVALID_FIELD_IN_PARAMETER_LIST);
        byte[] tooLong = overwriteList(1, new byte[BS]);
        tooLong[2] = (byte) ((BS + 4) >> 8);
        tooLong[3] = (byte) (BS + 4);
        Harness.assertCheck(h.run(Harness.A, 0, sanitize(0x01, tooLong.length), tooLong),
                SenseReason.INVALID_FIELD_IN_PARAMETER_LIST);
        assertEquals(ScsiStatus.GOOD, h.run(Harness.A, 0, sanitize(0x1F, 0), null).status(), "not in failure mode: GOOD");
        h.assertDataOutReleasedOnce();
    }

    /**
     * A sanitize still running (a rate limit of one byte a second keeps it there) makes the LU answer NOT
     * READY, SANITIZE IN PROGRESS with a progress indication, except INQUIRY and REQUEST SENSE; closing the
     * LU in the middle (a power loss) keeps the marker, and the next open resumes and finishes it.
     */
    @Test
    void inProgressThenInterruptedByPowerLossThenResumed() throws Exception {
        open(config(true, 1));
        h.clearUa(Harness.A, 0);
        write(3, (byte) 0x77);
        byte[] list = overwriteList(1, new byte[] {(byte) 0xAA});
        assertEquals(ScsiStatus.GOOD, h.run(Harness.A, 0, sanitize(0x81, list.length), list).status(), "IMMED: GOOD at once");
        Reply tur = h.run(Harness.A, 0, 0x00, 0, 0, 0, 0, 0);
        Harness.assertCheck(tur, SenseReason.LOGICAL_UNIT_NOT_READY_SANITIZE_IN_PROGRESS);
        assertEquals(0x80, tur.sense()[15] & 0x80, "SKSV: progress indication present");
        Harness.assertCheck(read(3, 1), SenseReason.LOGICAL_UNIT_NOT_READY_SANITIZE_IN_PROGRESS);
        Harness.assertCheck(h.run(Harness.A, 0, sanitize(0x02, 0), null), SenseReason.LOGICAL_UNIT_NOT_READY_SANITIZE_IN_PROGRESS);
        assertEquals(ScsiStatus.GOOD, h.run(Harness.A, 0, 0x12, 0, 0, 0, 36, 0).status(), "INQUIRY is served");
        Reply sense = h.run(Harness.A, 0, 0x03, 0, 0, 0, 18, 0);
        assertEquals(ScsiStatus.GOOD, sense.status());
        assertEquals(0x02, sense.data()[2] & 0x0F, "REQUEST SENSE: NOT READY");
        assertEquals(0x04, sense.data()[12] & 0xFF);
        assertEquals(0x1B, sense.data()[13] & 0xFF);
        assertEquals(0x80, sense.data()[15] & 0x80, "with the progress indication");
        assertTrue(Files.exists(marker()), "the operation is recorded before the medium changes");

        device.close();                                  // power loss in the middle of the sanitize
        device = null;
        assertTrue(Files.exists(marker()), "the marker survives the interruption");

        open(config(true, 0));
        awaitReady();
        h.clearUa(Harness.A, 0);
        byte[] expected = new byte[BS];
        Arrays.fill(expected, (byte) 0xAA);
        assertArrayEquals(expected, read(3, 1).data(), "resumed and finished after the restart");
        assertArrayEquals(expected, read(LUN_BYTES / BS - 1, 1).data());
        assertFalse(Files.exists(marker()));
    }

    /** SBC-4 4.11.3: a LOGICAL UNIT RESET ends the waiting SANITIZE command, not the sanitize operation. */
    @Test
    void aResetEndsTheCommandButNotTheSanitize() throws Exception {
        open(config(true, 1));
        h.clearUa(Harness.A, 0);
        byte[] list = overwriteList(1, new byte[] {(byte) 0x5A});
        org.vaaitarget.core.scsi.TaskHandle waiting = device.submit(Harness.command(Harness.A, 0, sanitize(0x01, list.length),
                io.netty.buffer.Unpooled.wrappedBuffer(list)));
        Reply tur;
        do {                                  // until the sanitize has begun (bounded by the class timeout)
            tur = h.run(Harness.B, 0, 0x00, 0, 0, 0, 0, 0);
        } while (tur.status() == ScsiStatus.GOOD);
        device.logicalUnitReset(Harness.B, org.vaaitarget.core.scsi.LunAddress.encode(0)).toCompletableFuture().join();
        // The reset came from another nexus (B) and TAS=1: A's SANITIZE command ends with TASK ABORTED (SAM-5 5.6).
        assertEquals(ScsiStatus.TASK_ABORTED, Harness.await(waiting).status(), "the SANITIZE command ended with the reset");
        Harness.assertCheck(h.run(Harness.B, 0, 0x00, 0, 0, 0, 0, 0), SenseReason.BUS_DEVICE_RESET_FUNCTION_OCCURRED);
        Harness.assertCheck(h.run(Harness.B, 0, 0x00, 0, 0, 0, 0, 0), SenseReason.LOGICAL_UNIT_NOT_READY_SANITIZE_IN_PROGRESS);
    }

    @Test
    void unreadableMarkerMeansFailureModeUntilANewSanitize() throws Exception {
        Files.writeString(marker(), "garbage", StandardCharsets.US_ASCII);
        open(config(true, 0));
        h.clearUa(Harness.A, 0);
        Harness.assertCheck(read(0, 1), SenseReason.SANITIZE_COMMAND_FAILED);
        Harness.assertCheck(h.run(Harness.A, 0, sanitize(0x1F, 0), null), SenseReason.INVALID_FIELD_IN_CDB);
        assertEquals(ScsiStatus.GOOD, h.run(Harness.A, 0, 0x12, 0, 0, 0, 36, 0).status());
        assertEquals(ScsiStatus.GOOD, h.run(Harness.A, 0, sanitize(0x02, 0), null).status());
        assertEquals(ScsiStatus.GOOD, read(0, 1).status());
        assertFalse(Files.exists(marker()));
    }

    @Test
    void failureWithAuseIsLeftByExitFailureMode() throws Exception {
        Files.writeString(marker(), "action=BLOCK_ERASE\nause=true\npasses=1\ninvert=false\npattern=\nfailed=true\n",
                StandardCharsets.US_ASCII);
        open(config(true, 0));
        h.clearUa(Harness.A, 0);
        Harness.assertCheck(read(0, 1), SenseReason.SANITIZE_COMMAND_FAILED);
        assertEquals(ScsiStatus.GOOD, h.run(Harness.A, 0, sanitize(0x1F, 0), null).status());
        assertEquals(ScsiStatus.GOOD, read(0, 1).status());
        assertFalse(Files.exists(marker()));
    }
}
