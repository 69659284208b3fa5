package org.vaaitarget.server.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.server.pdu.Opcode;
import org.vaaitarget.server.pdu.Pdu;
import org.vaaitarget.server.session.ResourceLimits;

/** limits.writeBytesPerConnection and limits.dataOutTimeout on one connection. */
class ConnectionLimitsTest {
    private static final byte[] WRITE10 = {0x2A, 0, 0, 0, 0, 0, 0, 0, 8, 0};
    private static final int F_W = 0x80 | 0x20;
    private FfpHarness h;

    @AfterEach
    void tearDown() {
        if (h != null) {
            h.close();
        }
    }

    @Test
    void aWriteBeyondTheBudgetGetsTaskSetFullAndItsDataIsDropped() {
        h = new FfpHarness(FfpHarness.params(8192, 262144, 65536, false, true, 1),
                ResourceLimits.defaults().withWriteBytesPerConnection(100_000));
        // 1: 64 KiB, all unsolicited except the rest: holds a 64 KiB reservation while collecting.
        h.send(FfpHarness.scsiCommand(1, 100, 0x20, 65536, WRITE10, FfpHarness.pattern(0, 4096)));
        assertEquals(65536, flow().reservedWriteBytes());
        // 2: another 64 KiB does not fit beside it: TASK SET FULL once its unsolicited data is in.
        h.send(FfpHarness.scsiCommand(2, 101, F_W, 65536, WRITE10, FfpHarness.pattern(0, 4096)));
        Pdu full = h.next(Opcode.SCSI_RESPONSE);
        assertEquals(2, full.itt());
        assertEquals(ScsiStatus.TASK_SET_FULL.code(), full.u8(3));
        full.release();
        assertNull(h.channel.readOutbound(), "no R2T for the refused write");
        assertEquals(65536, flow().reservedWriteBytes());
        // 3: 16 KiB still fits.
        h.send(FfpHarness.scsiCommand(3, 102, F_W, 16384, WRITE10, FfpHarness.pattern(0, 4096)));
        Pdu r2t = h.next(Opcode.R2T);
        assertEquals(3, r2t.itt());
        r2t.release();
        assertEquals(65536 + 16384, flow().reservedWriteBytes());
        // Task 1 completes: its reservation is returned.
        for (int off = 4096, sn = 0; off < 65536; off += 4096, sn++) {
            h.send(FfpHarness.dataOut(1, 0xFFFFFFFF, sn, off, off + 4096 == 65536, FfpHarness.pattern(off, 4096)));
        }
        h.router.last().complete(CommandResult.good(65536));
        h.run();
        Pdu ok = h.next(Opcode.SCSI_RESPONSE);
        assertEquals(1, ok.itt());
        assertEquals(ScsiStatus.GOOD.code(), ok.u8(3));
        ok.release();
        assertEquals(16384, flow().reservedWriteBytes());
    }

    @Test
    void aSingleWriteLargerThanTheBudgetStillProceedsWhenNothingElseIsReserved() {
        h = new FfpHarness(FfpHarness.params(8192, 262144, 65536, true, false, 1),
                ResourceLimits.defaults().withWriteBytesPerConnection(65536));
        h.send(FfpHarness.scsiCommand(1, 100, F_W, 131072, WRITE10, null));
        Pdu r2t = h.next(Opcode.R2T);
        assertEquals(131072, r2t.u32(44));
        r2t.release();
    }

    @Test
    void aTaskThatNeverGetsItsDataOutDropsTheConnection() throws InterruptedException {
        h = new FfpHarness(FfpHarness.defaults(),
                ResourceLimits.defaults().withDataOutTimeout(Duration.ofMillis(200)));
        h.send(FfpHarness.scsiCommand(1, 100, F_W, 16384, WRITE10, null));
        h.next(Opcode.R2T).release();
        ScsiCommandFlow flow = flow();
        assertEquals(16384, flow.reservedWriteBytes());
        // eventual outcome, generous bound: the channel closes, and the reservation is gone
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (h.channel.isOpen() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            h.channel.runPendingTasks();
            h.channel.runScheduledPendingTasks();
        }
        assertFalse(h.channel.isOpen(), "connection dropped after the Data-Out timeout");
        assertEquals(0, flow.reservedWriteBytes());
        assertEquals(0, flow.taskCount());
    }

    @Test
    void aTaskThatReceivesDataInTimeKeepsTheConnection() throws InterruptedException {
        h = new FfpHarness(FfpHarness.defaults(),
                ResourceLimits.defaults().withDataOutTimeout(Duration.ofSeconds(30)));
        h.send(FfpHarness.scsiCommand(1, 100, F_W, 4096, WRITE10, null));
        Pdu r2t = h.next(Opcode.R2T);
        Thread.sleep(100);
        h.channel.runScheduledPendingTasks();
        assertTrue(h.channel.isOpen());
        h.send(FfpHarness.dataOut(1, r2t.u32(20), 0, 0, true, FfpHarness.pattern(0, 4096)));
        r2t.release();
        assertEquals(1, h.router.submitted.size());
    }

    private ScsiCommandFlow flow() {
        return ((FullFeatureHandler) h.channel.pipeline().first()).flowForTests();
    }
}
