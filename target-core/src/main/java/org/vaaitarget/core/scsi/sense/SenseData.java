package org.vaaitarget.core.scsi.sense;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * Immutable sense data: a {@link SenseReason}, an optional INFORMATION value (VALID bit) and an
 * optional sense-key-specific field pointer (SKSV). The ONE place that lays sense bytes out:
 * fixed format (70h, SPC-5 4.4.3) or descriptor format (72h, SPC-5 4.4.2), chosen by the D_SENSE
 * bit of the Control mode page of the logical unit that reports it.
 */
public final class SenseData {
    private final SenseReason reason;
    private final OptionalLong information;
    /** Sense-key-specific bytes (3 bytes, SKSV set) or -1 for none. */
    private final int senseKeySpecific;

    private SenseData(SenseReason reason, OptionalLong information, int senseKeySpecific) {
        this.reason = Objects.requireNonNull(reason);
        this.information = information;
        this.senseKeySpecific = senseKeySpecific;
    }

    public static SenseData of(SenseReason reason) {
        return new SenseData(reason, OptionalLong.empty(), -1);
    }

    /** Sense with INFORMATION set and VALID=1 (for example the miscompare offset). */
    public static SenseData withInformation(SenseReason reason, long information) {
        return new SenseData(reason, OptionalLong.of(information), -1);
    }

    /**
     * Sense with a field pointer (SPC-5 4.4.5.2) for ILLEGAL REQUEST: which byte (and bit) is wrong.
     *
     * @param inCdb true when the pointer is into the CDB (C/D=1), false for the parameter list
     * @param byteIndex the byte
     * @param bit the bit (0..7), or -1 when the whole byte is meant (BPV=0)
     */
    public static SenseData withFieldPointer(SenseReason reason, boolean inCdb, int byteIndex, int bit) {
        int sks = 0x800000 | (inCdb ? 0x400000 : 0) | (byteIndex & 0xFFFF);
        if (bit >= 0) {
            sks |= 0x080000 | ((bit & 0x7) << 16);
        }
        return new SenseData(reason, OptionalLong.empty(), sks);
    }

    /** Sense with a PROGRESS INDICATION (SPC-5 4.4.5.4): {@code progress} 65536ths of the operation are done. */
    public static SenseData withProgress(SenseReason reason, int progress) {
        return new SenseData(reason, OptionalLong.empty(), 0x800000 | (progress & 0xFFFF));
    }

    public SenseReason reason() {
        return reason;
    }

    public SenseKey key() {
        return reason.key();
    }

    public OptionalLong information() {
        return information;
    }

    /** The sense bytes in fixed (70h) or descriptor (72h) format. */
    public byte[] encode(boolean descriptorFormat) {
        return descriptorFormat ? encodeDescriptor() : encodeFixed();
    }

    private byte[] encodeFixed() {
        byte[] b = new byte[18];
        b[0] = (byte) 0x70;                    // current error, fixed format
        b[2] = (byte) reason.key().code();
        if (information.isPresent()) {
            long info = information.getAsLong();
            b[0] |= (byte) 0x80;               // VALID
            // INFORMATION is 4 bytes in fixed format; larger values cannot be represented (SPC-5 4.4.3).
            b[3] = (byte) (info >>> 24);
            b[4] = (byte) (info >>> 16);
            b[5] = (byte) (info >>> 8);
            b[6] = (byte) info;
        }
        b[7] = 10;                             // ADDITIONAL SENSE LENGTH (n - 7)
        b[12] = (byte) reason.asc();
        b[13] = (byte) reason.ascq();
        if (senseKeySpecific >= 0) {
            b[15] = (byte) (senseKeySpecific >>> 16);
            b[16] = (byte) (senseKeySpecific >>> 8);
            b[17] = (byte) senseKeySpecific;
        }
        return b;
    }

    private byte[] encodeDescriptor() {
        int len = 8 + (information.isPresent() ? 12 : 0) + (senseKeySpecific >= 0 ? 8 : 0);
        byte[] b = new byte[len];
        b[0] = (byte) 0x72;                    // current error, descriptor format
        b[1] = (byte) reason.key().code();
        b[2] = (byte) reason.asc();
        b[3] = (byte) reason.ascq();
        b[7] = (byte) (len - 8);               // ADDITIONAL SENSE LENGTH
        int p = 8;
        if (information.isPresent()) {
            long info = information.getAsLong();
            b[p] = 0x00;                       // Information descriptor (SPC-5 4.4.2.2)
            b[p + 1] = 0x0A;
            b[p + 2] = (byte) 0x80;            // VALID
            for (int i = 0; i < 8; i++) {
                b[p + 4 + i] = (byte) (info >>> (56 - 8 * i));
            }
            p += 12;
        }
        if (senseKeySpecific >= 0) {
            b[p] = 0x02;                       // Sense key specific descriptor (SPC-5 4.4.2.5)
            b[p + 1] = 0x06;
            b[p + 4] = (byte) (senseKeySpecific >>> 16);
            b[p + 5] = (byte) (senseKeySpecific >>> 8);
            b[p + 6] = (byte) senseKeySpecific;
        }
        return b;
    }

    @Override
    public String toString() {
        return String.format("%s(%s %02Xh/%02Xh%s)", reason, reason.key(), reason.asc(), reason.ascq(),
                information.isPresent() ? " info=" + information.getAsLong() : "");
    }
}
