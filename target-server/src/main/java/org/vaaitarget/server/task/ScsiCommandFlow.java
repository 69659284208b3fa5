package org.vaaitarget.server.task;

import org.vaaitarget.server.pdu.TargetPdus;
import org.vaaitarget.server.pdu.InitiatorPdus;
import org.vaaitarget.server.pdu.RejectReason;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.DataDirection;
import org.vaaitarget.core.scsi.LunAddress;
import org.vaaitarget.core.scsi.ScsiCommand;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.TaskAttribute;
import org.vaaitarget.core.scsi.TaskHandle;
import org.vaaitarget.core.scsi.sense.SenseData;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.server.pdu.Pdu;
import org.vaaitarget.server.session.CmdSnWindow;
import org.vaaitarget.server.session.Connection.StatSn;

/**
 * SCSI Command and Data-Out handling: validation, the task table, data collection with R2Ts,
 * submission to the core, and the hop back with the result. Event loop only.
 */
final class ScsiCommandFlow {
    private static final Logger LOG = LoggerFactory.getLogger(ScsiCommandFlow.class);
    /** Task tags remembered after their task ended, so that late Data-Out is dropped silently. */
    private static final int RETIRED_TAGS = 1024;

    private final FfpConnection conn;
    private final ResponseWriter responses;
    private final Runnable onTaskEnded;
    private final Map<Integer, IscsiTask> tasks = new HashMap<>();
    private final Map<Integer, Boolean> retired = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Boolean> eldest) {
            return size() > RETIRED_TAGS;
        }
    };
    private boolean refusingNewCommands;
    private long reservedWriteBytes;

    /** @param onTaskEnded called after a task left the table (logout and shutdown wait on this) */
    ScsiCommandFlow(FfpConnection conn, Runnable onTaskEnded) {
        this.conn = conn;
        this.responses = new ResponseWriter(conn);
        this.onTaskEnded = onTaskEnded;
    }

    /** From now on new commands complete with BUSY (server shutdown). */
    void refuseNewCommands() {
        refusingNewCommands = true;
    }

    IscsiTask find(int itt) {
        return tasks.get(itt);
    }

    /** A snapshot of the live tasks. */
    List<IscsiTask> tasks() {
        return new ArrayList<>(tasks.values());
    }

    int taskCount() {
        return tasks.size();
    }

    // ---------------------------------------------------------------- SCSI Command

    /** Handles a SCSI Command PDU (RFC 7143 11.3). Takes ownership of the PDU. */
    void onCommand(Pdu pdu) {
        try {
            InitiatorPdus.ScsiCommand cmd = new InitiatorPdus.ScsiCommand(pdu);
            int itt = cmd.itt();
            int cmdSn = cmd.cmdSn();
            conn.acknowledge(cmd.expStatSn());
            if (!pdu.immediate() && !conn.window.accepts(cmdSn)) {
                // RFC 7143 3.2.2.1: silently ignore; remember the tag so that its Data-Out is dropped too.
                LOG.debug("{}: CmdSN {} outside [{}, {}] ignored", conn.nexus, cmdSn, conn.window.expCmdSn(),
                        conn.window.maxCmdSn());
                retired.put(itt, Boolean.TRUE);
                return;
            }
            RejectReason reason = CommandPduRules.check(pdu, conn.params);
            if (reason == null && tasks.containsKey(itt)) {
                reason = RejectReason.TASK_IN_PROGRESS;      // RFC 7143 11.17.1 code 0x07
            }
            if (reason == null && pdu.immediate() && tasks.size() >= 2 * conn.server.offer().queueDepth()) {
                reason = RejectReason.IMMEDIATE_COMMAND_REJECT;
            }
            if (reason != null) {
                // RFC 7143 11.17.1: the CmdSN of a rejected command is not considered received.
                conn.reject(reason, pdu);
                return;
            }
            IscsiTask task = createTask(pdu);
            tasks.put(itt, task);
            retired.remove(itt);
            sendR2ts(task);
            if (pdu.immediate()) {
                task.delivered = true;
                runIfReady(task);
            } else {
                conn.window.offer(cmdSn, new CmdSnWindow.Held() {
                    @Override
                    public void deliver() {
                        onTurn(task);
                    }

                    @Override
                    public void discard() {
                    }
                });
            }
        } finally {
            pdu.release();
        }
    }

    private IscsiTask createTask(Pdu pdu) {
        InitiatorPdus.ScsiCommand cmd = new InitiatorPdus.ScsiCommand(pdu);
        DataDirection dir = cmd.write() ? DataDirection.WRITE : cmd.read() ? DataDirection.READ : DataDirection.NONE;
        long edtl = cmd.expectedDataTransferLength();     // unsigned (RFC 7143 11.3.4)
        ScsiStatus earlyStatus = null;
        byte[] earlySense = null;
        if (refusingNewCommands) {
            earlyStatus = ScsiStatus.BUSY;
        } else if (dir == DataDirection.WRITE && edtl > conn.options.maxWriteLength()) {
            // We never buffer more than maxWriteLength for one command; the EDTL is a field of the
            // command IU (SAM-5), hence INVALID FIELD IN COMMAND INFORMATION UNIT.
            earlyStatus = ScsiStatus.CHECK_CONDITION;
            earlySense = SenseData.of(SenseReason.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT).encode(false);
        }
        long reserve = 0;
        if (earlyStatus == null && dir == DataDirection.WRITE) {
            reserve = edtl;
            if (!fitsWriteBudget(reserve)) {
                // limits.writeBytesPerConnection: SAM-5 5.3.1 TASK SET FULL, "lacks resources"; the
                // initiator retries. Its unsolicited data is consumed and dropped, no R2T is sent.
                LOG.debug("{}: write of {} bytes does not fit the {} reserved of {}: TASK SET FULL", conn.nexus,
                        reserve, reservedWriteBytes, conn.server.limits().writeBytesPerConnection());
                earlyStatus = ScsiStatus.TASK_SET_FULL;
                conn.server.events().taskSetFull();
                reserve = 0;
            }
        }
        reservedWriteBytes += reserve;
        DataOutCollector collector = null;
        if (dir == DataDirection.WRITE) {
            ByteBuf immediate = pdu.takeData();
            int immediateLength = immediate.readableBytes();
            int unsolicitedEnd = pdu.finalBit() ? immediateLength
                    : (int) Math.min(conn.params.firstBurstLength(), edtl);
            // a write's EDTL is at most maxWriteLength here (an int), else the task fails early
            collector = new DataOutCollector(conn.ctx.alloc(), earlyStatus == null ? (int) edtl : 0, immediate,
                    unsolicitedEnd, earlyStatus != null);
        }
        IscsiTask task = new IscsiTask(pdu.itt(), cmd.cmdSn(), pdu.immediate(), pdu.lun(), CommandPduRules.cdb(pdu),
                edtl, dir, TaskAttribute.fromIscsi(cmd.attribute()), collector, earlyStatus, earlySense);
        task.reservedBytes = reserve;
        return task;
    }

    /** A write fits when its EDTL fits beside the other reservations, or when there are none. */
    private boolean fitsWriteBudget(long bytes) {
        return reservedWriteBytes == 0 || reservedWriteBytes + bytes <= conn.server.limits().writeBytesPerConnection();
    }

    /** Write bytes reserved by this connection's tasks now. */
    long reservedWriteBytes() {
        return reservedWriteBytes;
    }

    /** A task that has waited for Data-Out longer than {@code timeoutNanos}, or null. */
    IscsiTask stalledTask(long nowNanos, long timeoutNanos) {
        for (IscsiTask t : tasks.values()) {
            if (t.awaitingData() && nowNanos - t.lastDataNanos > timeoutNanos) {
                return t;
            }
        }
        return null;
    }

    private void onTurn(IscsiTask task) {
        if (tasks.get(task.itt) != task || task.state() != IscsiTask.State.COLLECTING) {
            return;                 // aborted before its CmdSN came up; the slot is consumed all the same
        }
        task.delivered = true;
        task.occupiesWindowSlot = true;
        conn.window.commandStarted();
        runIfReady(task);
    }

    private void sendR2ts(IscsiTask task) {
        if (task.collector == null) {
            return;
        }
        List<DataOutCollector.R2tRequest> r2ts = task.collector.nextR2ts(conn::newTtt,
                conn.params.maxBurstLength(), Math.max(1, conn.params.maxOutstandingR2T()));
        for (DataOutCollector.R2tRequest r : r2ts) {
            conn.write(TargetPdus.r2t(task.lun, task.itt, r.ttt(), r.r2tSn(), r.offset(), r.length()), StatSn.CURRENT);
        }
        if (!r2ts.isEmpty()) {
            conn.flush();
        }
    }

    // ---------------------------------------------------------------- Data-Out

    /** Handles a SCSI Data-Out PDU (RFC 7143 11.7). Takes ownership of the PDU. */
    void onDataOut(Pdu pdu) {
        try {
            conn.acknowledge(new InitiatorPdus.DataOut(pdu).expStatSn());
            IscsiTask task = tasks.get(pdu.itt());
            if (task == null) {
                if (!retired.containsKey(pdu.itt())) {
                    conn.reject(RejectReason.INVALID_PDU_FIELD, pdu);
                }
                // else: late data of an aborted or finished task (open-iscsi FastAbort): drop silently
                return;
            }
            if (task.collector == null || task.state() != IscsiTask.State.COLLECTING) {
                conn.reject(RejectReason.INVALID_PDU_FIELD, pdu);
                return;
            }
            RejectReason reason = task.collector.accept(pdu);
            if (reason != null) {
                // The task stays as it is: at ERL 0 the initiator recovers with ABORT TASK or a reset.
                conn.reject(reason, pdu);
                return;
            }
            task.lastDataNanos = System.nanoTime();
            sendR2ts(task);
            runIfReady(task);
        } finally {
            pdu.release();
        }
    }

    // ---------------------------------------------------------------- execution and result

    private void runIfReady(IscsiTask task) {
        if (!task.readyToRun()) {
            return;
        }
        if (task.earlyStatus != null) {
            retire(task);
            responses.sendStatus(task.itt, task.earlyStatus, task.earlySense, task.r2tCount());
            task.terminated.complete(null);
            onTaskEnded.run();
            return;
        }
        ByteBuf data = task.collector == null ? null : task.collector.takeData();
        boolean fileDataIn = task.direction == DataDirection.READ && conn.fileDataIn;
        ScsiCommand command = new ScsiCommand(conn.nexus, task.lun, task.cdb, task.edtl, task.direction,
                task.attribute, task.itt & 0xFFFFFFFFL, data, fileDataIn);
        task.moveTo(IscsiTask.State.SUBMITTED);
        TaskHandle handle;
        try {
            handle = conn.device().submit(command);
        } catch (RuntimeException e) {
            // The core did not take the Data-Out (ScsiTaskRouter.submit): it is still ours to release.
            if (data != null) {
                data.release();
            }
            LOG.error("{}: core refused {}", conn.nexus, task, e);
            complete(task, CommandResult.checkCondition(SenseData.of(SenseReason.INTERNAL_TARGET_FAILURE)
                    .encode(false)), null);
            return;
        }
        task.handle = handle;
        // Completed already (on this loop) or later on a core thread: answered at once here, or after the hop.
        // Running complete() inside runIfReady is safe: the CmdSN window's drain is reentrant and the task
        // table holds every admitted task until its own completion.
        handle.result().whenComplete((result, error) -> conn.onLoopNow(() -> complete(task, result, error),
                () -> releaseData(result)));
    }

    /** On the event loop: the core finished a task. Ownership of the result's Data-In moves here. */
    private void complete(IscsiTask task, CommandResult result, Throwable error) {
        if (!task.inCore()) {
            releaseData(result);                        // connection already cleaned up
            return;
        }
        if (error != null || result == null) {
            LOG.error("{}: {} failed in the core", conn.nexus, task, error);
            releaseData(result);
            result = CommandResult.checkCondition(SenseData.of(SenseReason.INTERNAL_TARGET_FAILURE).encode(false));
        }
        boolean abortRequested = task.state() == IscsiTask.State.ABORTING;
        retire(task);                                   // first, so the response carries the new MaxCmdSN
        if (result.aborted() || abortRequested) {
            releaseData(result);                        // aborted: no response (RFC 7143 4.2.3.3)
        } else {
            responses.send(task, result);
        }
        task.terminated.complete(null);
        onTaskEnded.run();
    }

    /** Takes a task out of the table and frees its window slot and buffers. */
    private void retire(IscsiTask task) {
        task.moveTo(IscsiTask.State.DONE);
        if (tasks.get(task.itt) == task) {
            tasks.remove(task.itt);
        }
        retired.put(task.itt, Boolean.TRUE);
        if (task.occupiesWindowSlot) {
            task.occupiesWindowSlot = false;
            conn.window.commandFinished();
        }
        if (task.collector != null) {
            task.collector.release();
        }
        unreserve(task);
    }

    private void unreserve(IscsiTask task) {
        reservedWriteBytes -= task.reservedBytes;
        task.reservedBytes = 0;
    }

    // ---------------------------------------------------------------- aborts

    /**
     * Aborts one task (ABORT TASK, ABORT TASK SET, LUN RESET, logout). A task still collecting data
     * is dropped at once; a submitted one is aborted through its handle and its response suppressed.
     *
     * @return completes (on the event loop) once the task is gone and will send nothing more
     */
    CompletableFuture<Void> abort(IscsiTask task) {
        if (task.state() == IscsiTask.State.COLLECTING) {
            retire(task);
            task.terminated.complete(null);
            onTaskEnded.run();
        } else if (task.inCore()) {
            task.moveTo(IscsiTask.State.ABORTING);
            task.handle.abort();
        }
        return task.terminated;
    }

    /**
     * Another I_T nexus's task management (LOGICAL UNIT RESET, CLEAR TASK SET, target reset, PREEMPT AND
     * ABORT) aborted the task set of LUN {@code lunNumber}: the tasks not yet submitted to the core (still
     * collecting Data-Out or waiting for their CmdSN turn) end here, with TASK ABORTED status when
     * {@code taskAbortedStatus} (TAS=1, SAM-5 5.6). RFC 7143 4.2.3.3 lets the target skip waiting for a
     * third party's outstanding Data-Out; what the initiator still sends for them is dropped silently
     * (their tags are retired), so no Reject and no connection drop follows.
     */
    void abortPending(int lunNumber, boolean taskAbortedStatus) {
        for (IscsiTask task : tasks()) {
            if (task.state() != IscsiTask.State.COLLECTING || LunAddress.decode(task.lun) != lunNumber) {
                continue;
            }
            retire(task);
            if (taskAbortedStatus) {
                responses.sendStatus(task.itt, ScsiStatus.TASK_ABORTED, null, task.r2tCount());
            }
            task.terminated.complete(null);
            onTaskEnded.run();
        }
    }

    /** Connection loss: abort every task, release every buffer; results arriving later are dropped. */
    void abortAllAndForget() {
        for (IscsiTask task : tasks()) {
            if (task.state() == IscsiTask.State.DONE) {
                continue; // completed meanwhile, inside this loop: another task's abort finished it (onLoopNow)
            }
            if (task.collector != null) {
                task.collector.release();
            }
            unreserve(task);
            boolean inCore = task.inCore() && task.handle != null;
            // DONE before the abort: an abort may complete the result at once on this loop, and complete() then
            // runs inside this loop (Connection.onLoopNow); it drops the result of a task that is DONE.
            task.moveTo(IscsiTask.State.DONE);
            if (inCore) {
                task.handle.abort();
            }
            task.terminated.complete(null);
        }
        tasks.clear();
    }

    private static void releaseData(CommandResult result) {
        if (result != null) {
            result.releaseData();
        }
    }
}
