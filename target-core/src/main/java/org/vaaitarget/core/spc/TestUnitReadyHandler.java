package org.vaaitarget.core.spc;

import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.dispatch.AbstractCommandHandler;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.dispatch.ParameterData;

/**
 * TEST UNIT READY (SPC-5 6.47). Readiness (unit attention, LU state) is decided by the dispatcher's
 * gates; a task that reaches this handler is ready.
 */
public final class TestUnitReadyHandler extends AbstractCommandHandler {
    @Override
    public CompletionStage<CommandResult> execute(Task task) {
        return ParameterData.done(CommandResult.good(0));
    }
}
