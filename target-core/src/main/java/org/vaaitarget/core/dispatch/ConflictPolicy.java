package org.vaaitarget.core.dispatch;

import org.vaaitarget.core.dispatch.CommandSpec.PrClass;
import org.vaaitarget.core.lu.pr.ReservationType;

/**
 * How a reservation held by another I_T nexus treats a command, from the facts its {@link CommandSpec}
 * states: {@link CommandSpec#reservation()} for persistent reservations (SPC-5 5.14.2 Table 62 for the SPC
 * commands, SBC-4 4.17 Table 13 for the block commands), {@link CommandSpec#scsi2()} for SCSI-2 reservations
 * (SPC-2 7.21, 7.22). This class resolves the classes that depend on the CDB and applies the reservation
 * type; the classes themselves are declared with each command in its family's list.
 *
 * <p>Persistent reservations: a command is ALLOWED through every type, READ (held back by the Exclusive
 * Access types only) or WRITE (held back by every type). COMPARE AND WRITE, WRITE SAME, UNMAP, EXTENDED
 * COPY and SYNCHRONIZE CACHE are WRITE (SPDK wrongly holds back CAW and WRITE SAME under every type as if
 * they were unknown).
 *
 * <p>SCSI-2 reservations: every command from another I_T nexus gets RESERVATION CONFLICT except
 * INQUIRY, REQUEST SENSE, REPORT LUNS, RELEASE (GOOD, and the reservation stays) and PREVENT ALLOW
 * MEDIUM REMOVAL with PREVENT 00b (SPC-2 7.21.2; the same list LIO and SCST use). TEST UNIT READY is
 * held back, which is how ESXi detects another host's reservation.
 */
public final class ConflictPolicy {

    private ConflictPolicy() {
    }

    /** The class of a command under a persistent reservation: ALLOWED, READ or WRITE. */
    public static PrClass prClass(CommandSpec spec, byte[] cdb) {
        return switch (spec.reservation()) {
            // SBC-4 Table 13: allowed only to start the unit (START=1, POWER CONDITION 0h).
            case ALLOWED_TO_START -> cdb.length > 4 && (cdb[4] & 0x01) != 0 && (cdb[4] & 0xF0) == 0
                    ? PrClass.ALLOWED : PrClass.WRITE;
            case ALLOWED_UNLESS_PREVENTING -> preventBits(cdb) == 0 ? PrClass.ALLOWED : PrClass.WRITE;
            case ALLOWED, READ, WRITE -> spec.reservation();
        };
    }

    /** Whether a non-holder is held back by a persistent reservation of {@code type}. */
    public static boolean prConflict(PrClass c, ReservationType type) {
        return switch (c) {
            case ALLOWED -> false;
            case READ -> type.exclusiveAccess();
            case WRITE -> true;
            case ALLOWED_TO_START, ALLOWED_UNLESS_PREVENTING ->
                    throw new IllegalArgumentException(c + " depends on the CDB: resolve it with prClass");
        };
    }

    /** Whether another I_T nexus may send this command while a SCSI-2 reservation is held. */
    public static boolean scsi2Exempt(CommandSpec spec, byte[] cdb) {
        return switch (spec.scsi2()) {
            case HELD -> false;
            case EXEMPT -> true;
            case EXEMPT_UNLESS_PREVENTING -> preventBits(cdb) == 0;
        };
    }

    private static int preventBits(byte[] cdb) {
        return cdb.length > 4 ? cdb[4] & 0x03 : 0;
    }
}
