package org.vaaitarget.server.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.core.config.LunConfig.WriteCacheMode;

/** Builds and checks one {@link LunConfig} from what the operator wrote (flag or YAML). */
final class LunConfigs {
    private static final int MAX_PRODUCT_ID = 16;

    /**
     * The write cache of a LUN that names none: "through" (WCE=0), because ESXi treats GOOD as stable and
     * never sends SYNCHRONIZE CACHE; durable by default costs one fdatasync per batch of writes (group commit).
     */
    static final String DEFAULT_WRITE_CACHE = "through";

    private LunConfigs() {
    }

    /**
     * @param file      backing file
     * @param sizeText  size to create it with, or null (the file must then exist)
     * @param blockSize 512 or 4096
     * @param writeCache "back" or "through"
     * @param productId PRODUCT IDENTIFICATION, 1-16 printable ASCII characters
     * @throws ConfigException with a message relative to the LUN (the caller prefixes where)
     */
    static LunConfig build(Path file, String sizeText, int blockSize, String writeCache, String productId)
            throws ConfigException {
        if (blockSize != 512 && blockSize != 4096) {
            throw new ConfigException("blockSize", "block size " + blockSize + " is not supported; use 512 or 4096");
        }
        WriteCacheMode mode = writeCacheMode(writeCache);
        checkProductId(productId);
        long requested = 0;
        if (sizeText != null) { // a bad size is an error even for an existing file
            try {
                requested = Sizes.parse(sizeText);
            } catch (ConfigException e) {
                throw new ConfigException("size", e.getMessage());
            }
        }
        long size;
        if (Files.exists(file)) {
            if (!Files.isRegularFile(file)) {
                throw new ConfigException("file", "'" + file + "' is not a regular file");
            }
            try {
                size = Files.size(file);
            } catch (IOException e) {
                throw new ConfigException("file", "cannot read the size of '" + file + "': " + e.getMessage());
            }
            if (size == 0 || size % blockSize != 0) {
                throw new ConfigException("file", "existing file '" + file + "' is " + size + " bytes, not a positive multiple of the "
                        + blockSize + "-byte block size; resize it (truncate -s) or use another file");
            }
        } else {
            if (sizeText == null) {
                throw new ConfigException("file", "file '" + file + "' does not exist; give a size to create it (--lun FILE:10G, or size: 10G in the config)");
            }
            size = requested;
            if (size % blockSize != 0) {
                throw new ConfigException("size", "size '" + sizeText + "' (" + size + " bytes) is not a multiple of the "
                        + blockSize + "-byte block size");
            }
            if (file.getParent() != null && Files.exists(file.getParent()) && !Files.isDirectory(file.getParent())) {
                throw new ConfigException("file", "'" + file.getParent() + "' is not a directory");
            }
        }
        return new LunConfig(file, size, blockSize, mode, productId);
    }

    /**
     * The LUN with its thin-provisioning soft threshold (YAML {@code softThresholdPercent}).
     *
     * @param percent null (not given: no threshold), or 0 (off) to 100
     */
    static LunConfig withSoftThreshold(LunConfig lun, Integer percent) throws ConfigException {
        if (percent == null) {
            return lun;
        }
        if (percent < 0 || percent > 100) {
            throw new ConfigException("softThresholdPercent", "soft threshold " + percent
                    + " is out of range; use 1 to 100 percent of the LUN size, or 0 for none");
        }
        return lun.with(lun.sizeBytes(), percent, lun.removable());
    }

    /**
     * The LUN with a removable medium (YAML {@code removable}): INQUIRY RMB=1, START STOP UNIT ejects and
     * loads, PREVENT ALLOW MEDIUM REMOVAL locks. Off by default: ESXi expects fixed disks.
     *
     * @param removable null (not given) or false: a fixed disk
     */
    static LunConfig withRemovable(LunConfig lun, Boolean removable) {
        if (removable == null || removable == lun.removable()) {
            return lun;
        }
        return lun.with(lun.sizeBytes(), lun.softThresholdPercent(), removable);
    }

    /**
     * The LUN write-protected (YAML {@code readOnly}, flag {@code --lun FILE:ro}): the file must exist, since a
     * new one would only ever read zeros.
     *
     * @param readOnly null (not given) or false: writable
     */
    static LunConfig withReadOnly(LunConfig lun, Boolean readOnly) throws ConfigException {
        if (readOnly == null || !readOnly) {
            return lun;
        }
        if (!Files.exists(lun.file())) {
            throw new ConfigException("readOnly", "file '" + lun.file() + "' does not exist; a read-only LUN serves an "
                    + "existing file (create it first, or drop readOnly)");
        }
        return lun.withReadOnly(true);
    }

    /**
     * The LUN with SANITIZE allowed (YAML {@code sanitize}): OVERWRITE and BLOCK ERASE wipe the whole LUN, so
     * only LUNs that say so accept the command.
     *
     * @param sanitize null (not given) or false: SANITIZE is refused as an unknown command
     * @param rate     null (no limit) or the most OVERWRITE writes per second, a size like 64M
     */
    static LunConfig withSanitize(LunConfig lun, Boolean sanitize, String rate) throws ConfigException {
        LunConfig out = sanitize == null ? lun : lun.withSanitize(sanitize);
        if (rate == null) {
            return out;
        }
        try {
            return out.withSanitizeBytesPerSecond(Sizes.parse(rate));
        } catch (ConfigException e) {
            throw new ConfigException("sanitizeRate", e.getMessage() + " (bytes per second)");
        }
    }

    static WriteCacheMode writeCacheMode(String text) throws ConfigException {
        switch (text == null ? "" : text.toLowerCase(Locale.ROOT)) {
            case "back":
                return WriteCacheMode.WRITE_BACK;
            case "through":
                return WriteCacheMode.WRITE_THROUGH;
            default:
                throw new ConfigException("writeCache", "write cache '" + text + "' is not 'back' or 'through'");
        }
    }

    static void checkProductId(String productId) throws ConfigException {
        if (productId == null || productId.isEmpty() || productId.length() > MAX_PRODUCT_ID
                || !productId.chars().allMatch(c -> c >= 0x20 && c <= 0x7E)) {
            throw new ConfigException("productId", "product id '" + productId + "' must be 1 to 16 printable ASCII characters (SPC-5 6.7.2)");
        }
    }
}
