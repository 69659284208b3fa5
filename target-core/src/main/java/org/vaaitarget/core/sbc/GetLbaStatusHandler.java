package org.vaaitarget.core.sbc;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.dispatch.AbstractCommandHandler;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.store.AllocationExtent;

/**
 * GET LBA STATUS = SERVICE ACTION IN(16) 9Eh/12h (SBC-4 5.22), from the store's real allocation
 * ({@code BlockStore.allocationAt}: SEEK_DATA/SEEK_HOLE on file stores).
 *
 * <p>Parameter data (SBC-4 5.22.2): PARAMETER DATA LENGTH (4 bytes, = total length - 4), 4 reserved bytes,
 * then 16-byte LBA status descriptors: LBA (8), NUMBER OF LOGICAL BLOCKS (4), PROVISIONING STATUS (byte 12,
 * 0h mapped, 1h deallocated), 3 reserved. The first descriptor starts at the requested LBA; consecutive
 * descriptors follow until the allocation length is filled, the medium ends, or {@link #MAX_DESCRIPTORS}.
 * A starting LBA beyond the last block: LBA OUT OF RANGE. ALLOCATION LENGTH 0: GOOD without data
 * (SPC-5 4.2.5.6). No range lock: the answer is a snapshot, as SBC-4 allows.
 */
public final class GetLbaStatusHandler extends AbstractCommandHandler {
    /** Bounds the work of one command (each descriptor costs a store query). */
    static final int MAX_DESCRIPTORS = 64;
    private static final int HEADER = 8;
    private static final int DESCRIPTOR = 16;
    private static final long MAX_DESCRIPTOR_BLOCKS = 0xFFFF_FFFFL;

    /** @return GOOD with a Data-In buffer the receiver releases, or CHECK CONDITION */
    @Override
    public CompletionStage<CommandResult> execute(Task task) {
        byte[] cdb = task.cdb();
        LogicalUnit lu = task.lu();
        long lba = Cdbs.be(cdb, 2, 8);
        long alloc = Cdbs.be(cdb, 10, 4);
        if (lba < 0 || lba >= lu.blockCount()) {
            return SbcHandlers.done(task.check(SenseReason.LBA_OUT_OF_RANGE));
        }
        if (alloc == 0) {
            return SbcHandlers.done(CommandResult.good(0));
        }
        int wanted = (int) Math.max(1, Math.min(MAX_DESCRIPTORS, (alloc - HEADER + DESCRIPTOR - 1) / DESCRIPTOR));
        List<AllocationExtent> extents = new ArrayList<>(wanted);
        return collect(lu, lba, wanted, extents).thenApply(v -> respond(task, extents, alloc));
    }

    /** Queries extents one after the other from {@code lba} until {@code wanted} or the end of the medium. */
    private static CompletableFuture<Void> collect(LogicalUnit lu, long lba, int wanted, List<AllocationExtent> out) {
        return lu.store().allocationAt(lba).thenCompose(e -> {
            long blocks = Math.min(e.blocks(), MAX_DESCRIPTOR_BLOCKS);
            out.add(new AllocationExtent(lba, blocks, e.mapped()));
            long next = lba + blocks;
            if (out.size() >= wanted || next >= lu.blockCount()) {
                return CompletableFuture.completedFuture(null);
            }
            return collect(lu, next, wanted, out);
        });
    }

    private static CommandResult respond(Task task, List<AllocationExtent> extents, long alloc) {
        int length = HEADER + DESCRIPTOR * extents.size();
        ByteBuf out = task.alloc().buffer(length, length);
        out.writeInt(length - 4);                      // PARAMETER DATA LENGTH
        out.writeInt(0);                               // reserved
        for (AllocationExtent e : extents) {
            out.writeLong(e.lba());
            out.writeInt((int) e.blocks());
            out.writeByte(e.mapped() ? 0x0 : 0x1);     // PROVISIONING STATUS: mapped / deallocated
            out.writeZero(3);
        }
        out.writerIndex((int) Math.min(alloc, length)); // allocation length truncation (SPC-5 4.2.5.6)
        return CommandResult.goodWithData(out);
    }
}
