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
import org.vaaitarget.core.scsi.sense.SenseData;
import org.vaaitarget.core.scsi.sense.SenseReason;

/**
 * VERIFY(10/12/16) (SBC-4 5.33-5.35). BYTCHK 00b: a medium check, which for this store is the range
 * check alone. BYTCHK 01b: the Data-Out is compared with the medium. BYTCHK 11b: one block of Data-Out
 * is compared with every block of the range. A difference is MISCOMPARE DURING VERIFY OPERATION with
 * INFORMATION = offset of the first differing byte; for 11b that offset counts from the start of the
 * verified range (block index * block size + byte), so that it still names the block. BYTCHK 10b is
 * reserved.
 */
public final class VerifyHandler extends AbstractCommandHandler implements RangeCommandHandler<BlockCommand> {

    @Override
    public Prepared<BlockCommand> prepare(Task task) {
        int bytchk = bytchk(task.cdb());
        BlockCommand c = BlockCommand.parse(task).protect()       // VRPROTECT without PI
                .invalidIf(bytchk == 2, 1, 2)
                .inRange().goodIfEmpty().goodIf(bytchk == 0).atMostTransfer();
        return c.dataOutAtLeast(compared(c, bytchk, task.lu().blockSize())).lock(LockMode.SHARED);
    }

    /** Reads the Data-Out buffer without releasing it. */
    @Override
    public CompletionStage<CommandResult> execute(Task task, BlockCommand c, RangeLock lock) {
        LogicalUnit lu = task.lu();
        int bytchk = bytchk(c.cdb());
        int bs = lu.blockSize();
        int n = c.n();
        long need = compared(c, bytchk, bs);
        ByteBuf dataOut = task.command().dataOut();
        return lu.store().read(c.lba(), n)
                .thenApply(medium -> {
                    try {
                        int diff = bytchk == 1 ? compareAll(dataOut, medium, n * bs) : compareEach(dataOut, medium, n, bs);
                        if (diff >= 0) {
                            return task.check(SenseData.withInformation(SenseReason.MISCOMPARE_DURING_VERIFY_OPERATION, diff));
                        }
                        return CommandResult.good(need);
                    } finally {
                        medium.release();
                    }
                });
    }

    private static int bytchk(byte[] cdb) {
        return (cdb[1] >>> 1) & 0x3;
    }

    /** The Data-Out bytes compared: every block for BYTCHK 01b, the one block for 11b. */
    private static long compared(BlockCommand c, int bytchk, int bs) {
        return bytchk == 1 ? c.blocks() * bs : bs;
    }

    private static int compareAll(ByteBuf dataOut, ByteBuf medium, int len) {
        return Compare.firstDifference(dataOut, dataOut.readerIndex(), medium, medium.readerIndex(), len);
    }

    private static int compareEach(ByteBuf dataOut, ByteBuf medium, int blocks, int bs) {
        for (int i = 0; i < blocks; i++) {
            int d = Compare.firstDifference(dataOut, dataOut.readerIndex(), medium, medium.readerIndex() + i * bs, bs);
            if (d >= 0) {
                return i * bs + d;
            }
        }
        return -1;
    }
}
