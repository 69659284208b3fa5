package org.vaaitarget.server.task;

import org.vaaitarget.server.pdu.Rejects;
import org.vaaitarget.server.pdu.RejectReason;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.vaaitarget.server.pdu.Opcode;
import org.vaaitarget.server.pdu.Pdu;

/**
 * Builders for the PDUs the target sends in Full Feature Phase, with the RFC 7143 section 11 layouts.
 * StatSN (bytes 24..27), ExpCmdSN (28..31) and MaxCmdSN (32..35) sit at the same offsets in every
 * target PDU; {@link SequenceStamp} fills them, the builders fill the rest.
 *
 * <p>Ownership: every {@code ByteBuf} passed in moves into the returned Pdu.
 */
final class TargetPdus {
    static final int RESERVED_TAG = 0xFFFFFFFF;

    // Offsets shared by target PDUs
    static final int OFF_TTT = 20;
    static final int OFF_STAT_SN = 24;
    static final int OFF_EXP_CMD_SN = 28;
    static final int OFF_MAX_CMD_SN = 32;

    // Flags (byte 1)
    static final int F = 0x80;
    static final int DATA_IN_ACK = 0x40;
    static final int OVERFLOW = 0x04;   // O bit: SCSI Response and Data-In
    static final int UNDERFLOW = 0x02;  // U bit: SCSI Response and Data-In
    static final int DATA_IN_STATUS = 0x01;

    private TargetPdus() {
    }

    /** Residual of a command (RFC 7143 11.4.5): kind and count. */
    record Residual(int flag, int count) {
        static final Residual NONE = new Residual(0, 0);

        /**
         * Compares the bytes the CDB called for with the EDTL (RFC 7143 11.4.5.1/11.4.5.2).
         *
         * @param transferLength bytes the command would move, or negative when unknown (no residual)
         */
        static Residual of(long transferLength, long edtl) {
            if (transferLength < 0) {
                return NONE;
            }
            long e = edtl;
            if (transferLength < e) {
                return new Residual(UNDERFLOW, (int) (e - transferLength));
            }
            if (transferLength > e) {
                return new Residual(OVERFLOW, (int) Math.min(transferLength - e, 0xFFFFFFFFL));
            }
            return NONE;
        }
    }

    /** SCSI Response (RFC 7143 11.4); {@code data} is the sense segment or null. */
    static Pdu scsiResponse(int itt, int status, Residual residual, int expDataSn, ByteBuf data) {
        Pdu p = Pdu.create(Opcode.SCSI_RESPONSE);
        p.setFlags(F | residual.flag());
        p.setU8(2, 0x00);                       // Response: Command Completed at Target
        p.setU8(3, status);
        p.setItt(itt);
        p.setU32(36, expDataSn);                // ExpDataSN: R2Ts + Data-In sent for the command
        p.setU32(44, residual.count());
        p.setData(data);
        return p;
    }

    /**
     * The data segment of a SCSI Response carrying autosense (RFC 7143 11.4.7): SenseLength (2 bytes)
     * followed by the sense bytes.
     */
    static ByteBuf senseSegment(byte[] sense) {
        ByteBuf b = Unpooled.buffer(2 + sense.length);
        b.writeShort(sense.length);
        b.writeBytes(sense);
        return b;
    }

    /**
     * Data-In (RFC 7143 11.7). With {@code status >= 0} the S bit is set, and the status and
     * residual are carried (phase collapse, 11.7.3).
     */
    static Pdu dataIn(long lun, int itt, int dataSn, int bufferOffset, boolean finalBit, int status,
                      Residual residual, ByteBuf data) {
        Pdu p = Pdu.create(Opcode.DATA_IN);
        int flags = finalBit ? F : 0;
        if (status >= 0) {
            flags |= DATA_IN_STATUS | residual.flag();
            p.setU8(3, status);
            p.setU32(44, residual.count());
        }
        p.setFlags(flags);
        p.setLun(lun);
        p.setItt(itt);
        p.setU32(OFF_TTT, RESERVED_TAG);
        p.setU32(36, dataSn);
        p.setU32(40, bufferOffset);
        p.setData(data);
        return p;
    }

    /** R2T (RFC 7143 11.8). */
    static Pdu r2t(long lun, int itt, int ttt, int r2tSn, int bufferOffset, int desiredLength) {
        Pdu p = Pdu.create(Opcode.R2T);
        p.setFlags(F);
        p.setLun(lun);
        p.setItt(itt);
        p.setU32(OFF_TTT, ttt);
        p.setU32(36, r2tSn);
        p.setU32(40, bufferOffset);
        p.setU32(44, desiredLength);
        return p;
    }

    /** NOP-In (RFC 7143 11.19): an answer (itt set, ttt reserved) or a ping (itt reserved, ttt set). */
    static Pdu nopIn(long lun, int itt, int ttt, ByteBuf data) {
        Pdu p = Pdu.create(Opcode.NOP_IN);
        p.setFlags(F);
        p.setLun(lun);
        p.setItt(itt);
        p.setU32(OFF_TTT, ttt);
        p.setData(data);
        return p;
    }

    /** Task Management Function Response (RFC 7143 11.6). */
    static Pdu taskManagementResponse(int itt, int response) {
        Pdu p = Pdu.create(Opcode.TASK_MGMT_RESPONSE);
        p.setFlags(F);
        p.setU8(2, response);
        p.setItt(itt);
        return p;
    }

    /** Logout Response (RFC 7143 11.15). */
    static Pdu logoutResponse(int itt, int response, int time2Wait, int time2Retain) {
        Pdu p = Pdu.create(Opcode.LOGOUT_RESPONSE);
        p.setFlags(F);
        p.setU8(2, response);
        p.setItt(itt);
        p.setU16(40, time2Wait);
        p.setU16(42, time2Retain);
        return p;
    }

    /** Text Response (RFC 7143 11.11). {@code more} sets the C bit (and clears F). */
    static Pdu textResponse(int itt, int ttt, boolean more, ByteBuf data) {
        Pdu p = Pdu.create(Opcode.TEXT_RESPONSE);
        p.setFlags(more ? 0x40 : F);
        p.setItt(itt);
        p.setU32(OFF_TTT, ttt);
        p.setData(data);
        return p;
    }

    /** Reject (RFC 7143 11.17): the data segment is the offending BHS. */
    static Pdu reject(RejectReason reason, byte[] offendingBhs) {
        // The sequence numbers are filled in when the connection sends it.
        return Rejects.reject(reason, offendingBhs, 0, 0, 0);
    }

    /** Asynchronous Message (RFC 7143 11.9). */
    static Pdu asyncMessage(int asyncEvent, int parameter1, int parameter2, int parameter3) {
        Pdu p = Pdu.create(Opcode.ASYNC_MESSAGE);
        p.setFlags(F);
        p.setItt(RESERVED_TAG);
        p.setU8(36, asyncEvent);
        p.setU16(38, parameter1);
        p.setU16(40, parameter2);
        p.setU16(42, parameter3);
        return p;
    }
}
