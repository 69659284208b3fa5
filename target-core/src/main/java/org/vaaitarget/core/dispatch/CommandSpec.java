package org.vaaitarget.core.dispatch;

/**
 * One supported command, as REPORT SUPPORTED OPERATION CODES lists it (SPC-5 6.35).
 *
 * @param opcode        operation code
 * @param serviceAction service action, or -1 when the opcode has none
 * @param name          human name, e.g. "WRITE(16)"
 * @param cdbUsageMap   CDB USAGE DATA: byte 0 is the opcode, then a bit set for every bit the
 *                      handler looks at (its length is the CDB length)
 * @param access        how it touches the medium
 */
public record CommandSpec(int opcode, int serviceAction, String name, byte[] cdbUsageMap, DataAccess access) {

    public int cdbLength() {
        return cdbUsageMap.length;
    }

    /** Builds a spec from usage bytes given as ints (for readable tables). */
    public static CommandSpec of(int opcode, int serviceAction, String name, DataAccess access, int... usage) {
        byte[] map = new byte[usage.length];
        for (int i = 0; i < usage.length; i++) {
            map[i] = (byte) usage[i];
        }
        return new CommandSpec(opcode, serviceAction, name, map, access);
    }
}
