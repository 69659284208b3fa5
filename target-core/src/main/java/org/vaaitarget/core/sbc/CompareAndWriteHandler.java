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
import org.vaaitarget.core.sbc.forensics.AtsStatistics;
import org.vaaitarget.core.sbc.forensics.MiscompareReport;
import org.vaaitarget.core.sbc.forensics.WriteRecord;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.sense.SenseData;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.store.CompareOutcome;

/**
 * COMPARE AND WRITE (89h, SBC-4 5.3): VMware's ATS. The Data-Out buffer holds the verify data in
 * [0, n*bs) and the write data in [n*bs, 2*n*bs).
 *
 * <p>Atomicity: the whole read-compare-write runs under an EXCLUSIVE range lock on [lba, lba+n), asked for
 * by {@link #prepare} and taken by the dispatcher before {@link #execute(Task, Caw, RangeLock)} runs; every
 * other reader and writer of those blocks takes it too, so two hosts racing on one lock sector are
 * serialized and exactly one can see its expected image. If the task is aborted while waiting for the
 * lock, the lock request is withdrawn and execute never reads, compares or writes.
 *
 * <p>Miscompare: CHECK CONDITION, MISCOMPARE / MISCOMPARE DURING VERIFY OPERATION, INFORMATION = offset
 * of the first differing byte from the start of the verify data (SBC-4 5.3.2), nothing written; one
 * structured log record and the LU's {@link AtsStatistics} record who last wrote that block and the
 * miscompare's cause ({@link MiscompareReport#causeOf}).
 */
public final class CompareAndWriteHandler extends AbstractCommandHandler implements RangeCommandHandler<CompareAndWriteHandler.Caw> {
    static final String NAME = "COMPARE AND WRITE";

    /**
     * A checked COMPARE AND WRITE, counted as started for its initiator's statistics.
     *
     * @param asked when the range lock was asked for (its wait is an ATS statistic)
     */
    record Caw(long lba, int blocks, boolean durable, AtsStatistics.Counters initiator, long asked) {
    }

    @Override
    public Prepared<Caw> prepare(Task task) {
        LogicalUnit lu = task.lu();
        BlockCommand c = BlockCommand.parse(task, BlockCdb.COMPARE_AND_WRITE);
        c.protect()                                                                      // WRPROTECT without PI
                // NLB 0 but the initiator announced data: the CDB contradicts the transfer. libiscsi's
                // CompareAndWrite.Simple/Miscompare send 256 blocks (the one-byte field wraps to 0) and
                // expect INVALID FIELD IN CDB; GOOD here would acknowledge a compare that never ran.
                .invalidIf(c.blocks() == 0 && task.command().expectedLength() > 0, 13, -1)
                .goodIfEmpty()               // SBC-4 5.3.1: zero blocks is not an error; nothing is read or written
                // The same limit is advertised as MAXIMUM COMPARE AND WRITE LENGTH (VPD B0h byte 5).
                .atMost(lu.limits().maxCompareAndWriteBlocks())
                .inRange()
                // The CDB and the Data-Out disagree, so it is unknowable which half is the verify data.
                // Never GOOD, nothing touched (libiscsi CompareAndWrite.InvalidDataOutSize accepts any error
                // status). ILLEGAL REQUEST / INVALID FIELD IN COMMAND INFORMATION UNIT is the FCP-4 9.4.2 b)
                // answer to a data length that does not match the command, the same one newer LIO gives and
                // libiscsi's write residual tests accept; transferLength lets the transport add the residual.
                .dataOutExactly(2 * c.blocks() * lu.blockSize());
        if (c.decided()) {
            return Prepared.done(c.result());
        }
        boolean durable = c.fua() || !lu.mode().writeCacheEnabled();
        Caw caw = new Caw(c.lba(), c.n(), durable, lu.ats().started(task.nexus()), System.nanoTime());
        return Prepared.locking(caw, caw.lba(), caw.blocks(), LockMode.EXCLUSIVE);
    }

    /**
     * Runs under the EXCLUSIVE range lock the dispatcher took. The critical section is the store's read,
     * compare and write (one store operation: one executor hop, not two) and, on a match, the writer history
     * record. Everything else (statistics, the miscompare report and its log record) happens after the release.
     * Written to the page cache under the lock; a match then releases the lock and waits for a flush
     * (Durability): the next ATS on the block need not wait for this one's fdatasync, and its own flush,
     * requested after it read this record, covers this write too. Reads the command's Data-Out buffer; never
     * releases it (the dispatcher does).
     */
    @Override
    public CompletionStage<CommandResult> execute(Task task, Caw caw, RangeLock lock) {
        LogicalUnit lu = task.lu();
        long waited = System.nanoTime() - caw.asked();
        int half = caw.blocks() * lu.blockSize();
        ByteBuf dataOut = task.command().dataOut();
        int verifyStart = dataOut.readerIndex();
        ByteBuf verify = dataOut.slice(verifyStart, half);
        ByteBuf write = dataOut.slice(verifyStart + half, half);
        long lba = caw.lba();
        int nlb = caw.blocks();
        AtsStatistics.Counters initiator = caw.initiator();
        return lu.store().compareAndWrite(lba, verify, write, false)
                .thenCompose(outcome -> {
                    if (!outcome.matched()) {
                        return CompletableFuture.completedFuture(
                                miscompared(task, initiator, lock, waited, lba, nlb, verify, outcome));
                    }
                    CompletableFuture<Void> durableNow =
                            Durability.recordReleaseThenCommit(task, lock, lba, nlb, NAME, caw.durable());
                    lockWaited(lu, initiator, waited);
                    return durableNow.thenApply(v -> succeeded(lu, initiator, half));
                });
    }

    private static void lockWaited(LogicalUnit lu, AtsStatistics.Counters initiator, long waited) {
        lu.ats().lockWaited(initiator, waited);
        lu.observer().atsLockWaited(waited);
    }

    private static CommandResult succeeded(LogicalUnit lu, AtsStatistics.Counters initiator, int half) {
        lu.ats().succeeded(initiator);
        lu.observer().atsCompared(null);
        return CommandResult.good(2L * half);
    }

    /**
     * Nothing was written. Under the lock only the last writer of the first differing block is looked up
     * (one table read: exact, since every writer records itself before it releases its range); the lock is
     * then released and the report, statistics and log record follow, so the next host waiting for the
     * block does not wait for them. Releases the outcome's found buffer.
     */
    private static CommandResult miscompared(Task task, AtsStatistics.Counters initiator, RangeLock lock, long waited,
                                             long lba, int nlb, ByteBuf verify, CompareOutcome outcome) {
        LogicalUnit lu = task.lu();
        int diff = outcome.miscompareOffset();
        MiscompareReport report;
        try {
            WriteRecord lastWriter = lu.writerHistory().lastWriter(MiscompareReport.blockOf(lba, diff, lu.blockSize()));
            lock.close(); // idempotent: Task.finish() releases it again harmlessly
            lockWaited(lu, initiator, waited);
            report = MiscompareReport.of(task.nexus(), lu.number(), NAME, lba, nlb,
                    lu.blockSize(), verify, outcome.found(), diff, lastWriter);
        } finally {
            outcome.found().release();
        }
        lu.ats().miscompared(initiator, report);
        lu.observer().atsCompared(report.cause());
        report.log(lu.ats().logBudget());
        return task.check(SenseData.withInformation(SenseReason.MISCOMPARE_DURING_VERIFY_OPERATION, diff));
    }
}
