package org.vaaitarget.core.sbc;

import org.vaaitarget.core.lu.LogicalUnit;

/** Big-endian CDB field readers and the one overflow-safe LBA range rule. */
final class Cdbs {
    private Cdbs() {
    }

    static int u8(byte[] cdb, int off) {
        return cdb[off] & 0xFF;
    }

    /** Unsigned big-endian field of {@code len} bytes (1..8); an 8-byte value may come back negative. */
    static long be(byte[] cdb, int off, int len) {
        long v = 0;
        for (int i = 0; i < len; i++) {
            v = (v << 8) | (cdb[off + i] & 0xFF);
        }
        return v;
    }

    /**
     * Whether [lba, lba + blocks) lies on the medium. {@code lba} is unsigned (a 16-byte CDB can carry
     * 2^64-1, which arrives here negative); written so that lba + blocks never overflows.
     */
    static boolean inRange(LogicalUnit lu, long lba, long blocks) {
        long count = lu.blockCount();
        return lba >= 0 && blocks >= 0 && lba <= count && blocks <= count - lba;
    }

    /** The protection field, bits 7:5 of CDB byte 1 (RDPROTECT, WRPROTECT, VRPROTECT). */
    static int protectField(byte[] cdb) {
        return (cdb[1] >>> 5) & 0x7;
    }
}
