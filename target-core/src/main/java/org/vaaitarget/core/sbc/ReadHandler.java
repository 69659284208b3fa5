package org.vaaitarget.core.sbc;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.dispatch.AbstractCommandHandler;
import org.vaaitarget.core.dispatch.Prepared;
import org.vaaitarget.core.dispatch.RangeCommandHandler;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.lu.lock.LockMode;
import org.vaaitarget.core.lu.lock.RangeLock;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.FileDataIn;
import org.vaaitarget.core.store.FileRange;

/**
 * READ(6/10/12/16) (SBC-4 5.15-5.18) under a SHARED range lock, so that a multi-block read never sees
 * half of a concurrent WRITE or COMPARE AND WRITE. DPO and FUA are accepted: the store has no read
 * cache of its own to bypass. A residual against the EDTL is the transport's job: the result's
 * transfer length is what the CDB asked for.
 */
public final class ReadHandler extends AbstractCommandHandler implements RangeCommandHandler<BlockCommand> {

    /**
     * A READ that the transport flagged as a write (iSCSI W bit) is executed as a read; the transport sends
     * no Data-In for it because the initiator posted no buffer. Neither SAM-5 nor RFC 7143 define this case;
     * libiscsi 1.19's iSCSIResiduals.Read10Invalid expects GOOD (an older version of that test expected an
     * error). RDPROTECT must be 000b on a LU without protection information (SBC-4 5.16 table; libiscsi
     * ReadXX.Rdprotect).
     */
    @Override
    public Prepared<BlockCommand> prepare(Task task) {
        return BlockCommand.parse(task).protect().inRange().goodIfEmpty().atMostTransfer().lock(LockMode.SHARED);
    }

    /** @return on GOOD a result whose Data-In buffer the receiver releases */
    @Override
    public CompletionStage<CommandResult> execute(Task task, BlockCommand read, RangeLock lock) {
        LogicalUnit lu = task.lu();
        long lba = read.lba();
        int n = read.n();
        if (task.command().fileDataInAccepted()) {
            FileRange range = lu.store().cachedFileRange(lba, n);
            if (range != null) {
                // Zero-copy: the transport sends the bytes from the page cache after this task
                // completes, so the SHARED lock must outlive the task; the result's release ends it.
                task.handOver(lock);
                return CompletableFuture.completedFuture(CommandResult.goodWithFile(
                        new FileDataIn(range.channel(), range.position(), range.length(), lock::close)));
            }
        }
        return lu.store().read(lba, n).thenApply(CommandResult::goodWithData);
    }
}
