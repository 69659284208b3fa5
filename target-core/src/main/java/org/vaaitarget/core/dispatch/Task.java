package org.vaaitarget.core.dispatch;

import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.lu.lock.LockMode;
import org.vaaitarget.core.lu.lock.LockRange;
import org.vaaitarget.core.lu.lock.RangeLock;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.ItNexus;
import org.vaaitarget.core.scsi.ScsiCommand;
import org.vaaitarget.core.scsi.sense.SenseData;
import org.vaaitarget.core.scsi.sense.SenseReason;

/**
 * A task inside the core: the command plus the logical unit it addresses, its abort state and the
 * range locks it holds. Range locks taken with {@link #lock} are released by {@link #finish()} when
 * the handler's stage completes, on every path (DESIGN 9.11); an abort cancels lock requests still
 * waiting, so a task that never got its lock never touches the medium.
 */
public final class Task {
    private final ScsiCommand command;
    private final LogicalUnit lu;
    private final ByteBufAllocator alloc;
    private final TargetContext context;
    private final List<CompletableFuture<RangeLock>> locks = new ArrayList<>(2);
    private boolean aborted;
    private boolean finished;
    /** Set by the reservation gate before its check: how the admitted command touches the medium. */
    private volatile DataAccess admittedAccess;

    public Task(ScsiCommand command, LogicalUnit lu, ByteBufAllocator alloc) {
        this(command, lu, alloc, null);
    }

    /**
     * @param context the target device the task runs on (its LUN inventory and command table, for
     *                REPORT LUNS, REPORT SUPPORTED OPERATION CODES and device identification), or null
     */
    public Task(ScsiCommand command, LogicalUnit lu, ByteBufAllocator alloc, TargetContext context) {
        this.command = command;
        this.lu = lu;
        this.alloc = alloc;
        this.context = context;
    }

    /** The target device this task runs on; null only for tasks built without one (unit tests). */
    public TargetContext context() {
        return context;
    }

    public ScsiCommand command() {
        return command;
    }

    public byte[] cdb() {
        return command.cdb();
    }

    /** The addressed logical unit; null only for commands served without one (REPORT LUNS, INQUIRY). */
    public LogicalUnit lu() {
        return lu;
    }

    public ItNexus nexus() {
        return command.nexus();
    }

    public ByteBufAllocator alloc() {
        return alloc;
    }

    /**
     * How the command touches the medium, once the dispatcher's reservation gate has seen it; null
     * before (and for commands stopped by an earlier gate). {@link TargetContext#quiesce} waits on it.
     */
    public DataAccess admittedAccess() {
        return admittedAccess;
    }

    void admit(DataAccess access) {
        admittedAccess = access;
    }

    public synchronized boolean isAborted() {
        return aborted;
    }

    /**
     * Requests a range lock tied to this task. If the task is (or becomes) aborted before the lock
     * is granted, the future completes with {@link CancellationException} and the lock is never held.
     */
    public CompletableFuture<RangeLock> lock(long lba, long blocks, LockMode mode) {
        return lock(lu, lba, blocks, mode);
    }

    /**
     * Like {@link #lock(long, long, LockMode)} on another logical unit of the same target device (an
     * EXTENDED COPY source or destination). The lock is tied to this task the same way: released by
     * {@link #finish()} at the latest (closing it earlier is allowed, {@link RangeLock#close} is
     * idempotent), withdrawn on abort. A command that needs several ranges uses {@link #lockAll} instead.
     */
    public CompletableFuture<RangeLock> lock(LogicalUnit on, long lba, long blocks, LockMode mode) {
        return track(() -> on.locks().acquire(lba, blocks, mode));
    }

    /**
     * All the ranges this command needs on {@code on} as ONE lock request (see the rule in
     * {@link org.vaaitarget.core.lu.lock.RangeLockManager}: never several requests in a row on one LU;
     * across LUs, one request per LU in ascending LUN order, each after the previous one was granted).
     * Tied to the task like {@link #lock}.
     */
    public CompletableFuture<RangeLock> lockAll(LogicalUnit on, List<LockRange> ranges) {
        return track(() -> on.locks().acquireAll(ranges));
    }

    private CompletableFuture<RangeLock> track(Supplier<CompletableFuture<RangeLock>> request) {
        CompletableFuture<RangeLock> f;
        synchronized (this) {
            if (aborted || finished) {
                return CompletableFuture.failedFuture(new CancellationException("task aborted"));
            }
            f = request.get();
            locks.add(f);
        }
        return f;
    }

    /** Marks the task aborted and withdraws lock requests not yet granted. Called by the dispatcher. */
    public void abort() {
        List<CompletableFuture<RangeLock>> pending;
        synchronized (this) {
            if (aborted) {
                return;
            }
            aborted = true;
            pending = new ArrayList<>(locks);
        }
        for (CompletableFuture<RangeLock> f : pending) {
            f.cancel(false);
        }
    }

    /**
     * Takes a granted lock of this task out of {@link #finish()}'s hands: the caller now releases it
     * (for Data-In sent from the file after the task completed, {@link org.vaaitarget.core.scsi.FileDataIn}).
     * A lock that is not this task's, or not granted, is left alone.
     */
    public synchronized void handOver(RangeLock lock) {
        locks.removeIf(f -> f.isDone() && !f.isCompletedExceptionally() && f.getNow(null) == lock);
    }

    /** Releases every lock this task holds. Called once by the dispatcher when the handler is done. */
    public void finish() {
        List<CompletableFuture<RangeLock>> held;
        synchronized (this) {
            finished = true;
            held = new ArrayList<>(locks);
            locks.clear();
        }
        for (CompletableFuture<RangeLock> f : held) {
            if (!f.cancel(false)) {
                // Granted (or failed): release what was granted. RangeLock.close is idempotent.
                RangeLock l = f.getNow(null);
                if (l != null) {
                    l.close();
                }
            }
        }
    }

    /** CHECK CONDITION with the reason's sense, in the format the LU's D_SENSE selects. */
    public CommandResult check(SenseReason reason) {
        return check(SenseData.of(reason));
    }

    /** CHECK CONDITION with the given sense, in the format the LU's D_SENSE selects. */
    public CommandResult check(SenseData sense) {
        boolean descriptor = lu != null && lu.mode().descriptorSense();
        return CommandResult.checkCondition(sense.encode(descriptor));
    }

    /** INVALID FIELD IN CDB pointing at a CDB byte (and bit, or -1). */
    public CommandResult invalidCdbField(int byteIndex, int bit) {
        return check(SenseData.withFieldPointer(SenseReason.INVALID_FIELD_IN_CDB, true, byteIndex, bit));
    }
}
