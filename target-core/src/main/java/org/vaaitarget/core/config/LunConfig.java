package org.vaaitarget.core.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How to open one file-backed LUN.
 *
 * @param file        the backing file
 * @param sizeBytes   size to create the file with when it does not exist (sparse); an existing file
 *                    is used at its own size. Must be a multiple of blockSize.
 * @param blockSize   logical block size, 512 or 4096
 * @param writeCache  WRITE_BACK: GOOD from the page cache, WCE=1; FUA and SYNCHRONIZE CACHE force to disk;
 *                    WRITE_THROUGH (the server's default): every change of the medium is durable before
 *                    GOOD (group commit: one fdatasync per batch), WCE=0
 * @param productId   PRODUCT IDENTIFICATION (same on every LUN; ESXi needs that for cross-LUN XCOPY)
 * @param softThresholdPercent thin-provisioning soft threshold: when the file's allocated space reaches
 *                    this percentage of the LUN's size, every I_T nexus gets one UNIT ATTENTION THIN
 *                    PROVISIONING SOFT THRESHOLD REACHED; 0 (the default) disables it; 1..100
 * @param removable   report a removable medium (INQUIRY RMB=1) that can be ejected, loaded and locked;
 *                    false (the default) for a fixed disk, which is what ESXi expects
 */
public record LunConfig(Path file, long sizeBytes, int blockSize, WriteCacheMode writeCache, String productId,
                        int softThresholdPercent, boolean removable) {

    /** A fixed (non-removable) LUN. */
    public LunConfig(Path file, long sizeBytes, int blockSize, WriteCacheMode writeCache, String productId,
                     int softThresholdPercent) {
        this(file, sizeBytes, blockSize, writeCache, productId, softThresholdPercent, false);
    }

    /** A LUN without a soft threshold. */
    public LunConfig(Path file, long sizeBytes, int blockSize, WriteCacheMode writeCache, String productId) {
        this(file, sizeBytes, blockSize, writeCache, productId, 0);
    }

    public enum WriteCacheMode {
        WRITE_BACK,
        WRITE_THROUGH
    }

    public LunConfig {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(writeCache, "writeCache");
        if (blockSize != 512 && blockSize != 4096) {
            throw new IllegalArgumentException("block size must be 512 or 4096, not " + blockSize);
        }
        if (softThresholdPercent < 0 || softThresholdPercent > 100) {
            throw new IllegalArgumentException("soft threshold must be 0 (off) to 100 percent, not " + softThresholdPercent);
        }
    }
}
