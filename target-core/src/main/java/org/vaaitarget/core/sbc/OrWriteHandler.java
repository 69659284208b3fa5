package org.vaaitarget.core.sbc;

import io.netty.buffer.ByteBuf;
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

/**
 * ORWRITE(16) (8Bh, SBC-4 5.9): every block becomes the bitwise OR of what the medium holds and the
 * Data-Out block. ORWRITE(16) has no BMOP field: its operation is always the OR (BMOP 000b of ORWRITE(32),
 * which is not served).
 *
 * <p>Atomicity: the read, the OR and the write run under one EXCLUSIVE range lock on the blocks, the lock
 * every other reader and writer of those blocks takes, exactly as for COMPARE AND WRITE; so two overlapping
 * ORWRITEs never lose each other's bits, and no READ sees half of one.
 *
 * <p>Checks, in SBC-4 order: ORPROTECT must be 000b (no protection information; INVALID FIELD IN CDB),
 * the range must lie in the LU (LBA OUT OF RANGE, also for zero blocks), the length within MAXIMUM TRANSFER
 * LENGTH; a Data-Out that is not exactly the CDB's blocks is INVALID FIELD IN COMMAND INFORMATION UNIT
 * (nothing is written: the OR of a partial block is not defined). DPO is accepted, FUA makes the result
 * durable before GOOD, as does WCE=0.
 */
public final class OrWriteHandler extends AbstractCommandHandler implements RangeCommandHandler<BlockCommand> {
    static final String NAME = "ORWRITE(16)";

    @Override
    public Prepared<BlockCommand> prepare(Task task) {
        BlockCommand c = BlockCommand.parse(task).protect()       // ORPROTECT without protection information
                .inRange().goodIfEmpty().atMostTransfer();        // SBC-4 5.9: zero blocks is not an error
        return c.dataOutExactly(c.blocks() * task.lu().blockSize()).lock(LockMode.EXCLUSIVE);
    }

    /** Does not release the command's Data-Out buffer (the dispatcher does). */
    @Override
    public CompletionStage<CommandResult> execute(Task task, BlockCommand c, RangeLock lock) {
        LogicalUnit lu = task.lu();
        long lba = c.lba();
        int n = c.n();
        long bytes = (long) n * lu.blockSize();
        boolean durable = c.fua() || !lu.mode().writeCacheEnabled();
        ByteBuf dataOut = task.command().dataOut();
        ByteBuf data = dataOut.slice(dataOut.readerIndex(), (int) bytes);
        // Read, OR and write under the lock; like WRITE, the lock is released before the flush that makes the
        // result durable (Durability), so commands on these blocks do not queue behind its fdatasync.
        return lu.store().read(lba, n)
                .thenCompose(medium -> {
                    CompletableFuture<Void> written;
                    try {
                        orInto(medium, data);
                        written = lu.store().write(lba, medium, false);
                    } catch (RuntimeException e) {
                        written = CompletableFuture.failedFuture(e);
                    }
                    return written.whenComplete((v, e) -> medium.release());
                })
                .thenCompose(v -> Durability.recordReleaseThenCommit(task, lock, lba, n, NAME, durable))
                .thenApply(v -> {
                    lu.softThreshold().written(bytes);
                    return CommandResult.good(bytes);
                });
    }

    /** ORs {@code data} into {@code medium} in place (same length), eight bytes at a time. */
    private static void orInto(ByteBuf medium, ByteBuf data) {
        int base = medium.readerIndex();
        int from = data.readerIndex();
        int length = medium.readableBytes();
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            medium.setLong(base + i, medium.getLong(base + i) | data.getLong(from + i));
        }
        for (; i < length; i++) {
            medium.setByte(base + i, medium.getByte(base + i) | data.getByte(from + i));
        }
    }
}
