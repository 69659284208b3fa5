package org.vaaitarget.core.lu;

import java.io.IOException;
import org.vaaitarget.core.config.LunConfig;

/** Opens file-backed logical units: the store, its identity (kept beside the file) and its range locks. */
public final class LogicalUnits {
    private LogicalUnits() {
    }

    /**
     * Opens (creating the sparse file and the identity when missing) the LUN described by {@code config}.
     *
     * @param number the LUN number within its target
     * @throws IOException when the file cannot be created or opened; the message names the file
     */
    public static LogicalUnit open(int number, LunConfig config) throws IOException {
        throw new UnsupportedOperationException("TODO: store helper");
    }
}
