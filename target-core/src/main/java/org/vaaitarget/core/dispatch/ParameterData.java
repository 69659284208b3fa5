package org.vaaitarget.core.dispatch;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.scsi.CommandResult;

/** Big-endian field access and the one allocation-length rule (SPC-5 4.2.5.6) for the command handlers. */
public final class ParameterData {
    private ParameterData() {
    }

    public static int u8(byte[] b, int off) {
        return b[off] & 0xFF;
    }

    public static int u16(byte[] b, int off) {
        return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
    }

    public static long u32(byte[] b, int off) {
        return ((long) u16(b, off) << 16) | u16(b, off + 2);
    }

    public static long u64(byte[] b, int off) {
        return (u32(b, off) << 32) | u32(b, off + 4);
    }

    public static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    public static void put24(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 16);
        put16(b, off + 1, v);
    }

    public static void put32(byte[] b, int off, long v) {
        put16(b, off, (int) (v >>> 16));
        put16(b, off + 2, (int) v);
    }

    public static void put64(byte[] b, int off, long v) {
        put32(b, off, v >>> 32);
        put32(b, off + 4, v);
    }

    /** {@code s} as ASCII, left-aligned and padded with spaces to {@code len} bytes (SPC-5 4.3.1). */
    public static void putAscii(byte[] b, int off, int len, String s) {
        byte[] src = s == null ? new byte[0] : s.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < len; i++) {
            b[off + i] = i < src.length ? src[i] : (byte) ' ';
        }
    }

    /**
     * GOOD with the first {@code min(data.length, allocationLength)} bytes as Data-In: the device server
     * returns what fits and is not an error (SPC-5 4.2.5.6).
     *
     * @return a completed stage; the result's Data-In buffer (allocated from the task's allocator) is
     *         owned by whoever takes the result
     */
    public static CompletionStage<CommandResult> dataIn(Task task, byte[] data, long allocationLength) {
        int n = (int) Math.min(data.length, allocationLength);
        if (n <= 0) {
            return done(CommandResult.good(0));
        }
        ByteBuf buf = task.alloc().buffer(n, n);
        buf.writeBytes(data, 0, n);
        return done(CommandResult.goodWithData(buf));
    }

    public static CompletionStage<CommandResult> done(CommandResult r) {
        return CompletableFuture.completedFuture(r);
    }
}
