package org.vaaitarget.core.sbc;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.dispatch.AbstractCommandHandler;
import org.vaaitarget.core.dispatch.Prepared;
import org.vaaitarget.core.dispatch.RangeCommandHandler;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.lu.lock.LockMode;
import org.vaaitarget.core.lu.lock.RangeLock;
import org.vaaitarget.core.scsi.CommandResult;

/**
 * WRITE ATOMIC(16) (9Ch, SBC-4 5.48): the blocks are written all or nothing, against concurrent commands
 * (one EXCLUSIVE range lock over the whole write, as for every write) and across a power loss (the store's
 * {@link org.vaaitarget.core.store.BlockStore#writeAtomic}: a journal record forced before the blocks change).
 * Served only on stores that can do that ({@link #servedOn}); the Block Limits VPD page advertises exactly
 * these limits ({@link #maxAtomicBlocks}):
 * <ul>
 *   <li>MAXIMUM ATOMIC TRANSFER LENGTH: the store's largest atomic write (1 MiB), in blocks;</li>
 *   <li>ATOMIC ALIGNMENT 0 and ATOMIC TRANSFER LENGTH GRANULARITY 0: any LBA, any number of blocks;</li>
 *   <li>MAXIMUM ATOMIC TRANSFER LENGTH WITH ATOMIC BOUNDARY and MAXIMUM ATOMIC BOUNDARY SIZE: the same
 *       maximum. A write with an ATOMIC BOUNDARY is made atomic as a whole, which is stronger than atomic
 *       per boundary-sized piece, so any boundary up to the maximum is kept.</li>
 * </ul>
 * Checks: WRPROTECT 000b (no protection information), LBA range (also for zero blocks), length and
 * boundary within those limits (INVALID FIELD IN CDB); the Data-Out must be exactly the blocks (INVALID
 * FIELD IN COMMAND INFORMATION UNIT: a partial atomic write is not one). Always durable when GOOD, so FUA
 * changes nothing; DPO is accepted.
 */
public final class WriteAtomicHandler extends AbstractCommandHandler implements RangeCommandHandler<BlockCommand> {
    static final String NAME = "WRITE ATOMIC(16)";

    @Override
    public boolean servedOn(LogicalUnit lu) {
        return maxAtomicBlocks(lu) > 0;
    }

    /** MAXIMUM ATOMIC TRANSFER LENGTH of the LU in blocks: what its store can write atomically; 0 for none. */
    public static long maxAtomicBlocks(LogicalUnit lu) {
        return lu.store().maxAtomicWriteBytes() / lu.blockSize();
    }

    @Override
    public Prepared<BlockCommand> prepare(Task task) {
        LogicalUnit lu = task.lu();
        long max = Math.min(maxAtomicBlocks(lu), lu.limits().maxTransferBlocks());
        BlockCommand c = BlockCommand.parse(task, BlockCdb.WRITE_ATOMIC).protect()   // WRPROTECT without PI
                .inRange()
                .invalidIf(Cdbs.be(task.cdb(), 10, 2) > max, 10, -1)                 // ATOMIC BOUNDARY
                .goodIfEmpty()                                                       // SBC-4 5.48: nothing written
                .atMost(max);
        return c.dataOutExactly(c.blocks() * lu.blockSize()).lock(LockMode.EXCLUSIVE);
    }

    /** Does not release the command's Data-Out buffer (the dispatcher does). */
    @Override
    public CompletionStage<CommandResult> execute(Task task, BlockCommand c, RangeLock lock) {
        LogicalUnit lu = task.lu();
        long bytes = c.blocks() * lu.blockSize();
        ByteBuf dataOut = task.command().dataOut();
        ByteBuf data = dataOut.slice(dataOut.readerIndex(), (int) bytes);
        return lu.store().writeAtomic(c.lba(), data)
                .thenApply(v -> SbcHandlers.written(task, c.lba(), c.n(), NAME, bytes));
    }
}
