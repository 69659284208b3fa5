package org.vaaitarget.core.lu;

import java.util.Objects;

/**
 * The identity a LUN shows to every initiator on every path, forever: ESXi treats a changed
 * designator as a lost device (ESXI-NOTES 2.7). Generated once and kept beside the LUN's file.
 *
 * @param naa        16-byte NAA IEEE Registered Extended designator (first nibble 6h)
 * @param serial     unit serial number (VPD 80h), printable ASCII
 * @param vendor     T10 VENDOR IDENTIFICATION, at most 8 characters
 * @param product    PRODUCT IDENTIFICATION, at most 16 characters, the same on every LUN
 * @param revision   PRODUCT REVISION LEVEL, at most 4 characters
 */
public record LunIdentity(byte[] naa, String serial, String vendor, String product, String revision) {

    public LunIdentity {
        Objects.requireNonNull(naa, "naa");
        if (naa.length != 16 || (naa[0] & 0xF0) != 0x60) {
            throw new IllegalArgumentException("NAA designator must be 16 bytes of NAA type 6");
        }
        Objects.requireNonNull(serial, "serial");
    }
}
