package org.vaaitarget.core.sbc;

/**
 * Where the LBA and the length live in the READ/WRITE/VERIFY family of CDBs (SBC-4 5.x tables), and
 * the decoded values. One table instead of a switch per handler.
 *
 * @param cdbLength  6, 10, 12 or 16
 * @param lbaOffset  first byte of the LBA field
 * @param lbaLength  its length in bytes
 * @param lenOffset  first byte of the TRANSFER/VERIFICATION LENGTH field
 * @param lenLength  its length in bytes
 */
record BlockCdb(int cdbLength, int lbaOffset, int lbaLength, int lenOffset, int lenLength) {

    static final BlockCdb SIX = new BlockCdb(6, 1, 3, 4, 1);
    static final BlockCdb TEN = new BlockCdb(10, 2, 4, 7, 2);
    static final BlockCdb TWELVE = new BlockCdb(12, 2, 4, 6, 4);
    static final BlockCdb SIXTEEN = new BlockCdb(16, 2, 8, 10, 4);
    /** COMPARE AND WRITE (SBC-4 5.3): a one-byte NUMBER OF LOGICAL BLOCKS in byte 13. */
    static final BlockCdb COMPARE_AND_WRITE = new BlockCdb(16, 2, 8, 13, 1);
    /** WRITE ATOMIC(16) (SBC-4 5.48): ATOMIC BOUNDARY in bytes 10-11, TRANSFER LENGTH in bytes 12-13. */
    static final BlockCdb WRITE_ATOMIC = new BlockCdb(16, 2, 8, 12, 2);

    /** The layout for a CDB of this length. */
    static BlockCdb forLength(int length) {
        return switch (length) {
            case 6 -> SIX;
            case 10 -> TEN;
            case 12 -> TWELVE;
            case 16 -> SIXTEEN;
            default -> throw new IllegalArgumentException("no block CDB of length " + length);
        };
    }

    /**
     * The layout for this CDB's opcode (its group code gives the length). The dispatcher's gate already
     * answered a CDB shorter than its command (ExecutionGates step 4), so every field is there.
     */
    static BlockCdb of(byte[] cdb) {
        return forLength(SbcHandlers.cdbLengthOf(cdb[0] & 0xFF));
    }

    /** The LBA (unsigned; a 16-byte CDB's 2^63 and above come back negative). */
    long lba(byte[] cdb) {
        if (this == SIX) {
            // SBC-4 5.15 READ(6): a 21-bit LBA in byte 1 bits 4:0 and bytes 2-3.
            return Cdbs.be(cdb, 1, 3) & 0x1F_FFFFL;
        }
        return Cdbs.be(cdb, lbaOffset, lbaLength);
    }

    /** The block count; in 6-byte CDBs 0 means 256 (SBC-4 5.15 / 5.46). */
    long blocks(byte[] cdb) {
        long n = Cdbs.be(cdb, lenOffset, lenLength);
        return this == SIX && n == 0 ? 256 : n;
    }
}
