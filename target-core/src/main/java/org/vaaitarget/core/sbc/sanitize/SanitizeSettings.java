package org.vaaitarget.core.sbc.sanitize;

import java.nio.file.Path;

/**
 * How an LU handles SANITIZE.
 *
 * @param allowed        LUN option {@code sanitize}: otherwise SANITIZE is an unknown command on it
 * @param marker         where an operation in progress is recorded for power loss, or null (no persistence)
 * @param bytesPerSecond OVERWRITE rate limit, 0 for none
 */
public record SanitizeSettings(boolean allowed, Path marker, long bytesPerSecond) {
    /** SANITIZE refused. */
    public static final SanitizeSettings NONE = new SanitizeSettings(false, null, 0);
}
