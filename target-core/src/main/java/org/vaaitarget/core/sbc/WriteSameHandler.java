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
import org.vaaitarget.core.store.StoreCapabilities;

/**
 * WRITE SAME(10) 41h and WRITE SAME(16) 93h (SBC-4 5.50, 5.51): VMware's block zeroing primitive and, with
 * UNMAP=1, a way to deallocate. The one block of Data-Out (zeros with NDOB=1, 16-byte CDB only) is written
 * to every block of the range under one EXCLUSIVE range lock, in chunks of a buffer of repeated blocks
 * (see {@link RepeatedBlockWriter}).
 *
 * <p><b>Fields.</b> WRPROTECT non-zero: INVALID FIELD IN CDB (no protection information). ANCHOR: INVALID
 * FIELD IN CDB (ANC_SUP=0 in VPD B2h). UNMAP=1 on a store that cannot unmap: INVALID FIELD IN CDB (LBPWS and
 * LBPWS10 are then 0, and libiscsi's WriteSame*.UnmapVPD checks they agree).
 *
 * <p><b>NUMBER OF LOGICAL BLOCKS 0.</b> We advertise WSNZ=0 (VPD B0h), so 0 means "from the LBA to the end of
 * the medium" (SBC-4 5.50); that count is then held against MAXIMUM WRITE SAME LENGTH like any other, and a
 * count above it is INVALID FIELD IN CDB (libiscsi PR #208: 0 with WSNZ=0 is allowed, bounded by MWSL).
 *
 * <p><b>UNMAP=1.</b> SBC-4 4.7.3.4 lets the device server either deallocate or write each block, as long as
 * the blocks then read back as the Data-Out. We deallocate only when unmapped blocks read as zeros (LBPRZ)
 * and the block is all zeros, which is what ESXi and Linux send; otherwise the data is written.
 *
 * <p><b>Zeros.</b> A zero block without UNMAP on a store that zeroes without data ({@link
 * org.vaaitarget.core.store.BlockStore#zeroesWithoutData}: RBD's write-zeroes) is one zeroing request instead of
 * chunks of zero blocks.
 *
 * <p><b>Data-Out.</b> Exactly one block (none with NDOB); anything else is ILLEGAL REQUEST / INVALID FIELD IN
 * COMMAND INFORMATION UNIT, as for the other write commands (FCP-4 9.4.2 b); libiscsi's
 * WriteSame*.InvalidDataOutSize accepts any error), and nothing is written.
 */
public final class WriteSameHandler extends AbstractCommandHandler implements RangeCommandHandler<BlockCommand> {
    private static final int ANCHOR = 0x10;
    private static final int UNMAP = 0x08;
    private static final int NDOB = 0x01;

    @Override
    public Prepared<BlockCommand> prepare(Task task) {
        byte[] cdb = task.cdb();
        LogicalUnit lu = task.lu();
        boolean unmap = (cdb[1] & UNMAP) != 0;
        BlockCommand c = BlockCommand.parse(task).protect()                               // WRPROTECT without PI
                .invalidIf((cdb[1] & ANCHOR) != 0, 1, 4)                                  // ANC_SUP = 0
                .invalidIf(unmap && !lu.store().capabilities().unmapSupported(), 1, 3)    // LBPWS/LBPWS10 = 0
                .inRangeZeroToEnd()                                  // WSNZ = 0: to the end of the medium
                .atMost(lu.limits().maxWriteSameBlocks());
        return c.dataOutExactly(dataOutBytes(c, lu)).lock(LockMode.EXCLUSIVE);
    }

    /** The one block of Data-Out, none with NDOB (16-byte CDB only). */
    private static long dataOutBytes(BlockCommand c, LogicalUnit lu) {
        boolean ndob = c.layout() == BlockCdb.SIXTEEN && (c.cdb()[1] & NDOB) != 0;
        return ndob ? 0 : lu.blockSize();
    }

    /** Reads the command's Data-Out buffer; never releases it (the dispatcher does). */
    @Override
    public CompletionStage<CommandResult> execute(Task task, BlockCommand c, RangeLock lock) {
        LogicalUnit lu = task.lu();
        StoreCapabilities caps = lu.store().capabilities();
        int bs = lu.blockSize();
        long expected = dataOutBytes(c, lu);
        ByteBuf dataOut = task.command().dataOut();
        byte[] block = new byte[bs];
        if (expected > 0) {
            dataOut.getBytes(dataOut.readerIndex(), block);
        }
        long lba = c.lba();
        long n = c.blocks();
        String name = SbcHandlers.nameOf(c.opcode());
        boolean unmap = (c.cdb()[1] & UNMAP) != 0;
        boolean deallocate = unmap && caps.unmapReadsZeros() && RepeatedBlockWriter.isZero(block);
        boolean durable = !lu.mode().writeCacheEnabled();
        boolean zeroes = !deallocate && lu.store().zeroesWithoutData() && RepeatedBlockWriter.isZero(block);
        return (deallocate ? lu.store().unmap(lba, n)
                : zeroes ? lu.store().writeZeroes(lba, n)    // durable by itself; the commit step stays uniform
                : RepeatedBlockWriter.write(lu.store(), task.alloc(), lba, n, block, false))
                .thenCompose(v -> Durability.recordReleaseThenCommit(task, lock, lba, n,
                        deallocate ? name + " UNMAP" : name, durable))
                .thenApply(v -> {
                    lu.observer().writeSameBlocks(n, deallocate);
                    if (!deallocate) {
                        lu.softThreshold().written(n * bs);
                    }
                    return CommandResult.good(expected);
                });
    }
}
