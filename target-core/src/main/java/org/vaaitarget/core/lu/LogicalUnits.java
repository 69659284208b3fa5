package org.vaaitarget.core.lu;

import java.io.IOException;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.core.lu.lock.StripedRangeLockManager;
import org.vaaitarget.core.sbc.sanitize.SanitizeSettings;
import org.vaaitarget.core.sbc.sanitize.Sanitizer;
import org.vaaitarget.core.spc.pr.PrStateFile;
import org.vaaitarget.core.spc.pr.ReservationState;
import org.vaaitarget.core.store.file.FileBlockStore;

/** Opens file-backed logical units: the store, its identity (kept beside the file) and its range locks. */
public final class LogicalUnits {
    private LogicalUnits() {
    }

    /**
     * Opens (creating the sparse file and the identity when missing) the LUN described by {@code config}.
     *
     * @param number the LUN number within its target
     * @throws IOException when the file cannot be created or opened; the message names the file
     * @throws IllegalArgumentException when a missing file would be created with a size that is not a positive
     *                                  multiple of the block size, or the product id is not valid
     */
    public static LogicalUnit open(int number, LunConfig config) throws IOException {
        FileBlockStore store = FileBlockStore.open(config);
        try {
            LunIdentity identity = LunIdentityStore.loadOrCreate(store.path(), config.productId());
            ReservationState reservations = ReservationState.open(PrStateFile.beside(store.path()));
            SanitizeSettings sanitize = new SanitizeSettings(config.sanitize(), Sanitizer.markerBeside(store.path()),
                    config.sanitizeBytesPerSecond());
            LogicalUnit lu = new LogicalUnit(number, store, LunLimits.defaults(config.blockSize()), identity,
                    new StripedRangeLockManager(), reservations, config.softThresholdPercent(), config.removable(), sanitize);
            lu.sanitizer().resumeIfInterrupted();
            return lu;
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }
}
