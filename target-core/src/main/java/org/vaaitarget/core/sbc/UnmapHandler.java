package org.vaaitarget.core.sbc;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.dispatch.AbstractCommandHandler;
import org.vaaitarget.core.dispatch.Prepared;
import org.vaaitarget.core.dispatch.RangeCommandHandler;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.lu.LunLimits;
import org.vaaitarget.core.lu.lock.LockMode;
import org.vaaitarget.core.lu.lock.LockRange;
import org.vaaitarget.core.lu.lock.RangeLock;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.sense.SenseData;
import org.vaaitarget.core.scsi.sense.SenseReason;

/**
 * UNMAP 42h (SBC-4 5.32): ESXi's dead-space reclaim. The parameter list is an 8-byte header (UNMAP DATA
 * LENGTH, UNMAP BLOCK DESCRIPTOR DATA LENGTH) and 16-byte descriptors (LBA, NUMBER OF LOGICAL BLOCKS).
 *
 * <p><b>Validation, all before anything is deallocated.</b> PARAMETER LIST LENGTH 0: nothing to do, GOOD
 * (SBC-4 5.32.1). A list (or the Data-Out actually received) shorter than the 8-byte header, or a header
 * announcing more descriptor bytes than the list holds: PARAMETER LIST LENGTH ERROR. A trailing partial
 * descriptor is ignored (SBC-4 5.32.2: the descriptor data length "should" be a multiple of 16). More
 * descriptors than MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT, or more blocks in total than MAXIMUM UNMAP LBA COUNT:
 * INVALID FIELD IN PARAMETER LIST, pointing at the offending field. A descriptor beyond the medium: LBA OUT OF
 * RANGE (a zero-block descriptor at the capacity itself is fine; libiscsi Unmap.ZeroBlocks). ANCHOR=1:
 * INVALID FIELD IN CDB (ANC_SUP=0). A store that cannot deallocate: INVALID COMMAND OPERATION CODE (LBPU
 * and LBPME are then 0).
 *
 * <p><b>Locks.</b> Overlapping and adjacent descriptors are merged, then prepare asks for all merged ranges
 * EXCLUSIVE and the dispatcher takes them as ONE request ({@code Task.lockAll}, the rule of
 * {@code RangeLockManager}, in LBA order): it only waits
 * for requests that arrived before it, so no cycle can form with other tasks (one lock request per
 * range deadlocked with an EXTENDED COPY or another UNMAP that came in between two of them). The ranges
 * are then deallocated one after the other through {@code BlockStore.unmap} (hole punching on file stores).
 */
public final class UnmapHandler extends AbstractCommandHandler implements RangeCommandHandler<UnmapHandler.Unmap> {
    private static final int ANCHOR = 0x01;
    private static final int HEADER = 8;
    private static final int DESCRIPTOR = 16;

    /** One range to deallocate. */
    record Range(long lba, long blocks) {
        long end() {
            return lba + blocks;
        }
    }

    /** A checked UNMAP: the merged ranges to deallocate, and the PARAMETER LIST LENGTH its GOOD reports. */
    record Unmap(List<Range> ranges, int listLength) {
    }

    /** Reads the command's Data-Out buffer; never releases it (the dispatcher does). */
    @Override
    public Prepared<Unmap> prepare(Task task) {
        byte[] cdb = task.cdb();
        LogicalUnit lu = task.lu();
        if (!lu.store().capabilities().unmapSupported()) {
            return Prepared.done(task.check(SenseReason.INVALID_COMMAND_OPERATION_CODE));
        }
        if ((cdb[1] & ANCHOR) != 0) {
            return Prepared.done(task.invalidCdbField(1, 0));
        }
        int listLength = (int) Cdbs.be(cdb, 7, 2);
        if (listLength == 0) {
            return Prepared.done(CommandResult.good(0));
        }
        int available = (int) Math.min(listLength, task.command().dataOutLength());
        if (available < HEADER) {
            return Prepared.done(task.check(SenseReason.PARAMETER_LIST_LENGTH_ERROR));
        }
        ByteBuf list = task.command().dataOut();
        int base = list.readerIndex();
        int descriptorBytes = list.getUnsignedShort(base + 2);
        if (descriptorBytes > available - HEADER) {
            return Prepared.done(task.check(SenseReason.PARAMETER_LIST_LENGTH_ERROR));
        }
        int count = descriptorBytes / DESCRIPTOR;
        LunLimits limits = lu.limits();
        if (count > limits.maxUnmapDescriptors()) {
            return Prepared.done(paramError(task, 2));
        }
        List<Range> ranges = new ArrayList<>(count);
        long total = 0;
        for (int i = 0; i < count; i++) {
            int at = HEADER + i * DESCRIPTOR;
            long lba = list.getLong(base + at);
            long blocks = list.getUnsignedInt(base + at + 8);
            if (!Cdbs.inRange(lu, lba, blocks)) {
                return Prepared.done(task.check(SenseReason.LBA_OUT_OF_RANGE));
            }
            total += blocks;
            if (total > limits.maxUnmapLbaCount()) {
                return Prepared.done(paramError(task, at + 8));
            }
            if (blocks > 0) {
                ranges.add(new Range(lba, blocks));
            }
        }
        List<Range> merged = merge(ranges);
        if (merged.isEmpty()) {
            return Prepared.done(CommandResult.good(listLength));
        }
        List<LockRange> lockRanges = new ArrayList<>(merged.size());
        for (Range r : merged) {
            lockRanges.add(new LockRange(r.lba(), r.blocks(), LockMode.EXCLUSIVE));
        }
        return Prepared.locking(new Unmap(merged, listLength), lockRanges);
    }

    /** Runs holding every merged range (one lock request, taken by the dispatcher). */
    @Override
    public CompletionStage<CommandResult> execute(Task task, Unmap unmap, RangeLock lock) {
        LogicalUnit lu = task.lu();
        // WCE=0: the holes must be durable before GOOD (SBC-4 4.15), so flush after punching them.
        boolean durable = !lu.mode().writeCacheEnabled();
        return unmapAll(task, unmap.ranges())
                .thenCompose(v -> durable ? lu.store().flush() : CompletableFuture.<Void>completedFuture(null))
                .thenApply(v -> CommandResult.good(unmap.listLength()));
    }

    private static CompletableFuture<Void> unmapAll(Task task, List<Range> ranges) {
        LogicalUnit lu = task.lu();
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (Range r : ranges) {
            chain = chain.thenCompose(v -> lu.store().unmap(r.lba(), r.blocks()))
                    .thenRun(() -> {
                        lu.writerHistory().recordWrite(r.lba(), r.blocks(), task.nexus(), "UNMAP");
                        lu.observer().unmapBlocks(r.blocks());
                    });
        }
        return chain;
    }

    /** Sorted, with overlapping and adjacent ranges joined. */
    static List<Range> merge(List<Range> ranges) {
        List<Range> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparingLong(Range::lba));
        List<Range> out = new ArrayList<>(sorted.size());
        for (Range r : sorted) {
            Range last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && r.lba() <= last.end()) {
                out.set(out.size() - 1, new Range(last.lba(), Math.max(last.end(), r.end()) - last.lba()));
            } else {
                out.add(r);
            }
        }
        return out;
    }

    /** INVALID FIELD IN PARAMETER LIST with a field pointer to byte {@code offset} of the list. */
    private static CommandResult paramError(Task task, int offset) {
        return task.check(SenseData.withFieldPointer(SenseReason.INVALID_FIELD_IN_PARAMETER_LIST, false, offset, -1));
    }
}
