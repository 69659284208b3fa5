package org.vaaitarget.core.spc.pr;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.vaaitarget.core.scsi.ItNexus;

/**
 * iSCSI TransportIDs (SPC-5 7.6.4.6): byte 0 FORMAT CODE (bits 7-6) and PROTOCOL IDENTIFIER 5h, bytes
 * 2-3 ADDITIONAL LENGTH (a multiple of 4, at least 20), then a null-terminated UTF-8 name. Format 01b
 * names an initiator port, "{@code <iSCSI name>,i,0x<ISID>}", which is what an I_T nexus needs; format
 * 00b names only the initiator device, and this target does not accept it where a port is required.
 */
final class TransportIds {
    static final int ISCSI = 0x5;
    static final int FORMAT_PORT = 0x40;
    private static final String SEPARATOR = ",i,0x";

    private TransportIds() {
    }

    /** The format 01b TransportID of the nexus's initiator port, padded to a multiple of 4 bytes. */
    static byte[] encode(ItNexus nexus) {
        byte[] name = (nexus.initiatorName() + SEPARATOR + nexus.isid()).getBytes(StandardCharsets.UTF_8);
        int additional = Math.max(20, (name.length + 1 + 3) & ~3);   // the name, its null, padding
        byte[] id = new byte[4 + additional];
        id[0] = (byte) (FORMAT_PORT | ISCSI);
        id[2] = (byte) (additional >>> 8);
        id[3] = (byte) additional;
        System.arraycopy(name, 0, id, 4, name.length);
        return id;
    }

    /** Total length (header plus ADDITIONAL LENGTH) of the TransportID at {@code off}, or -1 if truncated. */
    static int length(byte[] list, int off, int end) {
        if (off + 4 > end) {
            return -1;
        }
        return 4 + (((list[off + 2] & 0xFF) << 8) | (list[off + 3] & 0xFF));
    }

    /**
     * The I_T nexus a format 01b iSCSI TransportID names at the given target port, or null when the
     * TransportID is not one (wrong protocol or format, no ",i,0x" part, bad ISID).
     */
    static ItNexus decode(byte[] list, int off, int len, String targetName, int relativeTargetPort) {
        if (len < 24 || (list[off] & 0x0F) != ISCSI || (list[off] & 0xC0) != FORMAT_PORT) {
            return null;
        }
        int end = off + 4;
        while (end < off + len && list[end] != 0) {
            end++;
        }
        String name = new String(list, off + 4, end - off - 4, StandardCharsets.UTF_8);
        int sep = name.toLowerCase(Locale.ROOT).lastIndexOf(SEPARATOR);
        if (sep <= 0) {
            return null;
        }
        String isid = name.substring(sep + SEPARATOR.length()).toLowerCase(Locale.ROOT);
        if (!isid.matches("[0-9a-f]{12}")) {
            return null;
        }
        return new ItNexus(name.substring(0, sep), isid, targetName, relativeTargetPort);
    }
}
