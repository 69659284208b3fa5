package org.vaaitarget.core.sbc;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.dispatch.CommandHandler;
import org.vaaitarget.core.dispatch.CommandSpec;
import org.vaaitarget.core.dispatch.DataAccess;
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
public final class CacheHandler implements CommandHandler {
    private static final int SYNC_10 = 0x35;
    private static final int SYNC_16 = 0x91;

    private static final List<CommandSpec> SPECS = List.of(
            CommandSpec.of(SYNC_10, -1, "SYNCHRONIZE CACHE(10)", DataAccess.WRITE,
                    0x35, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0xFF, 0xFF, 0x00),
            CommandSpec.of(SYNC_16, -1, "SYNCHRONIZE CACHE(16)", DataAccess.WRITE,
                    0x91, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00),
            CommandSpec.of(0x34, -1, "PRE-FETCH(10)", DataAccess.READ,
                    0x34, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0xFF, 0xFF, 0x00),
            CommandSpec.of(0x90, -1, "PRE-FETCH(16)", DataAccess.READ,
                    0x90, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00));

    @Override
    public List<CommandSpec> commands() {
        return SPECS;
    }

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
