package org.vaaitarget.core.spc.xcopy;

/**
 * One parsed block device to block device segment descriptor (02h, SPC-4 6.4.7.5).
 *
 * @param number   its index in the segment list (0-based)
 * @param offset   where it starts in the parameter list (for field pointers)
 * @param source   SOURCE CSCD DESCRIPTOR ID (an index into the CSCD list)
 * @param destination DESTINATION CSCD DESCRIPTOR ID
 * @param blocks   BLOCK DEVICE NUMBER OF BLOCKS (0: nothing to copy, not an error)
 * @param sourceLba SOURCE BLOCK DEVICE LOGICAL BLOCK ADDRESS
 * @param destinationLba DESTINATION BLOCK DEVICE LOGICAL BLOCK ADDRESS
 */
public record BlockSegment(int number, int offset, int source, int destination, int blocks, long sourceLba,
                           long destinationLba) {

    /** Offsets of fields inside the descriptor, for field pointers. */
    static final int SOURCE_INDEX = 4;
    static final int DESTINATION_INDEX = 6;
    static final int NUMBER_OF_BLOCKS = 10;
    static final int SOURCE_LBA = 12;
    static final int DESTINATION_LBA = 20;
}
