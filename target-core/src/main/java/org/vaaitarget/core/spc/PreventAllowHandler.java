package org.vaaitarget.core.spc;

import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.dispatch.AbstractCommandHandler;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.lu.RemovableMedium;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.dispatch.ParameterData;

/**
 * PREVENT ALLOW MEDIUM REMOVAL (SBC-4 5.15, SPC-5 6.16). PREVENT 01b records a prevention for the issuing
 * I_T nexus and 00b ends it (the medium is locked while any nexus prevents removal; see
 * {@link RemovableMedium}); the obsolete values 10b and 11b are INVALID FIELD IN CDB. On a fixed medium
 * (INQUIRY RMB=0, the default) there is nothing to lock: 00b and 01b answer GOOD and change nothing.
 */
public final class PreventAllowHandler extends AbstractCommandHandler {
    @Override
    public CompletionStage<CommandResult> execute(Task task) {
        int prevent = task.cdb()[4] & 0x03;
        if (prevent > 1) {
            return ParameterData.done(task.invalidCdbField(4, 1));
        }
        RemovableMedium medium = task.lu().medium();
        if (prevent == 1) {
            medium.prevent(task.nexus());
        } else {
            medium.allow(task.nexus());
        }
        return ParameterData.done(CommandResult.good(0));
    }
}
