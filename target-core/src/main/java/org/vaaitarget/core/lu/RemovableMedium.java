package org.vaaitarget.core.lu;

import java.util.HashSet;
import java.util.Set;
import org.vaaitarget.core.scsi.ItNexus;

/**
 * The medium state of one LU: whether it is removable (INQUIRY RMB), whether the "medium" is loaded,
 * and which I_T nexuses prevent its removal. Thread-safe: every method is atomic, so a PREVENT racing
 * an eject either takes effect before the eject (which then fails) or after it.
 *
 * <p>SBC-4 5.15 / SPC-5 6.16 (PREVENT ALLOW MEDIUM REMOVAL): a prevention belongs to the I_T nexus that
 * requested it; the medium stays locked while any nexus prevents removal. Preventions end on ALLOW from
 * that nexus, on its I_T nexus loss, and on a logical unit reset or hard reset ({@link #reset()}).
 *
 * <p>A fixed medium ({@link #fixed()}) is always loaded and never locked: every mutator is a no-op, so
 * a non-removable LU behaves exactly as if this class did not exist.
 */
public final class RemovableMedium {
    private final boolean removable;
    private final Set<ItNexus> preventing = new HashSet<>();
    private boolean loaded = true;

    private RemovableMedium(boolean removable) {
        this.removable = removable;
    }

    /** A removable medium, initially loaded and not prevented. */
    public static RemovableMedium removable() {
        return new RemovableMedium(true);
    }

    /** A non-removable medium: always present, preventions ignored. */
    public static RemovableMedium fixed() {
        return new RemovableMedium(false);
    }

    /** INQUIRY RMB: the medium can be removed. */
    public boolean isRemovable() {
        return removable;
    }

    /** Whether a medium is loaded (always true for a fixed medium). */
    public synchronized boolean isPresent() {
        return loaded;
    }

    /** Whether any I_T nexus prevents medium removal. */
    public synchronized boolean isPrevented() {
        return !preventing.isEmpty();
    }

    /** The I_T nexuses that prevent medium removal now (a copy). */
    public synchronized Set<ItNexus> preventers() {
        return Set.copyOf(preventing);
    }

    /** PREVENT 01b from {@code nexus}. */
    public synchronized void prevent(ItNexus nexus) {
        if (removable) {
            preventing.add(nexus);
        }
    }

    /** PREVENT 00b from {@code nexus}: ends that nexus's prevention only. */
    public synchronized void allow(ItNexus nexus) {
        preventing.remove(nexus);
    }

    /**
     * Loads ({@code load} true) or ejects the medium (START STOP UNIT with LOEJ=1).
     *
     * @return false, changing nothing, when removal is prevented; true otherwise (loading a loaded medium
     *         or ejecting an ejected one succeeds and changes nothing)
     * @throws IllegalStateException on a fixed medium (the caller answers INVALID FIELD IN CDB first)
     */
    public synchronized boolean loadOrEject(boolean load) {
        if (!removable) {
            throw new IllegalStateException("the medium is not removable");
        }
        if (!preventing.isEmpty()) {
            return false;
        }
        loaded = load;
        return true;
    }

    /** I_T nexus loss: the nexus's prevention ends (SPC-5 6.16). */
    public synchronized void nexusLost(ItNexus nexus) {
        preventing.remove(nexus);
    }

    /** Logical unit reset or hard reset: every prevention ends; the medium stays as it is. */
    public synchronized void reset() {
        preventing.clear();
    }
}
