package org.vaaitarget.core.dispatch;

import org.vaaitarget.core.lu.LogicalUnit;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.scsi.CommandResult;

/**
 * One opcode family (DESIGN 9.3: about 300 lines at most). A handler first parses and validates the
 * whole CDB (prepare) and only then touches data (execute); commands that address LBA ranges make the two
 * steps separate methods ({@link RangeCommandHandler}), and the dispatcher takes their range locks in
 * between. Handlers never release the command's
 * Data-Out buffer (the dispatcher does) and never release range locks taken through
 * {@link Task#lock} (the dispatcher does when the returned stage completes).
 */
public interface CommandHandler {

    /**
     * The commands this handler serves, with their facts, for the dispatch table and REPORT SUPPORTED
     * OPERATION CODES. The standard handlers extend {@link AbstractCommandHandler}: their family's list
     * declares them.
     */
    List<CommandSpec> commands();

    /**
     * Runs the task. Invalid input is a CHECK CONDITION result ({@link Task#check}), not an exception;
     * an exceptional completion is mapped by the dispatcher through {@code StoreErrors}.
     */
    CompletionStage<CommandResult> execute(Task task);

    /**
     * Whether this LU serves the handler's commands at all (an LU option such as {@code sanitize}); when not,
     * the dispatcher answers INVALID COMMAND OPERATION CODE and REPORT SUPPORTED OPERATION CODES omits them.
     */
    default boolean servedOn(LogicalUnit lu) {
        return true;
    }
}
