package org.vaaitarget.core.spc.pr;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.scsi.CommandResult;

/** Big-endian fields and the allocation-length rule (SPC-5 4.2.5.6) for the reservation commands. */
final class PrBytes {
    private PrBytes() {
    }

    static int u16(byte[] b, int off) {
        return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
    }

    static long u32(byte[] b, int off) {
        return ((long) u16(b, off) << 16) | u16(b, off + 2);
    }

    static long u64(byte[] b, int off) {
        return (u32(b, off) << 32) | u32(b, off + 4);
    }

    static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    static void put32(byte[] b, int off, long v) {
        put16(b, off, (int) (v >>> 16));
        put16(b, off + 2, (int) v);
    }

    static void put64(byte[] b, int off, long v) {
        put32(b, off, v >>> 32);
        put32(b, off + 4, v);
    }

    /**
     * GOOD with the first {@code min(data.length, allocationLength)} bytes as Data-In.
     *
     * @return a completed stage; the result's Data-In buffer is owned by whoever takes the result
     */
    static CompletionStage<CommandResult> dataIn(Task task, byte[] data, long allocationLength) {
        int n = (int) Math.min(data.length, allocationLength);
        if (n <= 0) {
            return done(CommandResult.good(0));
        }
        ByteBuf buf = task.alloc().buffer(n, n);
        buf.writeBytes(data, 0, n);
        return done(CommandResult.goodWithData(buf));
    }

    static CompletionStage<CommandResult> done(CommandResult r) {
        return CompletableFuture.completedFuture(r);
    }
}
