package org.vaaitarget.core.testkit;

import org.vaaitarget.core.scsi.ScsiStatus;

/** A task's result with its Data-In copied out (the buffer itself is already released). */
public record Reply(ScsiStatus status, byte[] sense, byte[] data, long transferLength, boolean aborted) {

    /** Sense key, from fixed (70h) or descriptor (72h) format. */
    public int senseKey() {
        return (sense[0] & 0x7F) == 0x72 ? sense[1] & 0x0F : sense[2] & 0x0F;
    }

    public int asc() {
        return (sense[0] & 0x7F) == 0x72 ? sense[2] & 0xFF : sense[12] & 0xFF;
    }

    public int ascq() {
        return (sense[0] & 0x7F) == 0x72 ? sense[3] & 0xFF : sense[13] & 0xFF;
    }

    public int u8(int off) {
        return data[off] & 0xFF;
    }

    public int u16(int off) {
        return (u8(off) << 8) | u8(off + 1);
    }

    public long u32(int off) {
        return ((long) u16(off) << 16) | u16(off + 2);
    }

    public long u64(int off) {
        return (u32(off) << 32) | u32(off + 4);
    }
}
