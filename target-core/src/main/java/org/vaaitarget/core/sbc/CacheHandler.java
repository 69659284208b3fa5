package org.vaaitarget.core.sbc;

import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.dispatch.AbstractCommandHandler;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.sense.SenseReason;

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
public final class CacheHandler extends AbstractCommandHandler {
    private static final int SYNC_10 = 0x35;
    private static final int SYNC_16 = 0x91;

    @Override
    public CompletionStage<CommandResult> execute(Task task) {
        byte[] cdb = task.cdb();
        int opcode = cdb[0] & 0xFF;
        LogicalUnit lu = task.lu();
        BlockCdb layout = BlockCdb.of(cdb);
        if (layout == null) {
            return SbcHandlers.done(task.invalidCdbField(0, -1));
        }
        long lba = layout.lba(cdb);
        long blocks = layout.blocks(cdb);
        // Zero blocks means "from lba to the last LBA", so lba itself must exist.
        boolean ok = blocks == 0 ? lba >= 0 && lba < lu.blockCount() : Cdbs.inRange(lu, lba, blocks);
        if (!ok) {
            return SbcHandlers.done(task.check(SenseReason.LBA_OUT_OF_RANGE));
        }
        if (opcode == SYNC_10 || opcode == SYNC_16) {
            return lu.store().flush().thenApply(v -> CommandResult.good(0));
        }
        return SbcHandlers.done(CommandResult.good(0));
    }
}
