package org.vaaitarget.core.dispatch;

import java.util.Map;
import org.vaaitarget.core.lu.pr.PrClass;

/**
 * Which commands a reservation holds back from an I_T nexus that does not hold it: ONE table for
 * persistent reservations (SPC-5 5.14.2 Table 62 for the SPC commands, SBC-4 4.17 Table 13 for the
 * block commands) and one exemption list for SCSI-2 reservations (SPC-2 7.21, 7.22).
 *
 * <p>Persistent reservations: a command is ALLOWED through every type, READ (held back by the
 * Exclusive Access types only) or WRITE (held back by every type). The default is the command's
 * {@link DataAccess}, so new medium commands classify themselves (COMPARE AND WRITE, WRITE SAME, UNMAP,
 * EXTENDED COPY, SYNCHRONIZE CACHE are WRITE; SPDK wrongly holds back CAW and WRITE SAME under every
 * type as if they were unknown); the table lists the commands whose class differs from their medium
 * access.
 *
 * <p>SCSI-2 reservations: every command from another I_T nexus gets RESERVATION CONFLICT except
 * INQUIRY, REQUEST SENSE, REPORT LUNS, RELEASE (GOOD, and the reservation stays) and PREVENT ALLOW
 * MEDIUM REMOVAL with PREVENT 00b (SPC-2 7.21.2; the same list LIO and SCST use). TEST UNIT READY is
 * held back, which is how ESXi detects another host's reservation.
 */
public final class ConflictPolicy {

    private static final int PREVENT_ALLOW = 0x1E;
    private static final int START_STOP_UNIT = 0x1B;
    private static final int SERVICE_ACTION_IN_16 = 0x9E;
    private static final int READ_CAPACITY_16 = 0x10;

    /** Opcodes whose PR class is not their medium access (SPC-5 Table 62, SBC-4 Table 13). */
    private static final Map<Integer, PrClass> PR_TABLE = Map.ofEntries(
            Map.entry(0x00, PrClass.ALLOWED),   // TEST UNIT READY
            Map.entry(0x03, PrClass.ALLOWED),   // REQUEST SENSE
            Map.entry(0x12, PrClass.ALLOWED),   // INQUIRY
            Map.entry(0xA0, PrClass.ALLOWED),   // REPORT LUNS
            Map.entry(0x4D, PrClass.ALLOWED),   // LOG SENSE
            Map.entry(0x5E, PrClass.ALLOWED),   // PERSISTENT RESERVE IN
            Map.entry(0x5F, PrClass.ALLOWED),   // PERSISTENT RESERVE OUT: its own rules (SPC-5 5.14.11)
            Map.entry(0x25, PrClass.ALLOWED),   // READ CAPACITY(10)
            Map.entry(0x1A, PrClass.READ),      // MODE SENSE(6)
            Map.entry(0x5A, PrClass.READ),      // MODE SENSE(10)
            Map.entry(0xA3, PrClass.READ),      // MAINTENANCE IN (REPORT SUPPORTED OPERATION CODES)
            Map.entry(0x15, PrClass.WRITE),     // MODE SELECT(6)
            Map.entry(0x55, PrClass.WRITE),     // MODE SELECT(10)
            Map.entry(0x16, PrClass.WRITE),     // RESERVE(6)
            Map.entry(0x56, PrClass.WRITE),     // RESERVE(10)
            Map.entry(0x17, PrClass.WRITE),     // RELEASE(6)
            Map.entry(0x57, PrClass.WRITE));    // RELEASE(10)

    /** Commands another I_T nexus may still send while a SCSI-2 reservation is held (SPC-2 7.21.2). */
    private static final Map<Integer, Boolean> SCSI2_EXEMPT = Map.of(
            0x12, true,     // INQUIRY
            0x03, true,     // REQUEST SENSE
            0xA0, true,     // REPORT LUNS
            0x17, true,     // RELEASE(6): GOOD, nothing released (SPC-2 7.22)
            0x57, true);    // RELEASE(10)

    private ConflictPolicy() {
    }

    /** The class of a command under a persistent reservation. */
    public static PrClass prClass(CommandSpec spec, byte[] cdb) {
        int op = spec.opcode();
        if (op == PREVENT_ALLOW) {
            return preventBits(cdb) == 0 ? PrClass.ALLOWED : PrClass.WRITE;
        }
        if (op == START_STOP_UNIT) {
            // SBC-4 Table 13: allowed only to start the unit (START=1, POWER CONDITION 0h).
            boolean start = cdb.length > 4 && (cdb[4] & 0x01) != 0 && (cdb[4] & 0xF0) == 0;
            return start ? PrClass.ALLOWED : PrClass.WRITE;
        }
        if (op == SERVICE_ACTION_IN_16 && spec.serviceAction() == READ_CAPACITY_16) {
            return PrClass.ALLOWED;
        }
        PrClass fixed = PR_TABLE.get(op);
        if (fixed != null) {
            return fixed;
        }
        return switch (spec.access()) {
            case NONE -> PrClass.ALLOWED;
            case READ -> PrClass.READ;
            case WRITE -> PrClass.WRITE;
        };
    }

    /** Whether another I_T nexus may send this command while a SCSI-2 reservation is held. */
    public static boolean scsi2Exempt(CommandSpec spec, byte[] cdb) {
        if (spec.opcode() == PREVENT_ALLOW) {
            return preventBits(cdb) == 0;
        }
        return SCSI2_EXEMPT.containsKey(spec.opcode());
    }

    private static int preventBits(byte[] cdb) {
        return cdb.length > 4 ? cdb[4] & 0x03 : 0;
    }
}
