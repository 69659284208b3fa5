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
public final class WriteHandler extends AbstractCommandHandler implements RangeCommandHandler<WriteHandler.Write> {

    /** A checked write: the blocks to write (what arrived of the CDB's), and its GOOD's transfer length. */
    record Write(long lba, int blocks, long usable, long cdbBytes, boolean durable) {
    }

    @Override
    public Prepared<Write> prepare(Task task) {
        byte[] cdb = task.cdb();
        boolean verify = isWriteAndVerify(cdb[0] & 0xFF);
        BlockCommand c = BlockCommand.parse(task).protect()                          // WRPROTECT without PI
                .invalidIf(verify && ((cdb[1] >>> 1) & 0x3) > 1, 1, 2)             // BYTCHK 10b/11b reserved (SBC-4 5.47)
                .inRange().goodIfEmpty().atMostTransfer();
        if (c.decided()) {
            return Prepared.done(c.result());
        }
        LogicalUnit lu = task.lu();
        long cdbBytes = c.blocks() * lu.blockSize();
        long usable = Math.min(cdbBytes, task.command().dataOutLength());
        if (usable % lu.blockSize() != 0) {
            return Prepared.done(SbcHandlers.dataOutMismatch(task, cdbBytes));
        }
        if (usable == 0) {
            return Prepared.done(CommandResult.good(cdbBytes));
        }
        int n = (int) (usable / lu.blockSize());
        boolean durable = verify || c.fua() || !lu.mode().writeCacheEnabled();
        return Prepared.locking(new Write(c.lba(), n, usable, cdbBytes, durable), c.lba(), n, LockMode.EXCLUSIVE);
    }

    /** Does not release the command's Data-Out buffer (the dispatcher does, after the stage completes). */
    @Override
    public CompletionStage<CommandResult> execute(Task task, Write w, RangeLock lock) {
        LogicalUnit lu = task.lu();
        ByteBuf dataOut = task.command().dataOut();
        ByteBuf data = dataOut.slice(dataOut.readerIndex(), (int) w.usable());
        String name = SbcHandlers.nameOf(task.command().opcode());
        // The data goes to the page cache under the lock; the lock is released before the flush that makes
        // it durable (Durability), so writes to the same blocks do not queue behind each other's fdatasync.
        return lu.store().write(w.lba(), data, false)
                .thenCompose(v -> Durability.recordReleaseThenCommit(task, lock, w.lba(), w.blocks(), name, w.durable()))
                .thenApply(v -> {
                    lu.softThreshold().written(w.usable());
                    return CommandResult.good(w.cdbBytes());
                });
    }

    private static boolean isWriteAndVerify(int opcode) {
        return opcode == 0x2E || opcode == 0xAE || opcode == 0x8E;
    }
}
