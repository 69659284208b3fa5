package org.vaaitarget.core.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vaaitarget.core.testkit.Harness.A;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vaaitarget.core.assembly.StandardHandlers;
import org.vaaitarget.core.dispatch.TargetDevice;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.testkit.Harness;

/** What the dispatcher tells a {@link LunObserver} about completed commands (the metrics hook). */
class CommandObserverTest {

    record Seen(String target, int lun, CommandOp op, ScsiStatus status, int senseKey, long in, long out) {
    }

    @Test
    void everyCompletedCommandIsReportedWithItsClassStatusSenseKeyAndBytes() {
        TargetDevice device = new TargetDevice(Harness.TARGET, List.of(Harness.lu(0, Harness.THIN_WRITE_BACK)),
                StandardHandlers.all());
        List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
        device.observe((target, lun) -> new LunObserver() {
            @Override
            public void commandCompleted(CommandOp op, ScsiStatus status, int senseKey, long dataInBytes,
                                         long dataOutBytes, long durationNanos) {
                assertTrue(durationNanos >= 0);
                seen.add(new Seen(target, lun, op, status, senseKey, dataInBytes, dataOutBytes));
            }
        });
        Harness h = new Harness(device);
        h.run(A, 0, 0x00, 0, 0, 0, 0, 0);                                           // TEST UNIT READY
        h.run(A, 0, Harness.cdb(0x2A, 0, 0, 0, 0, 8, 0, 0, 2, 0), new byte[1024]);   // WRITE(10) 2 blocks
        h.run(A, 0, 0x28, 0, 0, 0, 0, 8, 0, 0, 1, 0);                               // READ(10) 1 block
        h.run(A, 0, 0x28, 0, 0x7F, 0, 0, 0, 0, 0, 1, 0);                            // beyond the end
        h.run(A, 7, 0x00, 0, 0, 0, 0, 0);                                           // no LUN 7

        String t = Harness.TARGET;
        assertEquals(List.of(
                new Seen(t, 0, CommandOp.OTHER, ScsiStatus.GOOD, -1, 0, 0),
                new Seen(t, 0, CommandOp.WRITE, ScsiStatus.GOOD, -1, 0, 1024),
                new Seen(t, 0, CommandOp.READ, ScsiStatus.GOOD, -1, 512, 0),
                new Seen(t, 0, CommandOp.READ, ScsiStatus.CHECK_CONDITION, 0x5, 0, 0),
                new Seen(t, -1, CommandOp.OTHER, ScsiStatus.CHECK_CONDITION, 0x5, 0, 0)), seen);
        h.assertDataOutReleasedOnce();
    }

    @Test
    void unmapAndWriteSameReportTheirBlocks() {
        TargetDevice device = new TargetDevice(Harness.TARGET, List.of(Harness.lu(0, Harness.THIN_WRITE_BACK)),
                StandardHandlers.all());
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        device.observe((target, lun) -> new LunObserver() {
            @Override
            public void unmapBlocks(long blocks) {
                seen.add("unmap " + blocks);
            }

            @Override
            public void writeSameBlocks(long blocks, boolean unmap) {
                seen.add("write same " + blocks + (unmap ? " unmap" : ""));
            }
        });
        Harness h = new Harness(device);
        byte[] list = new byte[8 + 2 * 16];           // UNMAP parameter list: two descriptors (SBC-4 5.32.2)
        list[1] = 6 + 32;
        list[3] = 32;
        list[8 + 7] = 16;                              // LBA 16, 8 blocks
        list[8 + 11] = 8;
        list[24 + 6] = 1;                              // LBA 256, 16 blocks
        list[24 + 11] = 16;
        assertEquals(ScsiStatus.GOOD, h.run(A, 0, Harness.cdb(0x42, 0, 0, 0, 0, 0, 0, 0, list.length, 0), list).status());
        assertEquals(ScsiStatus.GOOD, h.run(A, 0, Harness.cdb(0x41, 0, 0, 0, 0, 64, 0, 0, 4, 0),
                filled(512, 7)).status());                                              // WRITE SAME(10) 4 blocks
        assertEquals(ScsiStatus.GOOD, h.run(A, 0, Harness.cdb(0x41, 0x08, 0, 0, 0, 80, 0, 0, 8, 0),
                new byte[512]).status());                                                // UNMAP bit, zeros
        assertEquals(List.of("unmap 8", "unmap 16", "write same 4", "write same 8 unmap"), seen);
        h.assertDataOutReleasedOnce();
    }

    private static byte[] filled(int length, int value) {
        byte[] b = new byte[length];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }

    @Test
    void opcodesMapToTheDocumentedClasses() {
        assertEquals(CommandOp.READ, CommandOp.of(0x88));
        assertEquals(CommandOp.WRITE, CommandOp.of(0x8E));          // WRITE AND VERIFY(16)
        assertEquals(CommandOp.COMPARE_AND_WRITE, CommandOp.of(0x89));
        assertEquals(CommandOp.WRITE_SAME, CommandOp.of(0x93));
        assertEquals(CommandOp.UNMAP, CommandOp.of(0x42));
        assertEquals(CommandOp.XCOPY, CommandOp.of(0x83));
        assertEquals(CommandOp.OTHER, CommandOp.of(0x84));          // RECEIVE COPY RESULTS
        assertEquals(CommandOp.VERIFY, CommandOp.of(0x2F));
        assertEquals(CommandOp.SYNC, CommandOp.of(0x91));
        assertEquals(CommandOp.OTHER, CommandOp.of(0x12));
        assertEquals(CommandOp.OTHER, CommandOp.of(-1));
    }
}
