package org.vaaitarget.core.dispatch;

import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.lu.lock.RangeLock;
import org.vaaitarget.core.scsi.CommandResult;

/**
 * A handler of commands that address LBA ranges, in two steps. {@link #prepare} parses and checks the whole
 * CDB (and the Data-Out where the check needs it) without touching the medium, and answers either a result
 * (a CHECK CONDITION, or GOOD for a command with nothing to do) or the ranges to lock and the parsed command.
 * The dispatcher ({@link RangeExecution}) then takes those locks by its one acquisition rule and calls
 * {@link #execute(Task, Object, RangeLock)} with them held; they are released when the returned stage
 * completes ({@link Task#finish()}), unless execute released them earlier (a write releases its range once
 * the data is in the page cache, before the flush) or handed them over ({@link Task#handOver}).
 *
 * @param <P> the parsed command prepare hands to execute
 */
public interface RangeCommandHandler<P> extends CommandHandler {

    /** Parses and checks; never touches the medium, never blocks. */
    Prepared<P> prepare(Task task);

    /**
     * Runs the prepared command.
     *
     * @param lock the granted lock over every range prepare asked for, or null when it asked for none
     */
    CompletionStage<CommandResult> execute(Task task, P command, RangeLock lock);

    /** Prepare, lock, execute: the dispatcher's path for every range command. */
    @Override
    default CompletionStage<CommandResult> execute(Task task) {
        return RangeExecution.run(this, task);
    }
}
