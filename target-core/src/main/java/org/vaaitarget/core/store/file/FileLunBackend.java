package org.vaaitarget.core.store.file;

import java.io.IOException;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.config.LunBackend;
import org.vaaitarget.core.lu.LunIdentity;
import org.vaaitarget.core.lu.LunIdentityStore;
import org.vaaitarget.core.lu.LunLimits;
import org.vaaitarget.core.lu.lock.StripedRangeLockManager;
import org.vaaitarget.core.sbc.sanitize.SanitizeSettings;
import org.vaaitarget.core.sbc.sanitize.Sanitizer;
import org.vaaitarget.core.lu.pr.PrStateFile;
import org.vaaitarget.core.lu.pr.ReservationState;

/**
 * File-backed LUNs (the default): the store (read-only when configured so), its identity, APTPL state and SANITIZE
 * marker kept beside the file; an interrupted sanitize is resumed at open.
 */
public final class FileLunBackend implements LunBackend {
    public static final FileLunBackend INSTANCE = new FileLunBackend();

    private FileLunBackend() {
    }

    /**
     * @throws IllegalArgumentException when a missing file would be created with a size that is not a positive
     *                                  multiple of the block size, or the product id is not valid
     */
    @Override
    public LogicalUnit open(int number, LunConfig config) throws IOException {
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

    @Override
    public String describe(LunConfig config) {
        return String.valueOf(config.file());
    }

    @Override
    public Object identityKey(LunConfig config) {
        return config.file().toAbsolutePath().normalize();
    }
}
