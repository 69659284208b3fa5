package org.vaaitarget.core.spc.pr;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.dispatch.AbstractCommandHandler;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.dispatch.TargetContext;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.lu.ua.UnitAttentions;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.ItNexus;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.sense.SenseData;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.lu.pr.PrOutActions;
import org.vaaitarget.core.lu.pr.PrOutRequest;
import org.vaaitarget.core.lu.pr.PrOutcome;
import org.vaaitarget.core.lu.pr.ReservationType;
import org.vaaitarget.core.dispatch.ParameterData;

/**
 * PERSISTENT RESERVE OUT (5Fh, SPC-5 6.16): validates the CDB and the parameter list, then applies the
 * service action through {@link PrOutActions} under the LU's reservation lock. Before GOOD it waits for
 * the new state to be durable (APTPL), for PREEMPT AND ABORT's victims to finish, and, when a reservation
 * now holds other nexuses back, for their already admitted media tasks ({@link TargetContext#quiesce}).
 *
 * <p>SPEC_I_PT is not supported (REPORT CAPABILITIES: SIP_C=0): SPEC_I_PT=1 gets INVALID FIELD IN
 * PARAMETER LIST, as SPC-5 6.16.3 requires when SIP_C is 0. ALL_TG_PT is accepted (ATP_C=1): a target
 * has exactly one SCSI target port here (its portal group), so a registration through it covers every
 * port; on an LU several gateways serve (one port each) ATP_C=0 and ALL_TG_PT=1 is INVALID FIELD IN
 * PARAMETER LIST, as SPC-5 6.16.3 requires. APTPL needs a file-backed LU (PTPL_C=1 there; otherwise APTPL=1 is INVALID FIELD IN PARAMETER
 * LIST).
 */
public final class PrOutHandler extends AbstractCommandHandler {
    static final int BASIC_LENGTH = 24;

    /** Reads the command's Data-Out; never releases it (the dispatcher does). */
    @Override
    public CompletionStage<CommandResult> execute(Task task) {
        byte[] cdb = task.cdb();
        int sa = cdb[1] & 0x1F;
        int scope = (cdb[2] & 0xF0) >>> 4;
        ReservationType type = ReservationType.of(cdb[2] & 0x0F);
        boolean typed = sa == PrOutRequest.RESERVE || sa == PrOutRequest.PREEMPT || sa == PrOutRequest.PREEMPT_AND_ABORT
                || sa == PrOutRequest.RELEASE;
        if (typed && scope != 0) {
            return ParameterData.done(task.invalidCdbField(2, 7));      // only LU_SCOPE exists (SPC-5 6.16.3.2)
        }
        if (typed && type == null && sa != PrOutRequest.RELEASE) {
            return ParameterData.done(task.invalidCdbField(2, 3));
        }
        long length = ParameterData.u32(cdb, 5);
        ByteBuf out = task.command().dataOut();
        if (length < BASIC_LENGTH || out == null || out.readableBytes() < length) {
            return ParameterData.done(task.check(SenseReason.PARAMETER_LIST_LENGTH_ERROR));
        }
        byte[] list = new byte[(int) Math.min(length, 65536)];
        out.getBytes(out.readerIndex(), list);
        Object parsed = sa == PrOutRequest.REGISTER_AND_MOVE ? parseMove(task, list, length) : parseBasic(task, list,
                length, sa, type);
        if (parsed instanceof CommandResult bad) {
            return ParameterData.done(bad);
        }
        return apply(task, (PrOutRequest) parsed);
    }

    private static Object parseBasic(Task task, byte[] list, long length, int sa, ReservationType type) {
        boolean specIPt = (list[20] & 0x08) != 0;
        boolean allTgPt = (list[20] & 0x04) != 0;
        boolean aptpl = (list[20] & 0x01) != 0;
        if (specIPt) {
            return badParameter(task, 20, 3);
        }
        if (allTgPt && task.lu().portGroups() != null
                && (sa == PrOutRequest.REGISTER || sa == PrOutRequest.REGISTER_AND_IGNORE)) {
            return badParameter(task, 20, 2);
        }
        if (length != BASIC_LENGTH) {
            return task.check(SenseReason.PARAMETER_LIST_LENGTH_ERROR);
        }
        boolean registers = sa == PrOutRequest.REGISTER || sa == PrOutRequest.REGISTER_AND_IGNORE;
        if (registers && aptpl && !task.lu().reservations().persistenceCapable()) {
            return badParameter(task, 20, 0);
        }
        return new PrOutRequest(sa, type, ParameterData.u64(list, 0), ParameterData.u64(list, 8), aptpl, false, null,
                0);
    }

    /** REGISTER AND MOVE parameter list (SPC-5 6.16.4, Table 223). */
    private static Object parseMove(Task task, byte[] list, long length) {
        boolean unreg = (list[17] & 0x02) != 0;
        boolean aptpl = (list[17] & 0x01) != 0;
        int port = ParameterData.u16(list, 18);
        long idLength = ParameterData.u32(list, 20);
        if (BASIC_LENGTH + idLength > length || length > list.length) {
            return task.check(SenseReason.PARAMETER_LIST_LENGTH_ERROR);
        }
        if (aptpl && !task.lu().reservations().persistenceCapable()) {
            return badParameter(task, 17, 0);
        }
        int idLen = TransportIds.length(list, BASIC_LENGTH, BASIC_LENGTH + (int) idLength);
        ItNexus to = idLen < 0 || idLen > idLength ? null
                : TransportIds.decode(list, BASIC_LENGTH, idLen, task.nexus().targetName(), port);
        if (to == null) {
            return badParameter(task, BASIC_LENGTH, -1);
        }
        return new PrOutRequest(PrOutRequest.REGISTER_AND_MOVE, null, ParameterData.u64(list, 0),
                ParameterData.u64(list, 8), aptpl, unreg, to, port);
    }

    private static CompletionStage<CommandResult> apply(Task task, PrOutRequest request) {
        LogicalUnit lu = task.lu();
        UnitAttentions staged = new UnitAttentions();
        return lu.reservations().changed(() -> new PrOutActions(lu.reservations(), staged, task.nexus()).apply(request),
                staged, lu.unitAttentions()).thenCompose(o -> answer(task, o));
    }

    private static CompletionStage<CommandResult> answer(Task task, PrOutcome o) {
        LogicalUnit lu = task.lu();
        if (o.conflict()) {
            return ParameterData.done(CommandResult.status(ScsiStatus.RESERVATION_CONFLICT));
        }
        if (o.error() != null) {
            return ParameterData.done(o.paramByte() >= 0
                    ? task.check(SenseData.withFieldPointer(o.error(), false, o.paramByte(), -1))
                    : task.check(o.error()));
        }
        TargetContext ctx = task.context();
        CompletableFuture<Void> aborted = ctx == null || o.aborted().isEmpty()
                ? CompletableFuture.completedFuture(null) : ctx.abortTasks(lu, o.aborted(), task);
        CompletableFuture<Void> quiet = ctx == null || !o.quiesce()
                ? CompletableFuture.completedFuture(null) : ctx.quiesce(lu, task.nexus());
        return CompletableFuture.allOf(aborted, quiet, o.saved()).thenApply(v -> CommandResult.good(0));
    }

    private static CommandResult badParameter(Task task, int byteIndex, int bit) {
        return task.check(SenseData.withFieldPointer(SenseReason.INVALID_FIELD_IN_PARAMETER_LIST, false, byteIndex, bit));
    }
}
