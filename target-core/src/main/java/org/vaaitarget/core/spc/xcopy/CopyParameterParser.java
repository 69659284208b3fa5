package org.vaaitarget.core.spc.xcopy;

import static org.vaaitarget.core.scsi.sense.SenseReason.INLINE_DATA_LENGTH_EXCEEDED;
import static org.vaaitarget.core.scsi.sense.SenseReason.INVALID_COPY_TARGET_DEVICE_TYPE;
import static org.vaaitarget.core.scsi.sense.SenseReason.INVALID_FIELD_IN_PARAMETER_LIST;
import static org.vaaitarget.core.scsi.sense.SenseReason.PARAMETER_LIST_LENGTH_ERROR;
import static org.vaaitarget.core.scsi.sense.SenseReason.TOO_MANY_SEGMENT_DESCRIPTORS;
import static org.vaaitarget.core.scsi.sense.SenseReason.TOO_MANY_TARGET_DESCRIPTORS;
import static org.vaaitarget.core.scsi.sense.SenseReason.UNSUPPORTED_SEGMENT_DESCRIPTOR_TYPE_CODE;
import static org.vaaitarget.core.scsi.sense.SenseReason.UNSUPPORTED_TARGET_DESCRIPTOR_TYPE_CODE;

import static org.vaaitarget.core.dispatch.ParameterData.u16;
import static org.vaaitarget.core.dispatch.ParameterData.u32;
import static org.vaaitarget.core.dispatch.ParameterData.u64;
import static org.vaaitarget.core.dispatch.ParameterData.u8;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Parses a whole EXTENDED COPY (LID1) parameter list (SPC-4 6.4.3) before anything is copied, and
 * enforces {@link CopyLimits}. Checks run in this order (each one answers with its own sense):
 * <ol>
 *   <li>shorter than the 16-byte header: PARAMETER LIST LENGTH ERROR;</li>
 *   <li>LIST ID USAGE 01b (reserved), or 11b with a non-zero LIST IDENTIFIER: INVALID FIELD IN
 *       PARAMETER LIST;</li>
 *   <li>INLINE DATA LENGTH above the maximum: INLINE DATA LENGTH EXCEEDED (SPC-4 6.4.3.7);</li>
 *   <li>CSCD list plus segment list longer than MAXIMUM DESCRIPTOR LIST LENGTH, or longer than the
 *       parameter data received (truncation, SPC-4 6.4.1): PARAMETER LIST LENGTH ERROR. libiscsi
 *       ExtendedCopy.DescrLimits expects this length error even when the counts are exceeded too;</li>
 *   <li>more CSCD descriptors than the maximum: TOO MANY TARGET DESCRIPTORS (SPC-4 6.4.3.4); a type
 *       other than E4h: UNSUPPORTED TARGET DESCRIPTOR TYPE CODE; a peripheral device type other than
 *       00h: INVALID COPY TARGET DEVICE TYPE;</li>
 *   <li>more segment descriptors than the maximum: TOO MANY SEGMENT DESCRIPTORS (SPC-4 6.4.3.5); a
 *       type other than 02h: UNSUPPORTED SEGMENT DESCRIPTOR TYPE CODE; a descriptor length other than
 *       0018h: INVALID FIELD IN PARAMETER LIST.</li>
 * </ol>
 * Whether the CSCDs name reachable LUs and the segments fit them is {@link CopyPlan}'s job.
 */
final class CopyParameterParser {
    static final int HEADER_LENGTH = 16;
    static final int CSCD_LENGTH = 32;
    static final int B2B_SEGMENT_LENGTH = 28;
    /** Bytes 8-27 of an E4h descriptor hold the designator. */
    private static final int DESIGNATOR_ROOM = 20;

    private final CopyLimits limits;

    CopyParameterParser(CopyLimits limits) {
        this.limits = limits;
    }

    /** The most parameter bytes a valid list can have: callers need not copy more than this. */
    int maxUsefulLength() {
        return HEADER_LENGTH + limits.maxDescriptorListLength() + limits.maxInlineDataLength();
    }

    /**
     * @param p      the parameter data received (at least {@code length} bytes)
     * @param length PARAMETER LIST LENGTH, already capped at what the initiator sent
     */
    CopyParameterList parse(byte[] p, int length) throws CopyFailure {
        if (length < HEADER_LENGTH) {
            throw CopyFailure.of(PARAMETER_LIST_LENGTH_ERROR);
        }
        int listId = u8(p, 0);
        int usage = (p[1] >>> 3) & 0x3;
        if (usage == 0b01) {
            throw CopyFailure.at(INVALID_FIELD_IN_PARAMETER_LIST, 1, 4);
        }
        if (usage == CopyParameterList.USAGE_NO_LIST_ID && listId != 0) {
            throw CopyFailure.at(INVALID_FIELD_IN_PARAMETER_LIST, 0, -1);
        }
        int cscdLength = u16(p, 2);
        long segmentLength = u32(p, 8);
        long inlineLength = u32(p, 12);
        if (inlineLength > limits.maxInlineDataLength()) {
            throw CopyFailure.at(INLINE_DATA_LENGTH_EXCEEDED, 12, -1);
        }
        long descriptors = cscdLength + segmentLength;
        if (descriptors > limits.maxDescriptorListLength()
                || HEADER_LENGTH + descriptors + inlineLength > length) {
            throw CopyFailure.of(PARAMETER_LIST_LENGTH_ERROR);
        }
        List<Cscd> cscds = parseCscds(p, HEADER_LENGTH, cscdLength);
        List<BlockSegment> segments = parseSegments(p, HEADER_LENGTH + cscdLength, (int) segmentLength);
        return new CopyParameterList(listId, usage, List.copyOf(cscds), List.copyOf(segments));
    }

    private List<Cscd> parseCscds(byte[] p, int start, int length) throws CopyFailure {
        if ((length + CSCD_LENGTH - 1) / CSCD_LENGTH > limits.maxCscdDescriptors()) {
            throw CopyFailure.of(TOO_MANY_TARGET_DESCRIPTORS);
        }
        List<Cscd> out = new ArrayList<>();
        for (int off = start; off < start + length; off += CSCD_LENGTH) {
            if ((p[off] & 0xFF) != CopyLimits.CSCD_IDENTIFICATION) {
                throw CopyFailure.at(UNSUPPORTED_TARGET_DESCRIPTOR_TYPE_CODE, off, -1);
            }
            if (start + length - off < CSCD_LENGTH) {
                throw CopyFailure.of(PARAMETER_LIST_LENGTH_ERROR);
            }
            out.add(parseIdentification(p, off));
        }
        return out;
    }

    /**
     * E4h (SPC-4 6.4.6.3). Byte 1 bits 7:5 (SPC-3's LU ID TYPE and NUL) are obsolete in SPC-4 and
     * ignored, as libiscsi ExtendedCopy.ValidTgtDescr expects of a VERSION 06h device; bits 4:0 are the
     * PERIPHERAL DEVICE TYPE, which must be 00h (block device).
     */
    private static Cscd parseIdentification(byte[] p, int off) throws CopyFailure {
        if ((p[off + 1] & 0x1F) != 0) {
            throw CopyFailure.at(INVALID_COPY_TARGET_DEVICE_TYPE, off + 1, 4);
        }
        int codeSet = p[off + 4] & 0x0F;
        int association = (p[off + 5] >>> 4) & 0x3;
        int type = p[off + 5] & 0x0F;
        int declared = u8(p, off + 7);
        byte[] designator = Arrays.copyOfRange(p, off + 8, off + 8 + Math.min(declared, DESIGNATOR_ROOM));
        int blockLength = (u8(p, off + 29) << 16) | u16(p, off + 30);
        return new Cscd(off, codeSet, association, type, designator, declared, blockLength);
    }

    private List<BlockSegment> parseSegments(byte[] p, int start, int length) throws CopyFailure {
        List<BlockSegment> out = new ArrayList<>();
        int end = start + length;
        int off = start;
        while (off < end) {
            if (end - off < 4) {
                throw CopyFailure.of(PARAMETER_LIST_LENGTH_ERROR);
            }
            int descriptorLength = u16(p, off + 2) + 4;
            if (off + descriptorLength > end) {
                throw CopyFailure.of(PARAMETER_LIST_LENGTH_ERROR);
            }
            if (out.size() == limits.maxSegmentDescriptors()) {
                throw CopyFailure.of(TOO_MANY_SEGMENT_DESCRIPTORS);
            }
            if ((p[off] & 0xFF) != CopyLimits.SEGMENT_BLOCK_TO_BLOCK) {
                throw CopyFailure.at(UNSUPPORTED_SEGMENT_DESCRIPTOR_TYPE_CODE, off, -1);
            }
            if (descriptorLength != B2B_SEGMENT_LENGTH) {
                throw CopyFailure.at(INVALID_FIELD_IN_PARAMETER_LIST, off + 2, -1);
            }
            out.add(new BlockSegment(out.size(), off, u16(p, off + BlockSegment.SOURCE_INDEX),
                    u16(p, off + BlockSegment.DESTINATION_INDEX), u16(p, off + BlockSegment.NUMBER_OF_BLOCKS),
                    u64(p, off + BlockSegment.SOURCE_LBA), u64(p, off + BlockSegment.DESTINATION_LBA)));
            off += descriptorLength;
        }
        return out;
    }
}
