package org.vaaitarget.core.config;

import java.nio.file.Path;
import java.util.Objects;
import org.vaaitarget.core.store.file.FileLunBackend;

/**
 * How to open one LUN.
 *
 * @param file        the backing file (file LUNs; null for other backends)
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
 * @param readOnly    serve the file write-protected: it is opened read-only (a file the server may not write
 *                    works), MODE SENSE reports WP=1 and every command that would change the medium gets
 *                    DATA PROTECT / WRITE PROTECTED; the file must exist (file LUNs only)
 * @param sanitize    allow SANITIZE (OVERWRITE, BLOCK ERASE, EXIT FAILURE MODE) on this LUN; off by default,
 *                    so that one command cannot wipe a datastore by accident (INVALID COMMAND OPERATION CODE)
 *                    (file LUNs only)
 * @param sanitizeBytesPerSecond the most a SANITIZE OVERWRITE writes per second, so that a sanitize running in
 *                    the background does not take the whole disk from the other LUNs on it; 0 (the default) for
 *                    no limit
 * @param backend     where the LUN lives and how it is opened; null means the file (the composition root,
 *                    {@code core.assembly.LogicalUnits}, opens it with the file backend)
 */
public record LunConfig(Path file, long sizeBytes, int blockSize, WriteCacheMode writeCache, String productId,
                        int softThresholdPercent, boolean removable, boolean readOnly, boolean sanitize,
                        long sanitizeBytesPerSecond, LunBackend backend) {

    /** A file-backed LUN, write-protected or not, with or without SANITIZE. */
    public LunConfig(Path file, long sizeBytes, int blockSize, WriteCacheMode writeCache, String productId,
                     int softThresholdPercent, boolean removable, boolean readOnly, boolean sanitize,
                     long sanitizeBytesPerSecond) {
        this(file, sizeBytes, blockSize, writeCache, productId, softThresholdPercent, removable, readOnly, sanitize,
                sanitizeBytesPerSecond, null);
    }

    /** A writable LUN without SANITIZE on the given backend (null: the file). */
    public LunConfig(Path file, long sizeBytes, int blockSize, WriteCacheMode writeCache, String productId,
                     int softThresholdPercent, boolean removable, LunBackend backend) {
        this(file, sizeBytes, blockSize, writeCache, productId, softThresholdPercent, removable, false, false, 0,
                backend);
    }

    /** A writable file-backed LUN without SANITIZE. */
    public LunConfig(Path file, long sizeBytes, int blockSize, WriteCacheMode writeCache, String productId,
                     int softThresholdPercent, boolean removable) {
        this(file, sizeBytes, blockSize, writeCache, productId, softThresholdPercent, removable, false, false, 0);
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

    /** This LUN, write-protected or not. */
    public LunConfig withReadOnly(boolean value) {
        return new LunConfig(file, sizeBytes, blockSize, writeCache, productId, softThresholdPercent, removable, value,
                sanitize, sanitizeBytesPerSecond, backend);
    }

    /** This LUN, with SANITIZE allowed or not. */
    public LunConfig withSanitize(boolean value) {
        return new LunConfig(file, sizeBytes, blockSize, writeCache, productId, softThresholdPercent, removable, readOnly,
                value, sanitizeBytesPerSecond, backend);
    }

    /** This LUN with a sanitize rate (0: unlimited). */
    public LunConfig withSanitizeBytesPerSecond(long value) {
        return new LunConfig(file, sizeBytes, blockSize, writeCache, productId, softThresholdPercent, removable, readOnly,
                sanitize, value, backend);
    }

    public enum WriteCacheMode {
        WRITE_BACK,
        WRITE_THROUGH
    }

    public LunConfig {
        if (backend == null) {
            Objects.requireNonNull(file, "file");
        }
        Objects.requireNonNull(writeCache, "writeCache");
        if (blockSize != 512 && blockSize != 4096) {
            throw new IllegalArgumentException("block size must be 512 or 4096, not " + blockSize);
        }
        if (sanitizeBytesPerSecond < 0) {
            throw new IllegalArgumentException("sanitize rate must be 0 (unlimited) or positive, not " + sanitizeBytesPerSecond);
        }
        if (softThresholdPercent < 0 || softThresholdPercent > 100) {
            throw new IllegalArgumentException("soft threshold must be 0 (off) to 100 percent, not " + softThresholdPercent);
        }
    }

    /** The same LUN with other sizes, soft threshold and removability (the backend and the rest stay). */
    public LunConfig with(long newSizeBytes, int newSoftThresholdPercent, boolean newRemovable) {
        return new LunConfig(file, newSizeBytes, blockSize, writeCache, productId, newSoftThresholdPercent, newRemovable,
                readOnly, sanitize, sanitizeBytesPerSecond, backend);
    }

    /** What the operator configured, for messages: the file, or {@code rbd:pool/image}. */
    public String describe() {
        return backend == null ? String.valueOf(file) : backend.describe(this);
    }

    /**
     * A key identifying the backing medium, equal for two configurations that name the same medium (so that one
     * server does not open it twice): the file's absolute path, or what the backend says.
     */
    public Object identityKey() {
        return backend == null ? file.toAbsolutePath().normalize() : backend.identityKey(this);
    }
}
