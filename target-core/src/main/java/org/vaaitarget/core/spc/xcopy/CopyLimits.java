package org.vaaitarget.core.spc.xcopy;

/**
 * The ONE set of EXTENDED COPY limits: {@link CopyParameterParser} enforces them, RECEIVE COPY
 * RESULTS OPERATING PARAMETERS (SPC-4 6.18.4) and the Third-party Copy VPD page (SPC-5 7.7.17)
 * advertise them (DESIGN 1.5, "advertise what you enforce").
 *
 * @param maxCscdDescriptors      MAXIMUM CSCD DESCRIPTOR COUNT
 * @param maxSegmentDescriptors   MAXIMUM SEGMENT DESCRIPTOR COUNT
 * @param maxDescriptorListLength MAXIMUM DESCRIPTOR LIST LENGTH: CSCD list plus segment list, bytes
 * @param maxSegmentBytes         MAXIMUM SEGMENT LENGTH: bytes one segment descriptor may copy
 * @param maxInlineDataLength     MAXIMUM INLINE DATA LENGTH (0: inline data is not supported)
 * @param totalConcurrentCopies   TOTAL CONCURRENT COPIES: EXTENDED COPY commands running at once per
 *                                target device; one more gets BUSY
 * @param maxIdentifiedCopies     MAXIMUM (IDENTIFIED) CONCURRENT COPIES, at most 255
 * @param dataSegmentGranularityLog2 DATA SEGMENT GRANULARITY (log2 bytes): one 512-byte block
 * @param chunkBytes              how much one copy step moves under one pair of range locks
 *                                (not advertised: the unit of interleaving with other I/O)
 */
public record CopyLimits(int maxCscdDescriptors, int maxSegmentDescriptors, int maxDescriptorListLength,
                         long maxSegmentBytes, int maxInlineDataLength, int totalConcurrentCopies,
                         int maxIdentifiedCopies, int dataSegmentGranularityLog2, int chunkBytes) {

    /** CSCD descriptor type code E4h, identification descriptor (SPC-4 6.4.6.3). */
    public static final int CSCD_IDENTIFICATION = 0xE4;
    /** Segment descriptor type code 02h, block device to block device (SPC-4 6.4.7.5). */
    public static final int SEGMENT_BLOCK_TO_BLOCK = 0x02;
    /** The descriptor type codes implemented, ascending (OPERATING PARAMETERS bytes 44..). */
    public static final int[] IMPLEMENTED_DESCRIPTOR_TYPES = {SEGMENT_BLOCK_TO_BLOCK, CSCD_IDENTIFICATION};

    public CopyLimits {
        if (maxCscdDescriptors < 2 || maxSegmentDescriptors < 1 || maxIdentifiedCopies > 255
                || maxIdentifiedCopies < 1 || totalConcurrentCopies < 1 || chunkBytes < 4096) {
            throw new IllegalArgumentException("inconsistent copy limits");
        }
        // libiscsi ExtendedCopy.DescrLimits sends (max + 1) descriptors of one kind plus one of the other
        // and expects TOO MANY ... DESCRIPTORS, not a length error: the list length must allow that.
        if (maxDescriptorListLength < (maxCscdDescriptors + 1) * CopyParameterParser.CSCD_LENGTH
                + CopyParameterParser.B2B_SEGMENT_LENGTH
                || maxDescriptorListLength < CopyParameterParser.CSCD_LENGTH
                + (maxSegmentDescriptors + 1) * CopyParameterParser.B2B_SEGMENT_LENGTH) {
            throw new IllegalArgumentException("maxDescriptorListLength too small for the descriptor counts");
        }
    }

    /**
     * 8 CSCDs, 8 segments, 1 KiB of descriptors, 32 MiB per segment (more than a 16-bit block count of
     * 512-byte blocks, so only 4 KiB-block LUs meet it), no inline data, 16 copies per device, 1 MiB
     * per locked step (one lock-manager region of 512-byte blocks).
     */
    public static final CopyLimits DEFAULT = new CopyLimits(8, 8, 1024, 32L << 20, 0, 16, 16, 9, 1 << 20);
}
