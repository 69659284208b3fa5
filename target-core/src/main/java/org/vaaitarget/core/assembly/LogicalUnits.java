package org.vaaitarget.core.assembly;

import java.io.IOException;
import org.vaaitarget.core.config.LunBackend;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.store.file.FileLunBackend;

/**
 * Opens logical units through their configuration's {@link LunBackend} (file, RBD image, ...), the file backend
 * when the configuration names none: the one place that decides which store a LUN configuration opens.
 */
public final class LogicalUnits {
    private LogicalUnits() {
    }

    /**
     * Opens (creating the backing and the identity when missing) the LUN described by {@code config}.
     *
     * @param number the LUN number within its target
     * @throws IOException when the backing cannot be created or opened; the message names it
     * @throws IllegalArgumentException when a missing backing would be created with a size that is not a positive
     *                                  multiple of the block size, or the product id is not valid
     */
    public static LogicalUnit open(int number, LunConfig config) throws IOException {
        LunBackend backend = config.backend() == null ? FileLunBackend.INSTANCE : config.backend();
        return backend.open(number, config);
    }
}
