package org.vaaitarget.core.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vaaitarget.core.testkit.Harness.A;
import static org.vaaitarget.core.testkit.Harness.B;
import static org.vaaitarget.core.testkit.Harness.assertCheck;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.lu.lock.LockMode;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.TaskHandle;
import org.vaaitarget.core.scsi.TaskManagementResponse;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.spc.SpcHandlers;
import org.vaaitarget.core.store.StoreException;
import org.vaaitarget.core.testkit.Harness;
import org.vaaitarget.core.testkit.Reply;
import org.vaaitarget.core.testkit.TestStore;

/** The dispatcher's gates, task tracking, task management and buffer release, through submit(). */
class TargetDeviceTest {
    /** A vendor-specific opcode served only in these tests; its behaviour is set per test. */
    private static final int TEST_OPCODE = 0xC0;
    private static final int[] TEST_CDB = {TEST_OPCODE, 0, 0, 0, 0, 0};

    private Function<Task, CompletionStage<CommandResult>> behaviour;
    private final AtomicInteger executions = new AtomicInteger();
    private LogicalUnit lu0;
    private Harness h;

    private final CommandHandler testHandler = new CommandHandler() {
        @Override
        public List<CommandSpec> commands() {
            return List.of(CommandSpec.command("TEST", "C0 00 00 00 00 00", DataAccess.WRITE, CommandSpec.Medium.NEEDED,
                    CommandSpec.PrClass.WRITE, CommandSpec.Scsi2.HELD));
        }

        @Override
        public CompletionStage<CommandResult> execute(Task task) {
            executions.incrementAndGet();
            return behaviour.apply(task);
        }
    };

    @BeforeEach
    void setUp() {
        behaviour = t -> CompletableFuture.completedFuture(CommandResult.good(0));
        lu0 = Harness.lu(0, Harness.THIN_WRITE_BACK);
        h = new Harness(new TargetDevice(Harness.TARGET, List.of(lu0), handlers(), 4));
    }

    @AfterEach
    void tearDown() {
        h.assertDataOutReleasedOnce();
    }

    private List<CommandHandler> handlers() {
        List<CommandHandler> all = new ArrayList<>(SpcHandlers.all());
        all.add(testHandler);
        return all;
    }

    private byte[] cdb(int... b) {
        return Harness.cdb(b);
    }

    @Test
    void aNewNexusGetsNoPowerOnUnitAttention() {
        // SAM-5 6.3.1: the power-on UA is for nexuses that existed at power on; see UnitAttentions.
        assertEquals(ScsiStatus.GOOD, h.run(A, 0, 0x00, 0, 0, 0, 0, 0).status());
    }

    @Test
    void aPendingUnitAttentionIsReportedOnceThenCleared() {
        pendingReset();
        assertCheck(h.run(A, 0, 0x00, 0, 0, 0, 0, 0), SenseReason.BUS_DEVICE_RESET_FUNCTION_OCCURRED);
        assertEquals(ScsiStatus.GOOD, h.run(A, 0, 0x00, 0, 0, 0, 0, 0).status());
        // Unit attentions are per I_T nexus: B still has its own.
        assertCheck(h.run(B, 0, 0x00, 0, 0, 0, 0, 0), SenseReason.BUS_DEVICE_RESET_FUNCTION_OCCURRED);
    }

    private void pendingReset() {
        lu0.unitAttentions().raise(A, SenseReason.BUS_DEVICE_RESET_FUNCTION_OCCURRED);
        lu0.unitAttentions().raise(B, SenseReason.BUS_DEVICE_RESET_FUNCTION_OCCURRED);
    }

    @Test
    void inquiryAndReportLunsNeitherReportNorClearUnitAttention() {
        pendingReset();
        assertEquals(ScsiStatus.GOOD, h.run(A, 0, 0x12, 0, 0, 0, 96, 0).status());
        assertEquals(ScsiStatus.GOOD, h.run(A, 0, 0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0).status());
        assertCheck(h.run(A, 0, 0x00, 0, 0, 0, 0, 0), SenseReason.BUS_DEVICE_RESET_FUNCTION_OCCURRED);
    }

    @Test
    void requestSenseReturnsTheUnitAttentionAsDataAndConsumesIt() {
        pendingReset();
        Reply r = h.run(A, 0, 0x03, 0, 0, 0, 18, 0);
        assertEquals(ScsiStatus.GOOD, r.status());
        assertEquals(0x70, r.u8(0));
        assertEquals(0x06, r.u8(2) & 0x0F);
        assertEquals(0x29, r.u8(12));
        assertEquals(ScsiStatus.GOOD, h.run(A, 0, 0x00, 0, 0, 0, 0, 0).status());
        Reply none = h.run(A, 0, 0x03, 0, 0, 0, 18, 0);
        assertEquals(0x00, none.u8(2) & 0x0F, "NO SENSE when nothing is pending");
    }

    @Test
    void unknownLunIsNotSupportedExceptForInquiryReportLunsAndRequestSense() {
        assertCheck(h.run(A, 7, 0x00, 0, 0, 0, 0, 0), SenseReason.LOGICAL_UNIT_NOT_SUPPORTED);
        byte[] data = new byte[] {1, 2, 3};
        assertCheck(h.run(A, 7, cdb(TEST_CDB), data), SenseReason.LOGICAL_UNIT_NOT_SUPPORTED);
        Reply inq = h.run(A, 7, 0x12, 0, 0, 0, 96, 0);
        assertEquals(ScsiStatus.GOOD, inq.status());
        assertEquals(0x7F, inq.u8(0), "peripheral qualifier 011b, device type 1Fh");
        assertEquals(ScsiStatus.GOOD, h.run(A, 7, 0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0).status());
        Reply rs = h.run(A, 7, 0x03, 0, 0, 0, 18, 0);
        assertEquals(ScsiStatus.GOOD, rs.status());
        assertEquals(0x25, rs.u8(12));
        assertEquals(0, executions.get());
        assertFalse(h.device.hasLun(A, org.vaaitarget.core.scsi.LunAddress.encode(7)));
        assertTrue(h.device.hasLun(A, org.vaaitarget.core.scsi.LunAddress.encode(0)));
    }

    @Test
    void unsupportedOpcodeAndServiceAction() {
        h.clearUa(A, 0);
        assertCheck(h.run(A, 0, 0xEE, 0, 0, 0, 0, 0), SenseReason.INVALID_COMMAND_OPERATION_CODE);
        // MAINTENANCE IN is served (REPORT SUPPORTED OPERATION CODES) but not service action 0Ah.
        assertCheck(h.run(A, 0, 0xA3, 0x0A, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0), SenseReason.INVALID_FIELD_IN_CDB);
    }

    @Test
    void unitAttentionComesBeforeTheOpcodeCheck() {
        pendingReset();
        assertCheck(h.run(A, 0, 0xEE, 0, 0, 0, 0, 0), SenseReason.BUS_DEVICE_RESET_FUNCTION_OCCURRED);
    }

    @Test
    void duplicateRegistrationFailsFast() {
        List<CommandHandler> twice = new ArrayList<>(SpcHandlers.all());
        twice.add(SpcHandlers.all().get(0));
        assertThrows(IllegalArgumentException.class, () -> new TargetDevice("t", List.of(), twice));
    }

    @Test
    void handlerThrowingSynchronouslyBecomesInternalTargetFailure() {
        h.clearUa(A, 0);
        behaviour = t -> {
            throw new IllegalStateException("bug");
        };
        assertCheck(h.run(A, 0, cdb(TEST_CDB), new byte[8]), SenseReason.INTERNAL_TARGET_FAILURE);
        assertEquals(0, h.device.tasksInFlight());
    }

    @ParameterizedTest
    @EnumSource(StoreException.Kind.class)
    void storeFailuresMapThroughStoreErrors(StoreException.Kind kind) {
        h.clearUa(A, 0);
        behaviour = t -> CompletableFuture.failedFuture(new StoreException(kind, "test"));
        Reply r = h.run(A, 0, cdb(TEST_CDB), new byte[8]);
        switch (kind) {
            case IO_READ -> assertCheck(r, SenseReason.READ_ERROR);
            case IO_WRITE -> assertCheck(r, SenseReason.WRITE_ERROR);
            case NO_SPACE -> assertCheck(r, SenseReason.SPACE_ALLOCATION_FAILED_WRITE_PROTECT);
            case WRITE_PROTECTED -> assertCheck(r, SenseReason.WRITE_PROTECTED);
            case OUT_OF_RANGE -> assertCheck(r, SenseReason.LBA_OUT_OF_RANGE);
            case CLOSED -> assertCheck(r, SenseReason.LOGICAL_UNIT_NOT_READY_CAUSE_NOT_REPORTABLE);
            case BUSY -> assertEquals(ScsiStatus.TASK_SET_FULL, r.status());
        }
    }

    @Test
    void descriptorSenseAfterModeSelectSetsDSense() {
        h.clearUa(A, 0);
        byte[] control = new byte[4 + 12];
        control[4] = 0x0A;
        control[5] = 0x0A;
        control[6] = 0x04;                       // D_SENSE
        control[7] = 0x10;                       // QUEUE ALGORITHM MODIFIER as reported
        control[9] = 0x40;                       // TAS as reported
        control[12] = (byte) 0xFF;               // BUSY TIMEOUT PERIOD as reported
        control[13] = (byte) 0xFF;
        Reply sel = h.run(A, 0, cdb(0x15, 0x10, 0, 0, control.length, 0), control);
        assertEquals(ScsiStatus.GOOD, sel.status());
        Reply bad = h.run(A, 0, 0xEE, 0, 0, 0, 0, 0);
        assertCheck(bad, SenseReason.INVALID_COMMAND_OPERATION_CODE);
        assertEquals(0x72, bad.sense()[0] & 0x7F, "descriptor format after D_SENSE=1");
    }

    @Test
    void taskSetFullBeyondTheInFlightBound() {
        h.clearUa(A, 0);
        CompletableFuture<CommandResult> gate = new CompletableFuture<>();
        behaviour = t -> gate;
        List<TaskHandle> blocked = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            blocked.add(h.device.submit(Harness.command(A, 0, cdb(TEST_CDB), null)));
        }
        ByteBuf out = Unpooled.buffer(4).writeInt(7).retain();
        Reply full = Harness.await(h.device.submit(Harness.command(A, 0, cdb(TEST_CDB), out)));
        assertEquals(ScsiStatus.TASK_SET_FULL, full.status());
        assertEquals(1, out.refCnt(), "Data-Out of a refused task is released");
        out.release();
        assertEquals(4, executions.get(), "the refused task never ran");
        gate.complete(CommandResult.good(0));
        for (TaskHandle t : blocked) {
            assertEquals(ScsiStatus.GOOD, Harness.await(t).status());
        }
        assertEquals(ScsiStatus.GOOD, h.run(A, 0, cdb(TEST_CDB), null).status());
    }

    /**
     * SAM-5 7.7 and 5.6 with TAS=1: the LU reset aborts every nexus's tasks; another nexus's task ends
     * with TASK ABORTED (so its host retries at once), the requester's own without a status.
     */
    @Test
    void logicalUnitResetAbortsBlockedTasksOfEveryNexusWaitsAndRaisesUnitAttentionForAll() {
        h.clearUa(A, 0);
        h.clearUa(B, 0);
        CompletableFuture<CommandResult> gate = new CompletableFuture<>();
        behaviour = t -> gate;
        ByteBuf out = Unpooled.buffer(4).writeInt(1).retain();
        TaskHandle fromB = h.device.submit(Harness.command(B, 0, cdb(TEST_CDB), out));
        TaskHandle fromA = h.device.submit(Harness.command(A, 0, cdb(TEST_CDB), null));
        CompletionStage<TaskManagementResponse> reset =
                h.device.logicalUnitReset(A, org.vaaitarget.core.scsi.LunAddress.encode(0));
        assertFalse(reset.toCompletableFuture().isDone(), "reset waits for the aborted task to finish");
        // The handler finishes after the abort, even with data: the result is replaced and the data released.
        ByteBuf late = Unpooled.buffer(8).writeLong(42);
        gate.complete(CommandResult.goodWithData(late));
        Reply r = Harness.await(fromB);
        assertFalse(r.aborted(), "another nexus's task is answered");
        assertEquals(ScsiStatus.TASK_ABORTED, r.status());
        assertEquals(0, r.data().length);
        assertTrue(Harness.await(fromA).aborted(), "the requester's own task ends without a status");
        assertEquals(0, late.refCnt(), "Data-In of a replaced result is released");
        assertEquals(1, out.refCnt());
        out.release();
        assertEquals(TaskManagementResponse.FUNCTION_COMPLETE, reset.toCompletableFuture().join());
        behaviour = t -> CompletableFuture.completedFuture(CommandResult.good(0));
        assertCheck(h.run(A, 0, 0x00, 0, 0, 0, 0, 0), SenseReason.BUS_DEVICE_RESET_FUNCTION_OCCURRED);
        assertCheck(h.run(B, 0, 0x00, 0, 0, 0, 0, 0), SenseReason.BUS_DEVICE_RESET_FUNCTION_OCCURRED);
        assertEquals(ScsiStatus.GOOD, h.run(A, 0, 0x00, 0, 0, 0, 0, 0).status());
    }

    /**
     * The tasks another nexus's transport still holds (a write collecting Data-Out) belong to the task
     * set too: a LU reset of A reaches B's through {@link org.vaaitarget.core.scsi.PendingTasks}, with
     * TAS=1, waits for them, and leaves A's own pending tasks to A's transport.
     */
    @Test
    void resetsReachTheTasksOtherTransportsHoldAndWaitForThem() {
        List<String> calls = new ArrayList<>();
        CompletableFuture<Void> bDone = new CompletableFuture<>();
        h.device.attach(B, (lun, tas) -> {
            calls.add("B lun " + lun + " tas " + tas);
            return bDone;
        });
        h.device.attach(A, (lun, tas) -> {
            calls.add("A");
            return CompletableFuture.completedFuture(null);
        });
        CompletionStage<TaskManagementResponse> reset =
                h.device.logicalUnitReset(A, org.vaaitarget.core.scsi.LunAddress.encode(0));
        assertEquals(List.of("B lun 0 tas true"), calls);
        assertFalse(reset.toCompletableFuture().isDone(), "the reset waits for B's pending tasks");
        bDone.complete(null);
        assertEquals(TaskManagementResponse.FUNCTION_COMPLETE, reset.toCompletableFuture().join());
        calls.clear();
        h.device.clearTaskSet(A, org.vaaitarget.core.scsi.LunAddress.encode(0)).toCompletableFuture().join();
        assertEquals(List.of("B lun 0 tas true"), calls);
        calls.clear();
        h.device.detach(B, (lun, tas) -> CompletableFuture.completedFuture(null));   // not the registered one
        h.device.targetReset(A).toCompletableFuture().join();
        assertEquals(List.of("B lun 0 tas true"), calls, "a stale detach leaves the registration");
    }

    @Test
    void abortWithdrawsAWaitingLockAndTheTaskNeverTouchesTheMedium() {
        LogicalUnit blockingLu = new LogicalUnit(1, new TestStore(512, 100, Harness.THIN_WRITE_BACK),
                lu0.limits(), lu0.identity(), new org.vaaitarget.core.lu.lock.RangeLockManager() {
                    @Override
                    public CompletableFuture<org.vaaitarget.core.lu.lock.RangeLock> acquire(long lba, long n, LockMode m) {
                        return new CompletableFuture<>();        // never granted
                    }

                    @Override
                    public CompletableFuture<org.vaaitarget.core.lu.lock.RangeLock> acquireAll(
                            List<org.vaaitarget.core.lu.lock.LockRange> ranges) {
                        return new CompletableFuture<>();
                    }

                    @Override
                    public int outstanding() {
                        return 0;
                    }
                });
        h = new Harness(new TargetDevice(Harness.TARGET, List.of(lu0, blockingLu), handlers(), 4));
        h.clearUa(A, 1);
        AtomicInteger mediumTouched = new AtomicInteger();
        behaviour = t -> t.lock(0, 1, LockMode.EXCLUSIVE).thenApply(l -> {
            mediumTouched.incrementAndGet();
            return CommandResult.good(0);
        });
        TaskHandle task = h.device.submit(Harness.command(A, 1, cdb(TEST_CDB), null));
        task.abort();
        assertTrue(Harness.await(task).aborted());
        assertEquals(0, mediumTouched.get());
    }

    /**
     * CLEAR TASK SET (SAM-5 7.4) keeps its all-nexus scope; with TAS=1 the other nexus's task ends with
     * TASK ABORTED and no COMMANDS CLEARED BY ANOTHER INITIATOR unit attention (SAM-5 5.6).
     */
    @Test
    void clearTaskSetAbortsEveryNexusAndAnswersTheOthersTaskAborted() {
        h.clearUa(A, 0);
        h.clearUa(B, 0);
        CompletableFuture<CommandResult> gate = new CompletableFuture<>();
        behaviour = t -> gate;
        TaskHandle fromB = h.device.submit(Harness.command(B, 0, cdb(TEST_CDB), null));
        CompletionStage<TaskManagementResponse> clear =
                h.device.clearTaskSet(A, org.vaaitarget.core.scsi.LunAddress.encode(0));
        gate.complete(CommandResult.good(0));
        Reply b = Harness.await(fromB);
        assertFalse(b.aborted());
        assertEquals(ScsiStatus.TASK_ABORTED, b.status());
        assertEquals(TaskManagementResponse.FUNCTION_COMPLETE, clear.toCompletableFuture().join());
        behaviour = t -> CompletableFuture.completedFuture(CommandResult.good(0));
        assertEquals(ScsiStatus.GOOD, h.run(B, 0, 0x00, 0, 0, 0, 0, 0).status(), "no unit attention with TAS=1");
        assertEquals(ScsiStatus.GOOD, h.run(A, 0, 0x00, 0, 0, 0, 0, 0).status());
    }

    @Test
    void tmfOnUnknownLun() {
        assertEquals(TaskManagementResponse.LUN_DOES_NOT_EXIST, h.device
                .logicalUnitReset(A, org.vaaitarget.core.scsi.LunAddress.encode(9)).toCompletableFuture().join());
    }

    @Test
    void nexusLossForgetsUnitAttentionState() {
        pendingReset();
        h.device.nexusLost(A);
        assertEquals(ScsiStatus.GOOD, h.run(A, 0, 0x00, 0, 0, 0, 0, 0).status(), "A's pending UA went with it");
        assertCheck(h.run(B, 0, 0x00, 0, 0, 0, 0, 0), SenseReason.BUS_DEVICE_RESET_FUNCTION_OCCURRED);
    }

    @Test
    void dataOutIsReleasedOnceOnEveryPath() {
        byte[] d = new byte[16];
        h.run(A, 0, cdb(TEST_CDB), d);                               // unit attention
        h.run(A, 9, cdb(TEST_CDB), d);                               // unknown LUN
        h.run(A, 0, cdb(0xEE, 0, 0, 0, 0, 0), d);                    // unknown opcode
        h.run(A, 0, cdb(TEST_CDB), d);                               // handler runs
        behaviour = t -> CompletableFuture.failedFuture(new StoreException(StoreException.Kind.IO_WRITE, "x"));
        h.run(A, 0, cdb(TEST_CDB), d);                               // handler fails
        // tearDown checks every buffer
    }

    @Test
    void closeWaitsForRunningTasksThenClosesEveryLu() throws Exception {
        h.clearUa(A, 0);
        CompletableFuture<CommandResult> gate = new CompletableFuture<>();
        behaviour = t -> gate;
        TaskHandle running = h.device.submit(Harness.command(A, 0, cdb(TEST_CDB), null));
        Thread closer = new Thread(h.device::close);
        closer.start();
        gate.complete(CommandResult.good(0));
        closer.join();
        assertEquals(ScsiStatus.GOOD, Harness.await(running).status());
        assertEquals(1, ((TestStore) lu0.store()).closes.get());
        assertCheck(h.run(A, 0, 0x00, 0, 0, 0, 0, 0), SenseReason.LOGICAL_UNIT_NOT_READY_CAUSE_NOT_REPORTABLE);
    }
}
