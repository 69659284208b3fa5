package org.vaaitarget.server.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.server.net.ServerShutdownEvent;
import org.vaaitarget.server.pdu.Opcode;
import org.vaaitarget.server.pdu.Pdu;
import org.vaaitarget.server.session.TargetOffer;

class SessionFlowTest {
    private static final byte[] TUR = new byte[6];
    private static final byte[] WRITE10 = {0x2A, 0, 0, 0, 0, 0, 0, 0, 8, 0};
    private FfpHarness h;

    @AfterEach
    void tearDown() {
        if (h != null) {
            h.close();
        }
    }

    private static Pdu tur(int itt, int cmdSn) {
        return FfpHarness.scsiCommand(itt, cmdSn, 0x80, 0, TUR, null);
    }

    // ---------------------------------------------------------------- CmdSN window

    @Test
    void commandsAheadOfExpCmdSnAreHeldAndDeliveredInOrder() {
        h = new FfpHarness(FfpHarness.defaults());
        h.send(tur(3, 102));
        h.send(tur(2, 101));
        assertTrue(h.router.submitted.isEmpty(), "held until CmdSN 100 arrives");
        h.send(tur(1, 100));
        assertEquals(3, h.router.submitted.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(i + 1, h.router.submitted.get(i).command.taskTag(), "CmdSN order");
        }
    }

    @Test
    void commandsOutsideTheWindowAreSilentlyIgnored() {
        TargetOffer offer = new TargetOffer(262144, 16776192, 262144, 8, 4, 0, 30);
        h = new FfpHarness(FfpHarness.defaults(), offer, FullFeatureOptions.defaults());
        h.send(tur(1, 99));          // below ExpCmdSN
        h.send(tur(2, 104));         // above MaxCmdSN = 103
        assertNull(h.channel.readOutbound());
        assertTrue(h.router.submitted.isEmpty());
        h.send(tur(3, 100));
        h.router.last().complete(CommandResult.good(0));
        h.run();
        Pdu rsp = h.next(Opcode.SCSI_RESPONSE);
        assertEquals(101, rsp.u32(28), "ExpCmdSN");
        assertEquals(104, rsp.u32(32), "MaxCmdSN = ExpCmdSN + depth - 1 once nothing is outstanding");
        rsp.release();
    }

    @Test
    void maxCmdSnLimitsOutstandingCommandsToTheQueueDepth() {
        TargetOffer offer = new TargetOffer(262144, 16776192, 262144, 8, 2, 0, 30);
        h = new FfpHarness(FfpHarness.defaults(), offer, FullFeatureOptions.defaults());
        h.send(tur(1, 100));
        h.send(tur(2, 101));
        h.send(tur(3, 102));         // window full: MaxCmdSN is still 101
        assertEquals(2, h.router.submitted.size());
        h.router.submitted.get(0).complete(CommandResult.good(0));
        h.run();
        Pdu rsp = h.next(Opcode.SCSI_RESPONSE);
        assertEquals(102, rsp.u32(32), "a completed command opens one slot");
        rsp.release();
        h.send(tur(3, 102));
        assertEquals(3, h.router.submitted.size());
    }

    @Test
    void immediateCommandsAreNotSequenced() {
        h = new FfpHarness(FfpHarness.defaults());
        h.router.autoResult = c -> CommandResult.good(0);
        Pdu p = tur(1, 100);
        byte[] bhs = p.bhsCopy();
        p.release();
        h.send(Pdu.decoded(Pdu.fromHeader(bhs, null).setImmediate(true).bhsCopy(), null, null));
        h.run();
        Pdu rsp = h.next(Opcode.SCSI_RESPONSE);
        assertEquals(100, rsp.u32(28), "ExpCmdSN unchanged by an immediate command");
        rsp.release();
        assertEquals(1, h.router.submitted.size());
    }

    @Test
    void duplicateTaskTagIsRejectedWithTaskInProgress() {
        h = new FfpHarness(FfpHarness.defaults());
        h.send(tur(1, 100));
        h.send(tur(1, 101));
        Pdu r = h.next(Opcode.REJECT);
        assertEquals(0x07, r.u8(2));
        r.release();
        assertEquals(1, h.router.submitted.size());
    }

    // ---------------------------------------------------------------- NOP

    @Test
    void nopOutWithTagIsEchoedAndPingRepliesAreNotAnswered() {
        h = new FfpHarness(FfpHarness.defaults());
        h.send(FfpHarness.nopOut(0x55, 0xFFFFFFFF, 100, true, FfpHarness.pattern(0, 100)));
        Pdu nopIn = h.next(Opcode.NOP_IN);
        assertEquals(0x55, nopIn.itt());
        assertEquals(0xFFFFFFFF, nopIn.u32(20));
        assertEquals(FfpHarness.FIRST_STAT_SN, nopIn.u32(24));
        assertArrayEquals(ByteBufUtil.getBytes(FfpHarness.pattern(0, 100)), ByteBufUtil.getBytes(nopIn.data()));
        nopIn.release();
        h.send(FfpHarness.nopOut(0xFFFFFFFF, 0xFFFFFFFF, 100, true, null));
        assertNull(h.channel.readOutbound());
    }

    @Test
    void idleConnectionIsPingedAndClosedWithoutAnswer() {
        TargetOffer offer = new TargetOffer(262144, 16776192, 262144, 8, 128, 5, 10);
        h = new FfpHarness(FfpHarness.defaults(), offer, FullFeatureOptions.defaults());
        h.channel.advanceTimeBy(5, TimeUnit.SECONDS);
        h.channel.runScheduledPendingTasks();
        Pdu ping = h.next(Opcode.NOP_IN);
        assertEquals(0xFFFFFFFF, ping.itt());
        int ttt = ping.u32(20);
        assertTrue(ttt != 0xFFFFFFFF);
        assertEquals(FfpHarness.FIRST_STAT_SN, ping.u32(24));
        ping.release();
        h.send(FfpHarness.nopOut(0xFFFFFFFF, ttt, 100, true, null));
        h.channel.advanceTimeBy(10, TimeUnit.SECONDS);
        h.channel.runScheduledPendingTasks();
        assertTrue(h.channel.isActive(), "answered ping keeps the connection");
        h.drain();
        // Now stay silent: ping, then close after the timeout.
        h.channel.advanceTimeBy(10, TimeUnit.SECONDS);
        h.channel.runScheduledPendingTasks();
        h.channel.advanceTimeBy(10, TimeUnit.SECONDS);
        h.channel.runScheduledPendingTasks();
        assertFalse(h.channel.isActive());
        assertTrue(h.router.calls.contains("nexusLost"));
    }

    // ---------------------------------------------------------------- task management

    @Test
    void abortTaskOfARunningTaskAnswersAfterTheTaskEndsAndSuppressesItsResponse() {
        h = new FfpHarness(FfpHarness.defaults());
        h.send(tur(1, 100));
        h.send(FfpHarness.tmf(0x77, TaskManagement.ABORT_TASK, 1, 101, 100));
        FakeRouter.Submitted s = h.router.last();
        assertTrue(s.abortCalled);
        assertNull(h.channel.readOutbound(), "no TMF response before the task has ended");
        ByteBuf data = FfpHarness.pattern(0, 512);
        s.complete(new CommandResult(org.vaaitarget.core.scsi.ScsiStatus.GOOD, null, data, 512, true));
        h.run();
        Pdu rsp = h.next(Opcode.TASK_MGMT_RESPONSE);
        assertEquals(0x77, rsp.itt());
        assertEquals(0, rsp.u8(2), "FUNCTION COMPLETE");
        rsp.release();
        assertNull(h.channel.readOutbound(), "the aborted task sends nothing");
        assertEquals(0, data.refCnt());
    }

    @Test
    void abortTaskOfATaskCollectingDataDropsItAndItsLateData() {
        h = new FfpHarness(FfpHarness.params(8192, 8192, 65536, true, false, 1));
        h.send(FfpHarness.scsiCommand(4, 100, 0xA0, 16384, WRITE10, null));
        Pdu r2t = h.next(Opcode.R2T);
        h.send(FfpHarness.dataOut(4, r2t.u32(20), 0, 0, false, FfpHarness.pattern(0, 4096)));
        h.send(FfpHarness.tmf(0x78, TaskManagement.ABORT_TASK, 4, 101, 100));
        h.run();
        Pdu rsp = h.next(Opcode.TASK_MGMT_RESPONSE);
        assertEquals(0, rsp.u8(2));
        rsp.release();
        h.send(FfpHarness.dataOut(4, r2t.u32(20), 1, 4096, true, FfpHarness.pattern(4096, 4096)));
        assertNull(h.channel.readOutbound(), "FastAbort: late Data-Out dropped silently");
        assertTrue(h.router.submitted.isEmpty());
        r2t.release();
    }

    @Test
    void abortTaskOfAFinishedTaskAnswersFunctionCompleteToVmware() {
        h = new FfpHarness(FfpHarness.defaults(), new TargetOffer(262144, 16776192, 262144, 8, 128, 0, 30),
                FullFeatureOptions.forInitiator("iqn.1998-01.com.vmware:esx01-4f3c2a1b"));
        h.router.autoResult = c -> CommandResult.good(0);
        h.send(tur(1, 100));
        h.run();
        h.next(Opcode.SCSI_RESPONSE).release();
        h.send(FfpHarness.tmf(0x79, TaskManagement.ABORT_TASK, 1, 101, 100));
        h.run();
        Pdu rsp = h.next(Opcode.TASK_MGMT_RESPONSE);
        assertEquals(0, rsp.u8(2), "FUNCTION COMPLETE (ESXi)");
        rsp.release();
    }

    @Test
    void abortTaskOfAFinishedTaskAnswersTaskDoesNotExistByDefault() {
        h = new FfpHarness(FfpHarness.defaults(), new TargetOffer(262144, 16776192, 262144, 8, 128, 0, 30),
                FullFeatureOptions.forInitiator("iqn.2016-04.com.open-iscsi:1234"));
        h.send(FfpHarness.tmf(0x79, TaskManagement.ABORT_TASK, 1, 100, 50));
        h.run();
        Pdu rsp = h.next(Opcode.TASK_MGMT_RESPONSE);
        assertEquals(1, rsp.u8(2), "TASK DOES NOT EXIST (RFC 7143 11.5.1 c, libiscsi)");
        rsp.release();
    }

    @Test
    void abortTaskOfANeverReceivedCommandPlugsTheCmdSnGap() {
        h = new FfpHarness(FfpHarness.defaults());
        h.send(tur(2, 101));                       // held: CmdSN 100 was lost
        assertTrue(h.router.submitted.isEmpty());
        h.send(FfpHarness.tmf(0x7A, TaskManagement.ABORT_TASK, 1, 102, 100));
        h.run();
        assertEquals(1, h.router.submitted.size(), "the gap is plugged, CmdSN 101 runs");
        Pdu rsp = h.next(Opcode.TASK_MGMT_RESPONSE);
        assertEquals(0, rsp.u8(2));
        assertEquals(102, rsp.u32(28));
        rsp.release();
    }

    @Test
    void logicalUnitResetTerminatesLocalTasksAndResetsTheLun() {
        h = new FfpHarness(FfpHarness.defaults());
        h.send(tur(1, 100));
        h.send(tur(2, 101));
        h.send(FfpHarness.tmf(0x7B, TaskManagement.LOGICAL_UNIT_RESET, 0xFFFFFFFF, 102, 0));
        assertTrue(h.router.submitted.get(0).abortCalled && h.router.submitted.get(1).abortCalled);
        assertTrue(h.router.calls.contains("lunReset 0"));
        assertNull(h.channel.readOutbound());
        h.router.submitted.get(0).complete(CommandResult.abortedTask());
        h.router.submitted.get(1).complete(CommandResult.good(0));   // finished anyway: still suppressed
        h.run();
        Pdu rsp = h.next(Opcode.TASK_MGMT_RESPONSE);
        assertEquals(0, rsp.u8(2));
        rsp.release();
        assertNull(h.channel.readOutbound());
    }

    @Test
    void unknownLunAndUnsupportedFunctions() {
        h = new FfpHarness(FfpHarness.defaults());
        h.router.lunExists = false;
        h.send(FfpHarness.tmf(1, TaskManagement.LOGICAL_UNIT_RESET, 0xFFFFFFFF, 100, 0));
        h.send(FfpHarness.tmf(2, TaskManagement.CLEAR_ACA, 0xFFFFFFFF, 100, 0));
        h.send(FfpHarness.tmf(3, TaskManagement.TASK_REASSIGN, 5, 100, 0));
        h.run();
        int[] expected = {2, 5, 4};
        for (int e : expected) {
            Pdu rsp = h.next(Opcode.TASK_MGMT_RESPONSE);
            assertEquals(e, rsp.u8(2));
            rsp.release();
        }
    }

    @Test
    void targetColdResetClosesTheConnectionAfterTheResponse() {
        h = new FfpHarness(FfpHarness.defaults());
        h.send(FfpHarness.tmf(1, TaskManagement.TARGET_COLD_RESET, 0xFFFFFFFF, 100, 0));
        h.run();
        Pdu rsp = h.next(Opcode.TASK_MGMT_RESPONSE);
        assertEquals(0, rsp.u8(2));
        rsp.release();
        assertTrue(h.router.calls.contains("targetReset"));
        assertFalse(h.channel.isActive());
    }

    // ---------------------------------------------------------------- logout, loss, shutdown, rejects

    @Test
    void logoutWaitsForRunningTasksThenAnswersAndCloses() {
        h = new FfpHarness(FfpHarness.defaults());
        h.send(tur(1, 100));
        h.send(FfpHarness.logout(0x10, 0, 101));
        assertNull(h.channel.readOutbound());
        assertTrue(h.channel.isActive());
        h.router.last().complete(CommandResult.good(0));
        h.run();
        h.next(Opcode.SCSI_RESPONSE).release();
        Pdu rsp = h.next(Opcode.LOGOUT_RESPONSE);
        assertEquals(0x10, rsp.itt());
        assertEquals(0, rsp.u8(2));
        assertEquals(2, rsp.u16(40), "Time2Wait");
        assertEquals(20, rsp.u16(42), "Time2Retain");
        rsp.release();
        assertFalse(h.channel.isActive());
        assertTrue(h.registry.all().isEmpty(), "session unregistered");
    }

    @Test
    void logoutForRecoveryIsNotSupportedAtErl0() {
        h = new FfpHarness(FfpHarness.defaults());
        h.send(FfpHarness.logout(0x10, 2, 100));
        Pdu rsp = h.next(Opcode.LOGOUT_RESPONSE);
        assertEquals(2, rsp.u8(2));
        rsp.release();
        assertTrue(h.channel.isActive());
    }

    @Test
    void connectionLossAbortsTasksAndReleasesEveryBuffer() {
        h = new FfpHarness(FfpHarness.params(8192, 8192, 65536, false, true, 1));
        ByteBuf immediate = FfpHarness.pattern(0, 4096);
        ByteBuf unsolicited = FfpHarness.pattern(4096, 4096);
        h.send(FfpHarness.scsiCommand(1, 100, 0x20, 65536, WRITE10, immediate));
        h.send(FfpHarness.dataOut(1, 0xFFFFFFFF, 0, 4096, false, unsolicited));
        ByteBuf heldData = FfpHarness.pattern(0, 512);
        h.send(FfpHarness.scsiCommand(3, 103, 0xA0, 512, WRITE10, heldData));   // held: CmdSN 102 never comes
        h.send(FfpHarness.read(2, 101, 512));
        FakeRouter.Submitted read = h.router.last();
        assertEquals(2, read.command.taskTag(), "the held write never reached the core");
        h.drain();
        h.channel.close();
        assertTrue(read.abortCalled);
        assertEquals(0, immediate.refCnt());
        assertEquals(0, unsolicited.refCnt());
        ByteBuf late = FfpHarness.pattern(0, 512);
        read.complete(CommandResult.goodWithData(late));
        h.run();
        assertEquals(0, late.refCnt(), "a result after the loss is released");
        assertNull(h.channel.readOutbound());
        assertTrue(h.router.calls.contains("nexusLost"));
        assertTrue(h.registry.all().isEmpty());
        assertEquals(0, heldData.refCnt());
    }

    @Test
    void snackAndUndefinedOpcodesAreRejected() {
        h = new FfpHarness(FfpHarness.defaults());
        Pdu snack = Pdu.create(Opcode.SNACK_REQUEST);
        h.send(snack);
        Pdu r = h.next(Opcode.REJECT);
        assertEquals(0x04, r.u8(2));
        r.release();
        byte[] bhs = new byte[48];
        bhs[0] = 0x1C;
        h.send(Pdu.decoded(bhs, null, null));
        r = h.next(Opcode.REJECT);
        assertEquals(0x05, r.u8(2));
        assertEquals(0x1C, r.data().getByte(0));
        r.release();
    }

    @Test
    void shutdownSendsAsyncLogoutRequestAndRefusesNewCommands() {
        h = new FfpHarness(FfpHarness.defaults());
        h.channel.pipeline().fireUserEventTriggered(ServerShutdownEvent.INSTANCE);
        Pdu async = h.next(Opcode.ASYNC_MESSAGE);
        assertEquals(1, async.u8(36), "AsyncEvent 1: target requests logout");
        assertEquals(FullFeatureOptions.defaults().logoutGraceSeconds(), async.u16(42), "Parameter3");
        assertEquals(FfpHarness.FIRST_STAT_SN, async.u32(24));
        async.release();
        h.send(tur(1, 100));
        Pdu rsp = h.next(Opcode.SCSI_RESPONSE);
        assertEquals(0x08, rsp.u8(3), "BUSY");
        rsp.release();
        assertTrue(h.router.submitted.isEmpty());
        h.channel.advanceTimeBy(FullFeatureOptions.defaults().logoutGraceSeconds(), TimeUnit.SECONDS);
        h.channel.runScheduledPendingTasks();
        assertFalse(h.channel.isActive(), "closed when the initiator does not log out");
    }
}
