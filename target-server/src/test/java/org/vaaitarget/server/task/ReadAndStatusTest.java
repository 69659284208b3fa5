package org.vaaitarget.server.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import java.util.List;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.sense.SenseData;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.server.pdu.Opcode;
import org.vaaitarget.server.pdu.Pdu;

class ReadAndStatusTest {
    private FfpHarness h;

    @AfterEach
    void tearDown() {
        if (h != null) {
            h.close();
        }
    }

    @Test
    void readIsSplitIntoDataInSequencesWithPhaseCollapse() {
        // MaxXmitDataSegmentLength 8192, MaxBurstLength 16384: 20000 bytes = 8192 + 8192 | 3616
        h = new FfpHarness(FfpHarness.params(8192, 16384, 65536, true, true, 1));
        ByteBuf data = FfpHarness.pattern(0, 20000);
        h.router.autoResult = c -> CommandResult.goodWithData(data);
        h.send(FfpHarness.read(0x11, 100, 20000));
        h.run();

        int[][] expected = {{0, 8192, 0x00}, {8192, 8192, 0x80}, {16384, 3616, 0x81}};
        for (int i = 0; i < expected.length; i++) {
            Pdu p = h.next(Opcode.DATA_IN);
            assertEquals(i, p.u32(36), "DataSN");
            assertEquals(expected[i][0], p.u32(40), "buffer offset");
            assertEquals(expected[i][1], p.dataSegmentLength());
            assertEquals(expected[i][2], p.flags(), "F/S bits of PDU " + i);
            assertEquals(0x11, p.itt());
            assertEquals(0xFFFFFFFF, p.u32(20), "TTT");
            assertEquals(101, p.u32(28), "ExpCmdSN");
            assertEquals(100 + 128, p.u32(32), "MaxCmdSN after completion");
            for (int j = 0; j < p.dataSegmentLength(); j += 997) {
                assertEquals(FfpHarness.expectedByte(expected[i][0] + j), p.data().getByte(j));
            }
            if (i == 2) {
                assertEquals(FfpHarness.FIRST_STAT_SN, p.u32(24), "StatSN on the S PDU");
                assertEquals(0, p.u8(3), "GOOD");
                assertEquals(0, p.u32(44), "no residual");
            }
            p.release();
        }
        assertNull(h.channel.readOutbound(), "phase collapse: no SCSI Response");
        assertEquals(0, data.refCnt());
    }

    @Test
    void aResultTheCoreGivesOnTheLoopIsAnsweredWithoutAQueuedTask() {
        h = new FfpHarness(FfpHarness.defaults());
        ByteBuf data = FfpHarness.pattern(0, 512);
        h.router.autoResult = c -> CommandResult.goodWithData(data);
        h.channel.pipeline().fireChannelRead(FfpHarness.read(1, 100, 512)); // runs no queued task (writeInbound would)
        Pdu p = h.channel.readOutbound();
        assertNotNull(p, "answered inside the read, not from the loop's task queue");
        assertEquals(Opcode.DATA_IN, p.opcode());
        assertEquals(0x80 | 0x01, p.flags(), "F, S");
        p.release();
    }

    @Test
    void aConnectionLossAbortsEveryTaskEvenWhenAnAbortCompletesItsResultOnTheLoopAtOnce() {
        // The abort's result runs complete() inside the clean-up (Connection.onLoopNow); the clean-up must still
        // reach every task (it threw "DONE cannot become DONE" and left the others, and the session, behind).
        h = new FfpHarness(FfpHarness.defaults());
        h.send(FfpHarness.read(1, 100, 512));
        h.send(FfpHarness.read(2, 101, 512));
        h.run();
        assertEquals(2, h.router.submitted.size());
        h.router.submitted.forEach(s -> s.completeOnAbort = true);
        h.channel.close();
        h.run();
        h.router.submitted.forEach(s -> assertTrue(s.abortCalled, "every task in the core is aborted"));
        assertNull(h.channel.readOutbound(), "nothing is answered on a lost connection");
    }

    @Test
    void aConnectionLossSurvivesAnAbortThatFinishesAnotherTaskOfTheConnection() {
        h = new FfpHarness(FfpHarness.defaults());
        h.send(FfpHarness.read(1, 100, 512));
        h.send(FfpHarness.read(2, 101, 512));
        h.send(FfpHarness.read(3, 102, 512));
        h.run();
        List<FakeRouter.Submitted> inCore = h.router.submitted;
        // each abort fails the next task's I/O at once (a fenced store fails everything in flight)
        for (int i = 0; i < inCore.size(); i++) {
            FakeRouter.Submitted next = inCore.get((i + 1) % inCore.size());
            inCore.get(i).onAbort = () -> next.complete(CommandResult.abortedTask());
        }
        h.channel.close();
        h.run();
        assertNull(h.channel.readOutbound(), "nothing is answered on a lost connection");
        assertTrue(h.registry.whenGone(h.session).isDone(), "the clean-up went through: the session is unregistered");
    }

    @Test
    void readUnderflowSetsUAndResidual() {
        h = new FfpHarness(FfpHarness.defaults());
        ByteBuf data = FfpHarness.pattern(0, 512);
        h.router.autoResult = c -> CommandResult.goodWithData(data);
        h.send(FfpHarness.read(1, 100, 4096));
        h.run();
        Pdu p = h.next(Opcode.DATA_IN);
        assertEquals(0x80 | 0x02 | 0x01, p.flags(), "F, U, S");
        assertEquals(3584, p.u32(44));
        assertEquals(512, p.dataSegmentLength());
        p.release();
    }

    @Test
    void readOverflowSendsOnlyEdtlAndSetsO() {
        h = new FfpHarness(FfpHarness.defaults());
        ByteBuf data = FfpHarness.pattern(0, 1024);
        h.router.autoResult = c -> CommandResult.goodWithData(data);
        h.send(FfpHarness.read(1, 100, 512));
        h.run();
        Pdu p = h.next(Opcode.DATA_IN);
        assertEquals(0x80 | 0x04 | 0x01, p.flags(), "F, O, S");
        assertEquals(512, p.u32(44));
        assertEquals(512, p.dataSegmentLength());
        p.release();
        assertEquals(0, data.refCnt());
    }

    @Test
    void checkConditionCarriesSenseLengthAndSense() {
        h = new FfpHarness(FfpHarness.defaults());
        byte[] sense = SenseData.of(SenseReason.LBA_OUT_OF_RANGE).encode(false);
        h.router.autoResult = c -> CommandResult.checkCondition(sense);
        h.send(FfpHarness.read(5, 100, 4096));
        h.run();
        Pdu p = h.next(Opcode.SCSI_RESPONSE);
        assertEquals(0x80, p.flags(), "no residual for an unknown transfer length");
        assertEquals(0, p.u8(2), "command completed at target");
        assertEquals(ScsiStatus.CHECK_CONDITION.code(), p.u8(3));
        assertEquals(FfpHarness.FIRST_STAT_SN, p.u32(24));
        assertEquals(2 + 18, p.dataSegmentLength());
        assertEquals(18, p.data().getUnsignedShort(0), "SenseLength");
        byte[] got = ByteBufUtil.getBytes(p.data(), 2, 18);
        assertArrayEquals(sense, got);
        assertEquals(0x05, got[2] & 0x0F, "ILLEGAL REQUEST");
        assertEquals(0x21, got[12] & 0xFF, "ASC");
        p.release();
    }

    @Test
    void goodWithoutDataIsAScsiResponseWithStatSnAdvancing() {
        h = new FfpHarness(FfpHarness.defaults());
        h.router.autoResult = c -> CommandResult.good(0);
        h.send(FfpHarness.scsiCommand(1, 100, 0x80, 0, new byte[] {0}, null));
        h.send(FfpHarness.scsiCommand(2, 101, 0x80, 0, new byte[] {0}, null));
        h.run();
        Pdu a = h.next(Opcode.SCSI_RESPONSE);
        Pdu b = h.next(Opcode.SCSI_RESPONSE);
        assertEquals(FfpHarness.FIRST_STAT_SN, a.u32(24));
        assertEquals(FfpHarness.FIRST_STAT_SN + 1, b.u32(24));
        assertEquals(102, b.u32(28), "ExpCmdSN");
        a.release();
        b.release();
    }

    @Test
    void responsesFollowCompletionOrderNotCmdSnOrder() {
        h = new FfpHarness(FfpHarness.defaults());
        h.send(FfpHarness.scsiCommand(1, 100, 0x80, 0, new byte[] {0}, null));
        h.send(FfpHarness.scsiCommand(2, 101, 0x80, 0, new byte[] {0}, null));
        h.router.submitted.get(1).complete(CommandResult.good(0));
        h.run();
        Pdu first = h.next(Opcode.SCSI_RESPONSE);
        assertEquals(2, first.itt());
        assertEquals(100 + 128, first.u32(32), "one slot freed: MaxCmdSN = 101 + 128 - 1 - 1 busy");
        first.release();
        h.router.submitted.get(0).complete(CommandResult.good(0));
        h.run();
        Pdu second = h.next(Opcode.SCSI_RESPONSE);
        assertEquals(1, second.itt());
        assertEquals(101 + 128, second.u32(32));
        second.release();
    }

    @Test
    void resultFromAnotherThreadHopsBackToTheEventLoop() throws Exception {
        h = new FfpHarness(FfpHarness.defaults());
        h.send(FfpHarness.read(9, 100, 512));
        ByteBuf data = FfpHarness.pattern(0, 512);
        Thread core = new Thread(() -> h.router.last().complete(CommandResult.goodWithData(data)));
        core.start();
        core.join();
        assertNull(h.channel.readOutbound(), "nothing written off the event loop");
        h.run();
        Pdu p = h.next(Opcode.DATA_IN);
        assertEquals(0x81, p.flags());
        p.release();
    }
}
