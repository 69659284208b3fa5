package org.vaaitarget.core.sbc;

import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.dispatch.AbstractCommandHandler;
import org.vaaitarget.core.dispatch.Prepared;
import org.vaaitarget.core.dispatch.RangeCommandHandler;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.lu.lock.RangeLock;
import org.vaaitarget.core.scsi.CommandResult;

/**
 * SYNCHRONIZE CACHE(10/16) (SBC-4 5.26-5.27) and PRE-FETCH(10/16) (SBC-4 5.9-5.10). Both take an LBA
 * and a NUMBER OF LOGICAL BLOCKS where zero means "to the last LBA".
 *
 * <p>SYNCHRONIZE CACHE flushes the whole store (a superset of the range) and answers GOOD once the
 * flush completed. IMMED=1 is accepted and treated like IMMED=0: waiting for the flush is always
 * allowed, and an early GOOD would be a lie if the flush then failed.
 *
 * <p>PRE-FETCH answers GOOD after the range check: SBC-4 5.9 gives CONDITION MET only when the blocks
 * were transferred to a cache with room for all of them; this target has no cache of its own it could
 * fill or pin (the file store's cache is the OS page cache), so GOOD ("the cache could not hold them")
 * is the honest answer, and libiscsi's Prefetch tests expect GOOD.
 */
public final class CacheHandler extends AbstractCommandHandler implements RangeCommandHandler<BlockCommand> {
    private static final int SYNC_10 = 0x35;
    private static final int SYNC_16 = 0x91;

    /** Zero blocks means "from lba to the last LBA", so lba itself must exist. No range lock: a flush covers all. */
    @Override
    public Prepared<BlockCommand> prepare(Task task) {
        return BlockCommand.parse(task).inRangeZeroToEnd().unlocked();
    }

    @Override
    public CompletionStage<CommandResult> execute(Task task, BlockCommand c, RangeLock none) {
        if (c.opcode() == SYNC_10 || c.opcode() == SYNC_16) {
            return task.lu().store().flush().thenApply(v -> CommandResult.good(0));
        }
        return SbcHandlers.done(CommandResult.good(0));
    }
}
