package org.vaaitarget.core.spc.xcopy;

/**
 * One parsed identification CSCD descriptor (E4h, SPC-4 6.4.6.3).
 *
 * @param offset      where the descriptor starts in the parameter list (for field pointers)
 * @param codeSet     CODE SET of the designation descriptor
 * @param association ASSOCIATION
 * @param type        DESIGNATOR TYPE
 * @param designator  the designator bytes present in the descriptor (at most 20; an initiator may
 *                    announce a longer designator and truncate it, ESXI-NOTES 2.3.5)
 * @param declaredLength the DESIGNATOR LENGTH field as sent
 * @param blockLength DISK BLOCK LENGTH from the device type specific parameters
 */
public record Cscd(int offset, int codeSet, int association, int type, byte[] designator, int declaredLength,
                   int blockLength) {

    static final int CODE_SET_BINARY = 0x1;
    static final int ASSOCIATION_LU = 0x0;
    static final int TYPE_NAA = 0x3;

    /**
     * Whether this descriptor names the LU with this NAA designator: binary code set, LU
     * association, NAA type, and the first {@code naa.length} bytes equal. At most what the LU's own
     * designator has is compared, so a truncated longer designator still matches (like SCST).
     */
    public boolean names(byte[] naa) {
        if (codeSet != CODE_SET_BINARY || association != ASSOCIATION_LU || type != TYPE_NAA) {
            return false;
        }
        if (declaredLength < naa.length || designator.length < naa.length) {
            return false;
        }
        for (int i = 0; i < naa.length; i++) {
            if (designator[i] != naa[i]) {
                return false;
            }
        }
        return true;
    }
}
