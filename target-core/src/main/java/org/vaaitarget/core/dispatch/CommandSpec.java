package org.vaaitarget.core.dispatch;

import java.util.Objects;
import java.util.Set;

/**
 * One supported command: what REPORT SUPPORTED OPERATION CODES lists (SPC-5 6.35), and every fact the
 * generic gates ({@link ExecutionGates}) and the reservation check ({@code ConflictPolicy}) need about it.
 * The dispatch table ({@link HandlerTable}) is the only place these facts are read from; each handler
 * family declares its commands, one declaration a command, in its list ({@code SbcHandlers.all()} ...).
 *
 * <p>The facts that have no safe default (access, medium, reservation class, SCSI-2) are required; the
 * {@link Trait}s are exemptions from a gate, so a command without them passes every gate.
 *
 * @param opcode        operation code
 * @param serviceAction service action, or -1 when the opcode has none
 * @param name          human name, e.g. "WRITE(16)"
 * @param cdbUsageMap   CDB USAGE DATA: byte 0 is the opcode, then a bit set for every bit the
 *                      handler looks at (its length is the CDB length)
 * @param access        how it touches the medium (reservation quiesce, sanitize failure mode)
 * @param medium        whether it needs the medium and changes it
 * @param reservation   how a persistent reservation held by another I_T nexus treats it
 * @param scsi2         how a SCSI-2 reservation held by another I_T nexus treats it
 * @param traits        the gates it is exempt from
 */
public record CommandSpec(int opcode, int serviceAction, String name, byte[] cdbUsageMap, DataAccess access,
                          Medium medium, PrClass reservation, Scsi2 scsi2, Set<Trait> traits) {

    /** What the command needs of the medium (gates 5 and 7). */
    public enum Medium {
        /**
         * Served while a removable medium is ejected (START STOP UNIT LOEJ=1): inquiry, sense, mode,
         * reservation and medium control commands.
         */
        NOT_NEEDED,
        /** NOT READY / MEDIUM NOT PRESENT while ejected (SBC-4 4.3, 5.25). */
        NEEDED,
        /**
         * Needs the medium and changes it: DATA PROTECT / WRITE PROTECTED on a write-protected LU (SBC-4
         * 4.11, 4.29; SPC-5 7.5.8 SWP). EXTENDED COPY is not one: it may copy from a protected LU to another
         * one, so the copy checks its destinations itself.
         */
        CHANGED
    }

    /**
     * How a command meets a persistent reservation held by another I_T nexus (SPC-5 5.14.2 Table 62 for the
     * SPC commands, SBC-4 4.17 Table 13 for the block commands).
     */
    public enum PrClass {
        /** Allowed under every reservation type. */
        ALLOWED,
        /** Held back by the Exclusive Access types only. */
        READ,
        /** Held back by every type. */
        WRITE,
        /** START STOP UNIT: ALLOWED only to start the unit (START=1, POWER CONDITION 0h), otherwise WRITE. */
        ALLOWED_TO_START,
        /** PREVENT ALLOW MEDIUM REMOVAL: ALLOWED with PREVENT 00b, otherwise WRITE. */
        ALLOWED_UNLESS_PREVENTING
    }

    /** How a command meets a SCSI-2 reservation held by another I_T nexus (SPC-2 7.21.2, 7.22). */
    public enum Scsi2 {
        /** RESERVATION CONFLICT (TEST UNIT READY too: that is how ESXi sees another host's reservation). */
        HELD,
        /** Served (RELEASE: GOOD, and the reservation stays). */
        EXEMPT,
        /** PREVENT ALLOW MEDIUM REMOVAL: served with PREVENT 00b, held back otherwise. */
        EXEMPT_UNLESS_PREVENTING
    }

    /** Exemptions from the generic gates, in gate order. */
    public enum Trait {
        /** Gate 1: served for a LUN without a logical unit (SPC-5 6.7.1, 6.33, 6.39). */
        ANY_LUN,
        /** Gate 2: no unit attention is reported or cleared before it; the command deals with them itself. */
        OWN_UNIT_ATTENTION,
        /** Gate 3: served while the device shuts down or the LU sanitizes (SBC-4 4.11.3). */
        WHILE_NOT_READY,
        /** REPORT LUNS: shows the nexus the current inventory, so its REPORTED LUNS DATA HAS CHANGED ends. */
        SHOWS_INVENTORY,
        /** Gate 5b: accesses the medium while a sanitize failed (SBC-4 4.11.4: SANITIZE leaves that mode). */
        IN_SANITIZE_FAILURE
    }

    public CommandSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(cdbUsageMap, name);
        Objects.requireNonNull(access, name);
        Objects.requireNonNull(medium, name);
        Objects.requireNonNull(reservation, name);
        Objects.requireNonNull(scsi2, name);
        traits = Set.copyOf(traits);
        if (medium == Medium.CHANGED && access != DataAccess.WRITE) {
            // A reservation must wait for it (quiesce) and the sanitize failure mode refuse it.
            throw new IllegalArgumentException(name + " changes the medium, so its access is WRITE");
        }
    }

    public int cdbLength() {
        return cdbUsageMap.length;
    }

    public boolean has(Trait trait) {
        return traits.contains(trait);
    }

    /**
     * A command without service actions.
     *
     * @param usage the CDB usage map in hex bytes ("28 F8 FF ..."); its first byte is the opcode
     */
    public static CommandSpec command(String name, String usage, DataAccess access, Medium medium,
                                      PrClass reservation, Scsi2 scsi2, Trait... traits) {
        return command(-1, name, usage, access, medium, reservation, scsi2, traits);
    }

    /** A command with a service action (the opcode's other commands have one too). */
    public static CommandSpec command(int serviceAction, String name, String usage, DataAccess access,
                                      Medium medium, PrClass reservation, Scsi2 scsi2, Trait... traits) {
        String[] hex = usage.trim().split("\\s+");
        byte[] map = new byte[hex.length];
        for (int i = 0; i < hex.length; i++) {
            map[i] = (byte) Integer.parseInt(hex[i], 16);
        }
        return new CommandSpec(map[0] & 0xFF, serviceAction, name, map, access, medium, reservation, scsi2,
                Set.of(traits));
    }
}
