package org.vaaitarget.core.spc;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.dispatch.CommandHandler;
import org.vaaitarget.core.dispatch.CommandSpec;
import org.vaaitarget.core.dispatch.DataAccess;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.dispatch.ParameterData;

/**
 * TEST UNIT READY (SPC-5 6.47). Readiness (unit attention, LU state) is decided by the dispatcher's
 * gates; a task that reaches this handler is ready.
 */
public final class TestUnitReadyHandler implements CommandHandler {
    static final CommandSpec SPEC = CommandSpec.of(0x00, -1, "TEST UNIT READY", DataAccess.NONE,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00);

    @Override
    public List<CommandSpec> commands() {
        return List.of(SPEC);
    }

    @Override
    public CompletionStage<CommandResult> execute(Task task) {
        return ParameterData.done(CommandResult.good(0));
    }
}
