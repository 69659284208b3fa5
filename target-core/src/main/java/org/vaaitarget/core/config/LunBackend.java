package org.vaaitarget.core.config;

import java.io.IOException;
import org.vaaitarget.core.lu.LogicalUnit;

/**
 * Where a LUN's blocks, identity and reservation state live, and how to open them: the store factory.
 * {@code core.assembly.LogicalUnits#open} asks the configuration's backend and never names a concrete store
 * otherwise; a file ({@code core.store.file.FileLunBackend}, which the composition root supplies when the
 * configuration names none) is the default, a Ceph RBD image ({@code core.store.rbd.RbdLocation}) another.
 */
public interface LunBackend {

    /**
     * Opens (creating when the configuration says how) the LUN.
     *
     * @param number the LUN number within its target
     * @throws IOException when the backing cannot be opened; the message names it
     */
    LogicalUnit open(int number, LunConfig config) throws IOException;

    /** What the operator configured, for messages: the file name, {@code rbd:pool/image}, ... */
    String describe(LunConfig config);

    /**
     * A key identifying the backing medium, equal for two configurations that name the same medium (so that one
     * server does not open it twice).
     */
    Object identityKey(LunConfig config);
}
