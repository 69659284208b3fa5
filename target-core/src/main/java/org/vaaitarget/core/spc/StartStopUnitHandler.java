package org.vaaitarget.core.spc;

import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.dispatch.AbstractCommandHandler;
import org.vaaitarget.core.dispatch.TargetContext;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.lu.RemovableMedium;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.ItNexus;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.dispatch.ParameterData;

/**
 * START STOP UNIT (SBC-4 5.25) for a file-backed LU with no power states; its medium is fixed unless the
 * LUN is configured removable ({@link RemovableMedium}).
 * <ul>
 *   <li>POWER CONDITION 0h (START_VALID): START=1 or START=0 with LOEJ=0 answer GOOD and change
 *       nothing; the LU stays ready (there is no spindle to stop). IMMED and NO_FLUSH are accepted:
 *       there is nothing to wait for.</li>
 *   <li>LOEJ=1 on a fixed medium: INVALID FIELD IN CDB (as LIO does; older libiscsi StartStopUnit.Simple
 *       expects an eject on an RMB=0 device to fail).</li>
 *   <li>LOEJ=1 on a removable medium: START=0 ejects, START=1 loads. While any I_T nexus prevents medium
 *       removal, both answer ILLEGAL REQUEST / MEDIUM REMOVAL PREVENTED (after confirming that the
 *       preventing nexuses, when they are others, are still there). SBC-4 5.25 requires that only
 *       for the eject; libiscsi's PreventAllow.Eject also expects it for a load, and we follow it (a
 *       prevented medium changes neither way). Ejecting an ejected medium or loading a loaded one is
 *       GOOD. Without a medium, medium-access commands get NOT READY / MEDIUM NOT PRESENT (the
 *       dispatch gates). No unit attention is raised on a load: libiscsi's StartStopUnit.Simple expects
 *       TEST UNIT READY to be GOOD right after it.</li>
 *   <li>POWER CONDITION ACTIVE, IDLE, STANDBY, LU_CONTROL, FORCE_IDLE_0, FORCE_STANDBY_0 are accepted
 *       as no-ops (START and LOEJ are then ignored, SBC-4 table 81); reserved values: INVALID FIELD.</li>
 * </ul>
 */
public final class StartStopUnitHandler extends AbstractCommandHandler {
    /** SBC-4 table 81: power conditions this LU accepts (as no-ops). */
    private static final int ACCEPTED_POWER_CONDITIONS = (1 << 0x0) | (1 << 0x1) | (1 << 0x2) | (1 << 0x3)
            | (1 << 0x7) | (1 << 0xA) | (1 << 0xB);

    @Override
    public CompletionStage<CommandResult> execute(Task task) {
        byte[] cdb = task.cdb();
        int powerCondition = (cdb[4] >>> 4) & 0x0F;
        if ((ACCEPTED_POWER_CONDITIONS & (1 << powerCondition)) == 0) {
            return ParameterData.done(task.invalidCdbField(4, 7));
        }
        boolean loej = (cdb[4] & 0x02) != 0;
        if (powerCondition != 0 || !loej) {
            return ParameterData.done(CommandResult.good(0));
        }
        if (!task.lu().medium().isRemovable()) {
            return ParameterData.done(task.invalidCdbField(4, 1));
        }
        return loadOrEject(task, (cdb[4] & 0x01) != 0, true);
    }

    /**
     * Refused only because of other nexuses' preventions, the command is decided once more after those
     * nexuses were confirmed alive ({@link TargetContext#confirmAlive}): a prevention ends with its
     * nexus's loss (SPC-5 6.16), and an initiator that closed its connection and ejects through another
     * one must not be refused because the transport had not yet processed the close.
     */
    private static CompletionStage<CommandResult> loadOrEject(Task task, boolean start, boolean confirmFirst) {
        RemovableMedium medium = task.lu().medium();
        if (medium.loadOrEject(start)) {
            return ParameterData.done(CommandResult.good(0));
        }
        Set<ItNexus> preventers = medium.preventers();
        TargetContext context = task.context();
        if (!confirmFirst || context == null || preventers.contains(task.nexus())) {
            return ParameterData.done(task.check(SenseReason.MEDIUM_REMOVAL_PREVENTED));
        }
        return context.confirmAlive(preventers).thenCompose(v -> task.isAborted()
                ? ParameterData.done(CommandResult.abortedTask()) : loadOrEject(task, start, false));
    }
}
