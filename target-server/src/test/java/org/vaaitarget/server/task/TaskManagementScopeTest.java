package org.vaaitarget.server.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.LunAddress;
import org.vaaitarget.server.pdu.Opcode;
import org.vaaitarget.server.pdu.Pdu;
import org.vaaitarget.server.session.AbortFinishedTask;
import org.vaaitarget.server.session.ResourceLimits;
import org.vaaitarget.server.session.ServerTarget;
import org.vaaitarget.server.session.Session;
import org.vaaitarget.server.session.SessionType;
import org.vaaitarget.server.session.TargetOffer;

/** Issue 12: the scope of each task management function when several hosts share a LUN. */
class TaskManagementScopeTest {
    private static final byte[] TUR = new byte[6];
    private static final byte[] WRITE10 = {0x2A, 0, 0, 0, 0, 0, 0, 0, 32, 0};
    private static final TargetOffer OFFER = new TargetOffer(262144, 16776192, 262144, 8, 128, 0, 30);
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

    private int tmfResponse() {
        h.run();
        Pdu rsp = h.next(Opcode.TASK_MGMT_RESPONSE);
        int code = rsp.u8(2);
        rsp.release();
        return code;
    }

    /**
     * SAM-5 7.3: ABORT TASK SET aborts the tasks received on the requesting I_T nexus only. The old code sent
     * it down the CLEAR TASK SET path, which aborts every nexus's tasks on the LU.
     */
    @Test
    void abortTaskSetAbortsThisSessionsTasksAndNothingElse() {
        h = new FfpHarness(FfpHarness.defaults());
        h.send(tur(1, 100));
        h.send(tur(2, 101));
        h.send(FfpHarness.tmf(0x70, TaskManagement.ABORT_TASK_SET, 0xFFFFFFFF, 102, 0));
        assertTrue(h.router.submitted.get(0).abortCalled && h.router.submitted.get(1).abortCalled);
        assertEquals(java.util.List.of(), h.router.calls, "no CLEAR TASK SET, no reset: other nexuses see nothing");
        assertNull(h.channel.readOutbound(), "the response waits for the aborted tasks");
        h.router.submitted.get(0).complete(CommandResult.abortedTask());
        h.router.submitted.get(1).complete(CommandResult.good(0));
        assertEquals(0, tmfResponse(), "FUNCTION COMPLETE");
        assertNull(h.channel.readOutbound(), "the aborted tasks answer nothing");
    }

    /** CLEAR TASK SET keeps its all-nexus scope (SAM-5 7.4): the core clears the others' tasks. */
    @Test
    void clearTaskSetStillGoesToTheCoreForEveryNexus() {
        h = new FfpHarness(FfpHarness.defaults());
        h.send(FfpHarness.tmf(0x71, TaskManagement.CLEAR_TASK_SET, 0xFFFFFFFF, 100, 0));
        assertEquals(0, tmfResponse());
        assertEquals(java.util.List.of("clearTaskSet 0"), h.router.calls);
    }

    /**
     * RFC 7143 11.6.1: ABORT TASK names a task on the LUN of the request; a tag of a task on another LUN
     * names no task there, so the answer is TASK DOES NOT EXIST and that task runs on.
     */
    @Test
    void abortTaskOfATaskOnAnotherLunAnswersTaskDoesNotExistAndLeavesItAlone() {
        h = new FfpHarness(FfpHarness.defaults());
        h.send(tur(1, 100));
        Pdu abort = FfpHarness.tmf(0x72, TaskManagement.ABORT_TASK, 1, 101, 100);
        abort.setLun(LunAddress.encode(1));
        h.send(abort);
        assertEquals(1, tmfResponse(), "TASK DOES NOT EXIST");
        assertFalse(h.router.submitted.get(0).abortCalled);
        h.router.submitted.get(0).complete(CommandResult.good(0));
        h.run();
        h.next(Opcode.SCSI_RESPONSE).release();
    }

    /**
     * ABORT TASK of a finished task: the target's abortFinishedTask setting decides between FUNCTION
     * COMPLETE (what ESXi needs) and TASK DOES NOT EXIST (RFC 7143 11.6.1 (c)); auto keys on the VMware IQN.
     */
    @ParameterizedTest
    @CsvSource({
        "AUTO, iqn.1998-01.com.vmware:esx-a, 0",
        "AUTO, iqn.2016-04.com.open-iscsi:1234, 1",
        "FUNCTION_COMPLETE, iqn.1998-01.com.example:hba-renamed-esx, 0",
        "RFC, iqn.1998-01.com.vmware:esx-a, 1",
    })
    void abortOfAFinishedTaskFollowsTheTargetsSetting(AbortFinishedTask choice, String initiator, int expected) {
        h = new FfpHarness(FfpHarness.defaults(), OFFER, null, ResourceLimits.defaults(), choice, initiator);
        h.router.autoResult = c -> CommandResult.good(0);
        h.send(tur(1, 100));
        h.run();
        h.next(Opcode.SCSI_RESPONSE).release();
        h.send(FfpHarness.tmf(0x73, TaskManagement.ABORT_TASK, 1, 101, 100));
        assertEquals(expected, tmfResponse());
    }

    /**
     * RFC 7143 11.5.1: after a TARGET COLD RESET the target drops all connections of every session of the
     * target, not only the requester's; sessions of other targets stay.
     */
    @Test
    void targetColdResetEndsEverySessionOfTheTarget() {
        h = new FfpHarness(FfpHarness.defaults());
        EmbeddedChannel sameTarget = new EmbeddedChannel();
        EmbeddedChannel otherTarget = new EmbeddedChannel();
        ServerTarget other = new ServerTarget("iqn.2024-01.org.vaaitarget:other", null, 1, h.router);
        h.registry.register(new Session("iqn.1994-05.com.example:b", null, "00023d000002", 2, SessionType.NORMAL,
                h.session.target(), h.params, 0, 1, sameTarget));
        h.registry.register(new Session("iqn.1994-05.com.example:c", null, "00023d000003", 3, SessionType.NORMAL,
                other, h.params, 0, 1, otherTarget));
        h.send(FfpHarness.tmf(0x74, TaskManagement.TARGET_COLD_RESET, 0xFFFFFFFF, 100, 0));
        assertEquals(0, tmfResponse());
        assertTrue(h.router.calls.contains("targetReset"));
        assertFalse(h.channel.isActive(), "the requester's connection");
        assertFalse(sameTarget.isOpen(), "another session of the same target");
        assertTrue(otherTarget.isOpen(), "a session of another target");
        otherTarget.finishAndReleaseAll();
    }

    /**
     * SAM-5 5.6 with TAS=1 and RFC 7143 4.2.3.3: another nexus's LU reset reaches this session's write that
     * is still collecting Data-Out; it ends with TASK ABORTED, never reaches the core, and the Data-Out the
     * initiator still sends for it is absorbed (no Reject, the connection stays).
     */
    @Test
    void anotherNexusResetAnswersAWriteStillCollectingDataTaskAbortedAndAbsorbsItsData() {
        h = new FfpHarness(FfpHarness.params(8192, 8192, 65536, true, false, 1));
        assertNotNull(h.router.pending, "the connection registered the tasks it holds");
        h.send(FfpHarness.scsiCommand(4, 100, 0xA0, 16384, WRITE10, null));
        Pdu r2t = h.next(Opcode.R2T);
        h.send(FfpHarness.dataOut(4, r2t.u32(20), 0, 0, false, FfpHarness.pattern(0, 4096)));
        h.router.pending.abortPending(1, true);            // another LUN: nothing happens
        h.run();
        assertNull(h.channel.readOutbound());
        h.router.pending.abortPending(0, true);
        h.run();
        Pdu rsp = h.next(Opcode.SCSI_RESPONSE);
        assertEquals(4, rsp.itt());
        assertEquals(0x40, rsp.u8(3), "TASK ABORTED");
        rsp.release();
        h.send(FfpHarness.dataOut(4, r2t.u32(20), 1, 4096, true, FfpHarness.pattern(4096, 4096)));
        assertNull(h.channel.readOutbound(), "late Data-Out dropped silently");
        assertTrue(h.channel.isActive());
        assertTrue(h.router.submitted.isEmpty(), "the aborted write never ran");
        h.router.autoResult = c -> CommandResult.good(0);
        h.send(tur(5, 101));
        h.run();
        Pdu next = h.next(Opcode.SCSI_RESPONSE);
        assertEquals(5, next.itt());
        next.release();
        r2t.release();
        h.channel.close();
        assertNull(h.router.pending, "withdrawn when the connection ends");
    }

    /** With TAS=0 the same task would end silently (SAM-5 5.6); the transport supports both. */
    @Test
    void withoutTasAPendingTaskEndsSilently() {
        h = new FfpHarness(FfpHarness.params(8192, 8192, 65536, true, false, 1));
        h.send(FfpHarness.scsiCommand(4, 100, 0xA0, 16384, WRITE10, null));
        h.next(Opcode.R2T).release();
        h.router.pending.abortPending(0, false);
        h.run();
        assertNull(h.channel.readOutbound());
        assertEquals(0, h.channel.pipeline().get(FullFeatureHandler.class).flowForTests().taskCount());
    }
}
