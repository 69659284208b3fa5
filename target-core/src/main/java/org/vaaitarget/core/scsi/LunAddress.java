package org.vaaitarget.core.scsi;

/**
 * SAM-5 4.7 LUN encoding for the 8-byte LUN field. LUNs 0..255 use peripheral device addressing
 * (byte 0 = 0, byte 1 = LUN); 256..16383 use flat space addressing (byte 0 = 40h | high 6 bits).
 */
public final class LunAddress {
    private LunAddress() {
    }

    /** The 8-byte field, big-endian in a long, for a LUN number. */
    public static long encode(int lun) {
        if (lun < 0 || lun > 0x3FFF) {
            throw new IllegalArgumentException("LUN out of range: " + lun);
        }
        if (lun < 256) {
            return ((long) lun) << 48;
        }
        return ((long) (0x4000 | lun)) << 48;
    }

    /** The LUN number, or -1 for an address form this target does not use. */
    public static int decode(long field) {
        int first = (int) (field >>> 48) & 0xFFFF;
        long rest = field & 0x0000_FFFF_FFFF_FFFFL;
        if (rest != 0) {
            return -1;
        }
        int method = first >>> 14;
        if (method == 0 && (first >>> 8) == 0) {
            return first & 0xFF;        // peripheral device addressing, bus 0
        }
        if (method == 1) {
            return first & 0x3FFF;      // flat space addressing
        }
        return -1;
    }
}
