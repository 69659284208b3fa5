package org.vaaitarget.core.spc;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.dispatch.CommandHandler;
import org.vaaitarget.core.dispatch.CommandSpec;
import org.vaaitarget.core.dispatch.DataAccess;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.scsi.CommandResult;

/**
 * PREVENT ALLOW MEDIUM REMOVAL (SBC-4 5.13, SPC-5 6.13). The medium is not removable (INQUIRY RMB=0),
 * so there is nothing to lock: PREVENT 00b (allowed) and 01b (prevented) answer GOOD; the obsolete
 * values 10b and 11b are INVALID FIELD IN CDB. libiscsi's PreventAllow tests require RMB=1 and skip
 * for this target.
 */
public final class PreventAllowHandler implements CommandHandler {
    static final CommandSpec SPEC = CommandSpec.of(0x1E, -1, "PREVENT ALLOW MEDIUM REMOVAL", DataAccess.NONE,
            0x1E, 0x00, 0x00, 0x00, 0x03, 0x00);

    @Override
    public List<CommandSpec> commands() {
        return List.of(SPEC);
    }

    @Override
    public CompletionStage<CommandResult> execute(Task task) {
        int prevent = task.cdb()[4] & 0x03;
        if (prevent > 1) {
            return ParameterData.done(task.invalidCdbField(4, 1));
        }
        return ParameterData.done(CommandResult.good(0));
    }
}
