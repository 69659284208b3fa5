package org.vaaitarget.core.sbc;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.dispatch.AbstractCommandHandler;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.lu.lock.LockMode;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.ScsiStatus;
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
public final class VerifyHandler extends AbstractCommandHandler {
    /** Reads the Data-Out buffer without releasing it. */
    @Override
    public CompletionStage<CommandResult> execute(Task task) {
        byte[] cdb = task.cdb();
        LogicalUnit lu = task.lu();
        BlockCdb layout = BlockCdb.of(cdb);
        if (layout == null) {
            return SbcHandlers.done(task.invalidCdbField(0, -1));
        }
        if (Cdbs.protectField(cdb) != 0) {
            return SbcHandlers.done(task.invalidCdbField(1, 7));     // VRPROTECT without PI
        }
        int bytchk = (cdb[1] >>> 1) & 0x3;
        if (bytchk == 2) {
            return SbcHandlers.done(task.invalidCdbField(1, 2));
        }
        long lba = layout.lba(cdb);
        long blocks = layout.blocks(cdb);
        if (!Cdbs.inRange(lu, lba, blocks)) {
            return SbcHandlers.done(task.check(SenseReason.LBA_OUT_OF_RANGE));
        }
        if (blocks == 0 || bytchk == 0) {
            return SbcHandlers.done(CommandResult.good(0));
        }
        if (blocks > lu.limits().maxTransferBlocks()) {
            return SbcHandlers.done(task.invalidCdbField(layout.lenOffset(), -1));
        }
        int bs = lu.blockSize();
        int n = (int) blocks;
        long need = bytchk == 1 ? (long) n * bs : bs;
        if (task.command().dataOutLength() < need) {
            byte[] sense = task.check(SenseReason.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT).sense();
            return SbcHandlers.done(new CommandResult(ScsiStatus.CHECK_CONDITION, sense, null, need, false));
        }
        ByteBuf dataOut = task.command().dataOut();
        return task.lock(lba, n, LockMode.SHARED)
                .thenCompose(lock -> lu.store().read(lba, n))
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
