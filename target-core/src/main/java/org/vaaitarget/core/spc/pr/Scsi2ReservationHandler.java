package org.vaaitarget.core.spc.pr;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.dispatch.AbstractCommandHandler;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.dispatch.TargetContext;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.lu.pr.ReservationState;
import org.vaaitarget.core.dispatch.ParameterData;

/**
 * SCSI-2 reservations: RESERVE(6) 16h, RELEASE(6) 17h, RESERVE(10) 56h, RELEASE(10) 57h (SPC-2 7.21,
 * 7.22), which ESXi still sends (VMFS creation, mount, ATS+SCSI locking mode; ESXI-NOTES 2.2.6).
 * Logical unit reservations only: the obsolete extent bit and third-party reservations (3RDPTY,
 * LONGID) are INVALID FIELD IN CDB. A reservation is released by RELEASE from its holder, LOGICAL UNIT
 * RESET, target reset and the holder's I_T nexus loss ({@link ReservationState}).
 *
 * <p>Atomicity with COMPARE AND WRITE (SCST's model, ESXI-NOTES 2.2.2): the reservation takes effect at
 * once for commands not yet past the reservation gate; RESERVE answers GOOD only after the media tasks
 * of other nexuses that were already admitted have completed ({@link TargetContext#quiesce}). So a CAW
 * is either held back by the reservation or completes before the initiator learns it holds the LU.
 */
public final class Scsi2ReservationHandler extends AbstractCommandHandler {
    private static final int RESERVE_6 = 0x16;
    private static final int RESERVE_10 = 0x56;
    private static final int THIRD_PARTY = 0x10;
    private static final int LONG_ID = 0x02;
    private static final int EXTENT = 0x01;

    @Override
    public CompletionStage<CommandResult> execute(Task task) {
        byte[] cdb = task.cdb();
        int op = cdb[0] & 0xFF;
        int unsupported = op == 0x16 || op == 0x17 ? (THIRD_PARTY | EXTENT) : (THIRD_PARTY | LONG_ID);
        if ((cdb[1] & unsupported) != 0) {
            int bit = (cdb[1] & THIRD_PARTY) != 0 ? 4 : (cdb[1] & LONG_ID & unsupported) != 0 ? 1 : 0;
            return ParameterData.done(task.invalidCdbField(1, bit));
        }
        ReservationState state = task.lu().reservations();
        boolean reserve = op == RESERVE_6 || op == RESERVE_10;
        return state.changed(() -> reserve ? state.reserveScsi2(task.nexus()) : state.releaseScsi2(task.nexus()))
                .thenCompose(outcome -> answer(task, outcome));
    }

    private static CompletionStage<CommandResult> answer(Task task, ReservationState.Scsi2Outcome outcome) {
        if (outcome == ReservationState.Scsi2Outcome.CONFLICT) {
            return ParameterData.done(CommandResult.status(ScsiStatus.RESERVATION_CONFLICT));
        }
        TargetContext ctx = task.context();
        if (outcome == ReservationState.Scsi2Outcome.ESTABLISHED && ctx != null) {
            return ctx.quiesce(task.lu(), task.nexus()).thenApply(v -> CommandResult.good(0));
        }
        return CompletableFuture.completedFuture(CommandResult.good(0));
    }
}
