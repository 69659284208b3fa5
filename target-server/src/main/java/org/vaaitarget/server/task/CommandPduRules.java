package org.vaaitarget.server.task;

import org.vaaitarget.server.pdu.InitiatorPdus;
import org.vaaitarget.server.pdu.Bhs;
import org.vaaitarget.server.pdu.RejectReason;

import java.util.Arrays;
import org.vaaitarget.server.pdu.Pdu;
import org.vaaitarget.server.session.NegotiatedParameters;

/**
 * The Reject-scope checks of a SCSI Command PDU (RFC 7143 11.3; DESIGN 4) and CDB extraction,
 * including the Extended CDB AHS (RFC 7143 11.2.2.3). A failed check means the PDU is Rejected and
 * no task is created.
 */
final class CommandPduRules {
    private static final int AHS_EXTENDED_CDB = 1;
    private static final int VARIABLE_LENGTH_CDB = 0x7F;

    private CommandPduRules() {
    }

    /** @return null when the PDU may become a task, else the Reject reason */
    static RejectReason check(Pdu pdu, NegotiatedParameters params) {
        InitiatorPdus.ScsiCommand cmd = new InitiatorPdus.ScsiCommand(pdu);
        boolean read = cmd.read();
        boolean write = cmd.write();
        long edtl = cmd.expectedDataTransferLength();
        int immediate = pdu.dataSegmentLength();
        if (pdu.itt() == Bhs.RESERVED_TAG) {
            return RejectReason.PROTOCOL_ERROR;         // 0xFFFFFFFF is reserved (RFC 7143 11.2.1.8)
        }
        if (read && write) {
            return RejectReason.INVALID_PDU_FIELD;      // bidirectional commands are not supported
        }
        if (!read && !write && edtl != 0) {
            return RejectReason.INVALID_PDU_FIELD;      // 11.3.1.1: EDTL > 0 needs R or W
        }
        if (immediate > 0) {
            if (!write || !params.immediateData()) {
                return RejectReason.INVALID_PDU_FIELD;  // data on a non-write, or ImmediateData=No
            }
            if (immediate > edtl || immediate > params.firstBurstLength()) {
                return RejectReason.INVALID_PDU_FIELD;  // 13.14: unsolicited data <= FirstBurstLength
            }
        }
        if (!pdu.finalBit() && (!write || params.initialR2T())) {
            // F=0 announces unsolicited Data-Out, which only InitialR2T=No allows (RFC 7143 13.10).
            return RejectReason.PROTOCOL_ERROR;
        }
        if (cdb(pdu) == null) {
            return RejectReason.INVALID_PDU_FIELD;
        }
        return null;
    }

    /**
     * The CDB: the 16-byte BHS field, followed by the Extended CDB AHS bytes when present. A
     * variable-length CDB (7Fh) longer than 16 bytes without that AHS, or a malformed AHS, gives
     * null.
     */
    static byte[] cdb(Pdu pdu) {
        byte[] base = new InitiatorPdus.ScsiCommand(pdu).cdbField();
        byte[] ahs = pdu.ahs();
        int p = 0;
        byte[] extended = null;
        while (p + 3 <= ahs.length) {
            int len = ((ahs[p] & 0xFF) << 8) | (ahs[p + 1] & 0xFF);
            int type = ahs[p + 2] & 0x3F;
            if (p + 3 + len > ahs.length) {
                return null;
            }
            if (type == AHS_EXTENDED_CDB) {
                if (len < 2) {
                    return null;
                }
                extended = Arrays.copyOfRange(ahs, p + 4, p + 3 + len);   // after the reserved byte
            }
            p += (3 + len + 3) & ~3;
        }
        if (extended != null) {
            byte[] all = Arrays.copyOf(base, 16 + extended.length);
            System.arraycopy(extended, 0, all, 16, extended.length);
            return all;
        }
        if ((base[0] & 0xFF) == VARIABLE_LENGTH_CDB && 8 + (base[7] & 0xFF) > 16) {
            return null;                                // SPC-5 4.2.3: the CDB did not fit in the BHS
        }
        return base;
    }
}
