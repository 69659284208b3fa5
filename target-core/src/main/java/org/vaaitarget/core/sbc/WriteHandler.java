package org.vaaitarget.core.sbc;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.dispatch.AbstractCommandHandler;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.lu.lock.LockMode;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.sense.SenseReason;

/**
 * WRITE(6/10/12/16) (SBC-4 5.42-5.46) and WRITE AND VERIFY(10/12/16) (SBC-4 5.47-5.49) under an
 * EXCLUSIVE range lock.
 *
 * <p><b>Data-Out shorter or longer than the CDB.</b> Only min(Data-Out received, CDB bytes) is ever
 * written, never more than either (FCP-4 9.4.2 a), which libiscsi's WriteXX residual tests check):
 * when that amount is a whole number of blocks it is written and the status is GOOD; when it ends
 * inside a block, nothing is written and the task gets ILLEGAL REQUEST / INVALID FIELD IN COMMAND
 * INFORMATION UNIT (FCP-4 9.4.2 b); libiscsi accepts both outcomes). In both cases the result's
 * transfer length is the CDB's byte count so that the transport reports the residual.
 *
 * <p><b>Durability.</b> GOOD waits for a store flush covering the write (see {@link Durability}) when FUA is set, when the caching mode
 * page has WCE=0 (SBC-4 4.15: completed writes must then be on the medium), and for WRITE AND VERIFY
 * (verifying the medium needs the data there; the comparison with what was just written cannot fail on
 * this store, so BYTCHK 00b and 01b both reduce to a durable write).
 */
public final class WriteHandler extends AbstractCommandHandler {
    private static final int FUA = 0x08;

    /** Does not release the command's Data-Out buffer (the dispatcher does, after the stage completes). */
    @Override
    public CompletionStage<CommandResult> execute(Task task) {
        byte[] cdb = task.cdb();
        int opcode = cdb[0] & 0xFF;
        LogicalUnit lu = task.lu();
        BlockCdb layout = BlockCdb.of(cdb);
        if (layout == null) {
            return SbcHandlers.done(task.invalidCdbField(0, -1));
        }
        boolean verify = isWriteAndVerify(opcode);
        boolean fua = verify || (layout != BlockCdb.SIX && (cdb[1] & FUA) != 0);
        if (layout != BlockCdb.SIX && Cdbs.protectField(cdb) != 0) {
            return SbcHandlers.done(task.invalidCdbField(1, 7));     // WRPROTECT without PI
        }
        if (verify && ((cdb[1] >>> 1) & 0x3) > 1) {
            return SbcHandlers.done(task.invalidCdbField(1, 2));     // BYTCHK 10b/11b reserved (SBC-4 5.47)
        }
        long lba = layout.lba(cdb);
        long blocks = layout.blocks(cdb);
        if (!Cdbs.inRange(lu, lba, blocks)) {
            return SbcHandlers.done(task.check(SenseReason.LBA_OUT_OF_RANGE));
        }
        if (blocks == 0) {
            return SbcHandlers.done(CommandResult.good(0));
        }
        if (blocks > lu.limits().maxTransferBlocks()) {
            return SbcHandlers.done(task.invalidCdbField(layout.lenOffset(), -1));
        }
        long cdbBytes = blocks * lu.blockSize();
        long usable = Math.min(cdbBytes, task.command().dataOutLength());
        if (usable % lu.blockSize() != 0) {
            byte[] sense = task.check(SenseReason.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT).sense();
            return SbcHandlers.done(new CommandResult(ScsiStatus.CHECK_CONDITION, sense, null, cdbBytes, false));
        }
        if (usable == 0) {
            return SbcHandlers.done(CommandResult.good(cdbBytes));
        }
        ByteBuf dataOut = task.command().dataOut();
        ByteBuf data = dataOut.slice(dataOut.readerIndex(), (int) usable);
        int n = (int) (usable / lu.blockSize());
        boolean durable = fua || !lu.mode().writeCacheEnabled();
        String name = SbcHandlers.nameOf(opcode);
        // The data goes to the page cache under the lock; the lock is released before the flush that makes
        // it durable (Durability), so writes to the same blocks do not queue behind each other's fdatasync.
        return task.lock(lba, n, LockMode.EXCLUSIVE)
                .thenCompose(lock -> lu.store().write(lba, data, false)
                        .thenCompose(v -> Durability.recordReleaseThenCommit(task, lock, lba, n, name, durable)))
                .thenApply(v -> {
                    lu.softThreshold().written(usable);
                    return CommandResult.good(cdbBytes);
                });
    }

    private static boolean isWriteAndVerify(int opcode) {
        return opcode == 0x2E || opcode == 0xAE || opcode == 0x8E;
    }
}
