package org.vaaitarget.core.dispatch;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.lu.lock.LockRange;
import org.vaaitarget.core.lu.lock.RangeLock;
import org.vaaitarget.core.scsi.CommandResult;

/**
 * The dispatcher's step between a range command's prepare and its execute: takes the locks it asked for,
 * by ONE acquisition rule ({@link org.vaaitarget.core.lu.lock.RangeLockManager}): one range is one request;
 * several ranges are ONE request for all of them ({@link Task#lockAll}, in LBA order), never a request per
 * range, so a command never holds some of its ranges while it waits for others and no cycle of waits can
 * form. The locks belong to the task: an abort withdraws a request still waiting (execute then never runs)
 * and {@link Task#finish()} releases what is held when the stage completes.
 */
final class RangeExecution {
    private static final Comparator<LockRange> LBA_ORDER = Comparator.comparingLong(LockRange::lba);

    private RangeExecution() {
    }

    static <P> CompletionStage<CommandResult> run(RangeCommandHandler<P> handler, Task task) {
        Prepared<P> prepared = handler.prepare(task);
        if (prepared.result() != null) {
            return CompletableFuture.completedFuture(prepared.result());
        }
        List<LockRange> ranges = prepared.ranges();
        if (ranges.isEmpty()) {
            return handler.execute(task, prepared.command(), null);
        }
        return lock(task, ranges).thenCompose(lock -> handler.execute(task, prepared.command(), lock));
    }

    private static CompletableFuture<RangeLock> lock(Task task, List<LockRange> ranges) {
        if (ranges.size() == 1) {
            LockRange r = ranges.get(0);
            return task.lock(r.lba(), r.blocks(), r.mode());
        }
        List<LockRange> sorted = new ArrayList<>(ranges);
        sorted.sort(LBA_ORDER);
        return task.lockAll(task.lu(), sorted);
    }
}
