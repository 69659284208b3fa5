package org.vaaitarget.core.spc.xcopy;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.lu.lock.LockMode;
import org.vaaitarget.core.lu.lock.LockRange;
import org.vaaitarget.core.lu.lock.RangeLock;

/**
 * Moves the data of a {@link CopyPlan}, chunk by chunk, directly between the stores under the LUs'
 * range locks (the same locks READ, WRITE and COMPARE AND WRITE take, so a copy is atomic per chunk
 * against them). Internal commands through the dispatcher (DESIGN's suggestion) would add a second
 * task, gates and Data-In/Data-Out buffers per chunk for nothing: the locks are the same objects.
 *
 * <p>Per chunk ({@link CopyLimits#chunkBytes()}): SHARED on the source range and EXCLUSIVE on the
 * destination range, read, write, release, then the next chunk, so a large copy holds up other I/O
 * for one chunk at a time. Deadlock freedom: the rule of {@code RangeLockManager}: on one LU, the
 * chunk's ranges there are ONE request ({@code Task.lockAll}); with source and destination on two LUs,
 * the lower LUN's request first, the other once it is granted. (Taking the source and the destination
 * of one LU one after the other deadlocked: a request arriving in between that covers both, an UNMAP of
 * both or one WRITE SAME spanning them, waits for the source while the copy waits behind it for the
 * destination.) When source and destination are on the same LU and overlap, one EXCLUSIVE range covers
 * both. Overlapping same-LU copies run like memmove: chunks go backwards when the destination lies
 * above the source, so no chunk reads data this copy already overwrote.
 *
 * <p>Abort: checked before every chunk; a task aborted while waiting for a lock never gets it
 * ({@link Task#lock}).
 */
final class CopyEngine {
    static final String COMMAND_NAME = "EXTENDED COPY";

    /** Progress callbacks (for COPY STATUS). */
    interface Progress {
        void copied(long bytes);
    }

    private record Chunk(CopyPlan.Step step, long sourceLba, long destinationLba, int blocks) {
    }

    /** The ranges a chunk locks on one LU. */
    private record LuRanges(LogicalUnit lu, List<LockRange> ranges) {
    }

    private final int chunkBytes;

    CopyEngine(CopyLimits limits) {
        this.chunkBytes = limits.chunkBytes();
    }

    /** Completes when every chunk is copied; exceptionally on abort or a store failure. */
    CompletableFuture<Void> run(Task task, CopyPlan plan, Progress progress) {
        List<Chunk> chunks = new ArrayList<>();
        for (CopyPlan.Step s : plan.steps()) {
            chunks.addAll(chunksOf(s));
        }
        return next(task, chunks.iterator(), progress).thenCompose(v -> flushDurable(plan));
    }

    /**
     * The chunks went to the destinations' page cache; a destination with WCE=0 must have them on the
     * medium before GOOD (SBC-4 4.15): one flush per such LU after the last chunk covers every chunk,
     * where a durable write per chunk would cost one flush each.
     */
    private static CompletableFuture<Void> flushDurable(CopyPlan plan) {
        Set<LogicalUnit> durable = new LinkedHashSet<>();
        for (CopyPlan.Step s : plan.steps()) {
            if (!s.destination().mode().writeCacheEnabled()) {
                durable.add(s.destination());
            }
        }
        CompletableFuture<Void> all = CompletableFuture.completedFuture(null);
        for (LogicalUnit lu : durable) {
            all = all.thenCompose(v -> lu.store().flush());
        }
        return all;
    }

    private CompletableFuture<Void> next(Task task, Iterator<Chunk> it, Progress progress) {
        if (!it.hasNext()) {
            return CompletableFuture.completedFuture(null);
        }
        if (task.isAborted()) {
            return CompletableFuture.failedFuture(new CancellationException("EXTENDED COPY aborted"));
        }
        Chunk c = it.next();
        return copy(task, c).thenCompose(v -> {
            progress.copied((long) c.blocks() * c.step().source().blockSize());
            return next(task, it, progress);
        });
    }

    private List<Chunk> chunksOf(CopyPlan.Step s) {
        int per = Math.max(1, chunkBytes / s.source().blockSize());
        List<Chunk> out = new ArrayList<>();
        for (int done = 0; done < s.blocks(); done += per) {
            int n = Math.min(per, s.blocks() - done);
            out.add(new Chunk(s, s.sourceLba() + done, s.destinationLba() + done, n));
        }
        boolean sameLu = s.source() == s.destination();
        if (sameLu && s.destinationLba() > s.sourceLba()) {
            java.util.Collections.reverse(out);
        }
        return out;
    }

    private CompletableFuture<Void> copy(Task task, Chunk c) {
        LogicalUnit src = c.step().source();
        LogicalUnit dst = c.step().destination();
        return lockAll(task, ranges(c), 0, new ArrayList<>()).thenCompose(locks -> src.store()
                .read(c.sourceLba(), c.blocks())
                .thenCompose(buf -> write(task, dst, c.destinationLba(), c.blocks(), buf))
                .whenComplete((v, e) -> locks.forEach(RangeLock::close)));
    }

    /** Writes (to the page cache: see {@link #flushDurable}) and releases {@code buf} (owned here) whatever happens. */
    private static CompletableFuture<Void> write(Task task, LogicalUnit dst, long lba, int blocks, ByteBuf buf) {
        CompletableFuture<Void> w;
        try {
            w = dst.store().write(lba, buf, false);
        } catch (RuntimeException e) {
            buf.release();
            throw e;
        }
        return w.whenComplete((v, e) -> {
            buf.release();
            if (e == null) {
                dst.writerHistory().recordWrite(lba, blocks, task.nexus(), COMMAND_NAME);
                dst.observer().xcopyBytes((long) blocks * dst.blockSize());
            }
        });
    }

    /** The lock requests of one chunk: one per LU, in ascending LUN order. */
    private static List<LuRanges> ranges(Chunk c) {
        LogicalUnit src = c.step().source();
        LogicalUnit dst = c.step().destination();
        long n = c.blocks();
        LockRange read = new LockRange(c.sourceLba(), n, LockMode.SHARED);
        LockRange write = new LockRange(c.destinationLba(), n, LockMode.EXCLUSIVE);
        if (src == dst) {
            if (read.lba() < write.lba() + n && write.lba() < read.lba() + n) {
                long lo = Math.min(read.lba(), write.lba());
                long hi = Math.max(read.lba(), write.lba()) + n;
                return List.of(new LuRanges(dst, List.of(new LockRange(lo, hi - lo, LockMode.EXCLUSIVE))));
            }
            return List.of(new LuRanges(dst, List.of(read, write)));
        }
        List<LuRanges> r = new ArrayList<>(List.of(new LuRanges(src, List.of(read)), new LuRanges(dst, List.of(write))));
        r.sort(Comparator.comparingInt((LuRanges x) -> x.lu().number()));
        return r;
    }

    /** One request per LU, each once the previous one is granted. */
    private static CompletableFuture<List<RangeLock>> lockAll(Task task, List<LuRanges> requests, int i,
                                                              List<RangeLock> held) {
        if (i == requests.size()) {
            return CompletableFuture.completedFuture(held);
        }
        LuRanges r = requests.get(i);
        return task.lockAll(r.lu(), r.ranges()).thenCompose(l -> {
            held.add(l);
            return lockAll(task, requests, i + 1, held);
        });
    }
}
