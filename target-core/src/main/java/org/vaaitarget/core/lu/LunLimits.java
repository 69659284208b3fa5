package org.vaaitarget.core.lu;

/**
 * Per-LU limits: the handlers enforce these and the Block Limits VPD page (B0h) and REPORT SUPPORTED
 * OPERATION CODES advertise exactly these (DESIGN 1.5, "advertise what you enforce").
 *
 * @param maxTransferBlocks         MAXIMUM TRANSFER LENGTH for READ/WRITE/VERIFY (blocks)
 * @param optimalTransferBlocks     OPTIMAL TRANSFER LENGTH (blocks)
 * @param maxCompareAndWriteBlocks  MAXIMUM COMPARE AND WRITE LENGTH (blocks, 1..255)
 * @param maxWriteSameBlocks        MAXIMUM WRITE SAME LENGTH (blocks)
 * @param maxUnmapLbaCount          MAXIMUM UNMAP LBA COUNT
 * @param maxUnmapDescriptors       MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT
 * @param unmapGranularityBlocks    OPTIMAL UNMAP GRANULARITY (blocks)
 */
public record LunLimits(int maxTransferBlocks, int optimalTransferBlocks, int maxCompareAndWriteBlocks,
                        long maxWriteSameBlocks, long maxUnmapLbaCount, int maxUnmapDescriptors,
                        int unmapGranularityBlocks) {

    /** MAXIMUM UNMAP LBA COUNT: libiscsi (Inquiry.BlockLimits) calls anything above 1M blocks, other than
     *  FFFFFFFFh, insane; 1M blocks is 512 MiB (512-byte blocks) or 4 GiB (4 KiB blocks) per command. */
    public static final long DEFAULT_MAX_UNMAP_LBA_COUNT = 1L << 20;

    /**
     * Defaults for a block size: 8 MiB transfers, 255-block COMPARE AND WRITE, 16 MiB WRITE SAME, UNMAP of up
     * to 1M blocks in 256 descriptors, and an OPTIMAL UNMAP GRANULARITY of one 4 KiB physical block: the
     * backing file system frees space in 4 KiB units (hole punching), and VMFS6 automatic UNMAP wants a
     * granularity below 1 MiB (ESXI-NOTES 2.5). MAXIMUM WRITE SAME LENGTH stays below 65536 blocks of 512
     * bytes: libiscsi 1.19 (WriteSame16.Unmap) follows an MWSL of 65536 or more with a 65536-block WRITE(16),
     * which is beyond MAXIMUM TRANSFER LENGTH; below that it checks that such a WRITE SAME is refused.
     */
    public static LunLimits defaults(int blockSize) {
        int mib = (1 << 20) / blockSize;
        int physical = Math.max(1, LogicalUnit.PHYSICAL_BLOCK_SIZE / blockSize);
        return new LunLimits(8 * mib, mib / 4 > 0 ? mib / 4 : 1, 255, 16L * mib, DEFAULT_MAX_UNMAP_LBA_COUNT, 256,
                physical);
    }
}
