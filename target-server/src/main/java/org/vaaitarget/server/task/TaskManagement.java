package org.vaaitarget.server.task;

import org.vaaitarget.server.pdu.TargetPdus;
import org.vaaitarget.server.pdu.InitiatorPdus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.core.scsi.TaskManagementResponse;
import org.vaaitarget.server.pdu.Pdu;
import org.vaaitarget.server.session.SerialNumbers;
import org.vaaitarget.server.session.Session;
import org.vaaitarget.server.session.SessionEnd;
import org.vaaitarget.server.session.Connection.StatSn;

/**
 * Task Management Function Requests (RFC 7143 11.5, 11.6; SAM-5 7). The response is sent only
 * after every task the function affects has been terminated on this connection (its response
 * suppressed) and the core has finished its part.
 */
final class TaskManagement {
    private static final Logger LOG = LoggerFactory.getLogger(TaskManagement.class);

    /** Function codes (RFC 7143 11.5.1). */
    static final int ABORT_TASK = 1;
    static final int ABORT_TASK_SET = 2;
    static final int CLEAR_ACA = 3;
    static final int CLEAR_TASK_SET = 4;
    static final int LOGICAL_UNIT_RESET = 5;
    static final int TARGET_WARM_RESET = 6;
    static final int TARGET_COLD_RESET = 7;
    static final int TASK_REASSIGN = 8;

    private final FfpConnection conn;
    private final ScsiCommandFlow flow;

    TaskManagement(FfpConnection conn, ScsiCommandFlow flow) {
        this.conn = conn;
        this.flow = flow;
    }

    /** Handles a Task Management Function Request; takes ownership of the PDU. */
    void onRequest(Pdu pdu) {
        InitiatorPdus.TaskMgmt request = new InitiatorPdus.TaskMgmt(pdu);
        int function = request.function();
        int itt = request.itt();
        long lun = pdu.lun();
        int referencedTag = request.referencedTaskTag();
        int cmdSn = request.cmdSn();
        int refCmdSn = request.refCmdSn();
        conn.acknowledge(request.expStatSn());
        pdu.release();
        CompletionStage<TaskManagementResponse> outcome = switch (function) {
            case ABORT_TASK -> abortTask(lun, referencedTag, refCmdSn, cmdSn);
            // SAM-5 7.3: ABORT TASK SET aborts the tasks of the requesting I_T nexus only (this session's, all
            // of which this connection holds); other nexuses see nothing, no status, no unit attention.
            case ABORT_TASK_SET -> withLun(lun, () ->
                    abortLocal(lun).thenApply(v -> TaskManagementResponse.FUNCTION_COMPLETE));
            // SAM-5 7.4: CLEAR TASK SET aborts every nexus's tasks on the LU (others get TASK ABORTED, TAS=1).
            case CLEAR_TASK_SET -> withLun(lun, () ->
                    afterLocalAborts(abortLocal(lun), () -> conn.device().clearTaskSet(conn.nexus, lun)));
            case LOGICAL_UNIT_RESET -> withLun(lun, () ->
                    afterLocalAborts(abortLocal(lun), () -> conn.device().logicalUnitReset(conn.nexus, lun)));
            case TARGET_WARM_RESET, TARGET_COLD_RESET ->
                    afterLocalAborts(abortLocal(null), () -> conn.device().targetReset(conn.nexus));
            // This target has no ACA support (NACA is never accepted), so there is nothing to clear.
            case CLEAR_ACA -> done(TaskManagementResponse.FUNCTION_NOT_SUPPORTED);
            // RFC 7143 11.6.1: reassignment needs ErrorRecoveryLevel 2; this target runs at ERL 0.
            case TASK_REASSIGN -> done(TaskManagementResponse.TASK_ALLEGIANCE_REASSIGNMENT_NOT_SUPPORTED);
            default -> done(TaskManagementResponse.FUNCTION_NOT_SUPPORTED);
        };
        outcome.whenComplete((response, error) -> conn.onLoop(() -> respond(itt, function, response, error), () -> {
        }));
    }

    private CompletionStage<TaskManagementResponse> abortTask(long lun, int referencedTag, int refCmdSn, int cmdSn) {
        if (!conn.device().hasLun(conn.nexus, lun)) {
            return done(TaskManagementResponse.LUN_DOES_NOT_EXIST);
        }
        IscsiTask task = flow.find(referencedTag);
        if (task != null && task.lun != lun) {
            // The tag names a task of another LUN: on the LUN of the request it does not exist, and rule (b)
            // (a command that never arrived) cannot apply to a task that did arrive (RFC 7143 11.6.1).
            return done(TaskManagementResponse.TASK_DOES_NOT_EXIST);
        }
        if (task != null) {
            // (a) a live task: terminate it, suppress its response, then answer FUNCTION COMPLETE.
            return flow.abort(task).thenApply(v -> TaskManagementResponse.FUNCTION_COMPLETE);
        }
        if (SerialNumbers.inWindow(refCmdSn, conn.window.expCmdSn(), conn.window.maxCmdSn())
                && SerialNumbers.lt(refCmdSn, cmdSn)) {
            // (b) the command never arrived: consider its CmdSN received (plug the gap).
            conn.window.plug(refCmdSn);
            return done(TaskManagementResponse.FUNCTION_COMPLETE);
        }
        // (c) finished or unknown: RFC 7143 says TASK DOES NOT EXIST; see FullFeatureOptions.
        return done(conn.options.abortOfFinishedTask());
    }

    private void endOtherSessionsOfTheTarget() {
        String target = conn.session.target() == null ? null : conn.session.target().name();
        int closed = 0;
        for (Session s : conn.server.sessions().all()) {
            if (s != conn.session && s.target() != null && s.target().name().equals(target)) {
                s.close(SessionEnd.TARGET_COLD_RESET);
                closed++;
            }
        }
        LOG.info("{}: TARGET COLD RESET of {}: ending this and {} other session(s)", conn.nexus, target, closed);
    }

    private CompletionStage<TaskManagementResponse> withLun(long lun,
            java.util.function.Supplier<CompletionStage<TaskManagementResponse>> action) {
        return conn.device().hasLun(conn.nexus, lun) ? action.get()
                : done(TaskManagementResponse.LUN_DOES_NOT_EXIST);
    }

    /** Terminates this session's tasks on {@code lun} (all tasks when null). */
    private CompletableFuture<Void> abortLocal(Long lun) {
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (IscsiTask t : flow.tasks()) {
            if (lun == null || t.lun == lun) {
                pending.add(flow.abort(t));
            }
        }
        return CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0]));
    }

    private static CompletionStage<TaskManagementResponse> afterLocalAborts(CompletableFuture<Void> local,
            java.util.function.Supplier<CompletionStage<TaskManagementResponse>> core) {
        CompletionStage<TaskManagementResponse> coreStage = core.get();
        return local.thenCombine(coreStage, (v, r) -> r);
    }

    private static CompletionStage<TaskManagementResponse> done(TaskManagementResponse r) {
        return CompletableFuture.completedFuture(r);
    }

    private void respond(int itt, int function, TaskManagementResponse response, Throwable error) {
        if (error != null || response == null) {
            LOG.warn("{}: task management function {} failed", conn.nexus, function, error);
            response = TaskManagementResponse.FUNCTION_REJECTED;
        }
        LOG.debug("{}: TMF {} -> {}", conn.nexus, function, response);
        conn.server.events().taskManagement(function, response.name());
        Pdu pdu = TargetPdus.taskManagementResponse(itt, response.iscsiCode());
        if (function == TARGET_COLD_RESET && response == TaskManagementResponse.FUNCTION_COMPLETE) {
            // RFC 7143 11.5.1: after a cold reset the target drops all connections of every session of
            // the target; the requester's after its response has been sent.
            endOtherSessionsOfTheTarget();
            SessionEnd.note(conn.ctx.channel(), SessionEnd.TARGET_COLD_RESET, "requested by this session");
            conn.sendThenClose(pdu);
        } else {
            conn.send(pdu, StatSn.ADVANCE);
        }
    }
}
