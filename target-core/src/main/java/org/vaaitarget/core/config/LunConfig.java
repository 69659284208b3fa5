package org.vaaitarget.core.config;

import java.nio.file.Path;
import java.util.Objects;
import org.vaaitarget.core.lu.LunBackend;
import org.vaaitarget.core.store.file.FileLunBackend;

/**
 * How to open one LUN.
 *
 * @param file        the backing file (file LUNs; null for other backends)
 * @param sizeBytes   size to create the file with when it does not exist (sparse); an existing file
 *                    is used at its own size. Must be a multiple of blockSize.
 * @param blockSize   logical block size, 512 or 4096
 * @param writeCache  WRITE_BACK: buffered writes, WCE=1, FUA and SYNCHRONIZE CACHE force to disk;
 *                    WRITE_THROUGH: every write is durable before GOOD (O_DSYNC), WCE=0
 * @param productId   PRODUCT IDENTIFICATION (same on every LUN; ESXi needs that for cross-LUN XCOPY)
 * @param softThresholdPercent thin-provisioning soft threshold: when the file's allocated space reaches
 *                    this percentage of the LUN's size, every I_T nexus gets one UNIT ATTENTION THIN
 *                    PROVISIONING SOFT THRESHOLD REACHED; 0 (the default) disables it; 1..100
 * @param removable   report a removable medium (INQUIRY RMB=1) that can be ejected, loaded and locked;
 *                    false (the default) for a fixed disk, which is what ESXi expects
 * @param backend     where the LUN lives and how it is opened; null means the file
 */
public record LunConfig(Path file, long sizeBytes, int blockSize, WriteCacheMode writeCache, String productId,
                        int softThresholdPercent, boolean removable, LunBackend backend) {

    /** A file-backed LUN. */
    public LunConfig(Path file, long sizeBytes, int blockSize, WriteCacheMode writeCache, String productId,
                     int softThresholdPercent, boolean removable) {
        this(file, sizeBytes, blockSize, writeCache, productId, softThresholdPercent, removable, null);
    }

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
        if (backend == null) {
            backend = FileLunBackend.INSTANCE;
            Objects.requireNonNull(file, "file");
        }
        Objects.requireNonNull(writeCache, "writeCache");
        if (blockSize != 512 && blockSize != 4096) {
            throw new IllegalArgumentException("block size must be 512 or 4096, not " + blockSize);
        }
        if (softThresholdPercent < 0 || softThresholdPercent > 100) {
            throw new IllegalArgumentException("soft threshold must be 0 (off) to 100 percent, not " + softThresholdPercent);
        }
    }

    /** The same LUN with other sizes, soft threshold and removability (the backend stays). */
    public LunConfig with(long newSizeBytes, int newSoftThresholdPercent, boolean newRemovable) {
        return new LunConfig(file, newSizeBytes, blockSize, writeCache, productId, newSoftThresholdPercent, newRemovable,
                backend);
    }

    /** What the operator configured, for messages: the file, or {@code rbd:pool/image}. */
    public String describe() {
        return backend.describe(this);
    }
}
