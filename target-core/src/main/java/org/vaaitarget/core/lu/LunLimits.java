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

    /** Defaults for a block size: 8 MiB transfers, 255-block COMPARE AND WRITE, 1 MiB unmap granularity. */
    public static LunLimits defaults(int blockSize) {
        int mib = (1 << 20) / blockSize;
        return new LunLimits(8 * mib, mib / 4 > 0 ? mib / 4 : 1, 255, 64L * mib, 1L << 22, 256, Math.max(1, mib));
    }
}
