package org.vaaitarget.server.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Builders of the PDUs the target sends, one per kind, with the RFC 7143 section 11 layouts named here and
 * nowhere else. StatSN (bytes 24..27), ExpCmdSN (28..31) and MaxCmdSN (32..35) sit at the same offsets in
 * every target PDU: the connection that sends a PDU fills them with {@link #stamp}, the builders fill the
 * rest (a Login Response, sent before a connection has a command window, takes them as arguments).
 *
 * <p>Ownership: every {@code ByteBuf} passed in moves into the returned Pdu.
 */
public final class TargetPdus {
    // Flags (byte 1)
    private static final int F = Bhs.F_BIT;
    public static final int OVERFLOW = 0x04;   // O bit: SCSI Response and Data-In
    public static final int UNDERFLOW = 0x02;  // U bit: SCSI Response and Data-In
    private static final int DATA_IN_STATUS = 0x01;

    /** Logout Response codes (RFC 7143 11.15.1). */
    public static final int LOGOUT_SUCCESS = 0;
    public static final int LOGOUT_CID_NOT_FOUND = 1;
    /** "connection recovery is not supported" (we run ErrorRecoveryLevel 0). */
    public static final int LOGOUT_RECOVERY_NOT_SUPPORTED = 2;
    /** AsyncEvent 1 (RFC 7143 11.9.1): the target requests a logout within Parameter3 seconds. */
    public static final int ASYNC_LOGOUT_REQUESTED = 1;

    // Offsets of single PDU kinds
    private static final int RESPONSE = 2;          // SCSI Response, TMF Response, Logout Response
    private static final int STATUS = 3;            // SCSI Response, Data-In
    private static final int EXP_DATA_SN = 36;      // SCSI Response
    private static final int DATA_SN = 36;          // Data-In, R2T (R2TSN)
    private static final int BUFFER_OFFSET = 40;    // Data-In, R2T
    private static final int DESIRED_LENGTH = 44;   // R2T
    private static final int RESIDUAL_COUNT = 44;   // SCSI Response, Data-In
    private static final int TIME_2_WAIT = 40;      // Logout Response
    private static final int TIME_2_RETAIN = 42;
    private static final int ASYNC_EVENT = 36;      // Async Message
    private static final int ASYNC_PARAMETER_1 = 38;
    private static final int ASYNC_PARAMETER_2 = 40;
    private static final int ASYNC_PARAMETER_3 = 42;
    private static final int REJECT_REASON = 2;     // Reject
    private static final int LOGIN_VERSION_MAX = 2; // Login Response
    private static final int LOGIN_VERSION_ACTIVE = 3;
    private static final int LOGIN_ISID = 8;
    private static final int LOGIN_TSIH = 14;
    private static final int LOGIN_STATUS = 36;    // Status-Class, then Status-Detail

    private TargetPdus() {
    }

    /** Residual of a command (RFC 7143 11.4.5): kind and count. */
    public record Residual(int flag, int count) {
        public static final Residual NONE = new Residual(0, 0);

        /**
         * Compares the bytes the CDB called for with the EDTL (RFC 7143 11.4.5.1/11.4.5.2).
         *
         * @param transferLength bytes the command would move, or negative when unknown (no residual)
         */
        public static Residual of(long transferLength, long edtl) {
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

    /** Fills StatSN, ExpCmdSN and MaxCmdSN of an outbound PDU; returns it. */
    public static Pdu stamp(Pdu p, int statSn, int expCmdSn, int maxCmdSn) {
        return p.setU32(Bhs.STAT_SN, statSn).setU32(Bhs.EXP_CMD_SN, expCmdSn).setU32(Bhs.MAX_CMD_SN, maxCmdSn);
    }

    /** Fills ExpCmdSN and MaxCmdSN only (StatSN left 0: Data-In without the S bit, RFC 7143 11.7.4). */
    public static Pdu stampWindow(Pdu p, int expCmdSn, int maxCmdSn) {
        return p.setU32(Bhs.EXP_CMD_SN, expCmdSn).setU32(Bhs.MAX_CMD_SN, maxCmdSn);
    }

    /** SCSI Response (RFC 7143 11.4); {@code data} is the sense segment or null. */
    public static Pdu scsiResponse(int itt, int status, Residual residual, int expDataSn, ByteBuf data) {
        Pdu p = Pdu.create(Opcode.SCSI_RESPONSE);
        p.setFlags(F | residual.flag());
        p.setU8(RESPONSE, 0x00);                // Response: Command Completed at Target
        p.setU8(STATUS, status);
        p.setItt(itt);
        p.setU32(EXP_DATA_SN, expDataSn);       // ExpDataSN: R2Ts + Data-In sent for the command
        p.setU32(RESIDUAL_COUNT, residual.count());
        p.setData(data);
        return p;
    }

    /**
     * The data segment of a SCSI Response carrying autosense (RFC 7143 11.4.7): SenseLength (2 bytes)
     * followed by the sense bytes.
     */
    public static ByteBuf senseSegment(byte[] sense) {
        ByteBuf b = Unpooled.buffer(2 + sense.length);
        b.writeShort(sense.length);
        b.writeBytes(sense);
        return b;
    }

    /**
     * Data-In (RFC 7143 11.7). With {@code status >= 0} the S bit is set, and the status and
     * residual are carried (phase collapse, 11.7.3).
     */
    public static Pdu dataIn(long lun, int itt, int dataSn, int bufferOffset, boolean finalBit, int status,
                             Residual residual, ByteBuf data) {
        Pdu p = Pdu.create(Opcode.DATA_IN);
        int flags = finalBit ? F : 0;
        if (status >= 0) {
            flags |= DATA_IN_STATUS | residual.flag();
            p.setU8(STATUS, status);
            p.setU32(RESIDUAL_COUNT, residual.count());
        }
        p.setFlags(flags);
        p.setLun(lun);
        p.setItt(itt);
        p.setU32(Bhs.TTT, Bhs.RESERVED_TAG);
        p.setU32(DATA_SN, dataSn);
        p.setU32(BUFFER_OFFSET, bufferOffset);
        p.setData(data);
        return p;
    }

    /** R2T (RFC 7143 11.8). */
    public static Pdu r2t(long lun, int itt, int ttt, int r2tSn, int bufferOffset, int desiredLength) {
        Pdu p = Pdu.create(Opcode.R2T);
        p.setFlags(F);
        p.setLun(lun);
        p.setItt(itt);
        p.setU32(Bhs.TTT, ttt);
        p.setU32(DATA_SN, r2tSn);
        p.setU32(BUFFER_OFFSET, bufferOffset);
        p.setU32(DESIRED_LENGTH, desiredLength);
        return p;
    }

    /** NOP-In (RFC 7143 11.19): an answer (itt set, ttt reserved) or a ping (itt reserved, ttt set). */
    public static Pdu nopIn(long lun, int itt, int ttt, ByteBuf data) {
        Pdu p = Pdu.create(Opcode.NOP_IN);
        p.setFlags(F);
        p.setLun(lun);
        p.setItt(itt);
        p.setU32(Bhs.TTT, ttt);
        p.setData(data);
        return p;
    }

    /** Task Management Function Response (RFC 7143 11.6). */
    public static Pdu taskManagementResponse(int itt, int response) {
        Pdu p = Pdu.create(Opcode.TASK_MGMT_RESPONSE);
        p.setFlags(F);
        p.setU8(RESPONSE, response);
        p.setItt(itt);
        return p;
    }

    /** Logout Response (RFC 7143 11.15). */
    public static Pdu logoutResponse(int itt, int response, int time2Wait, int time2Retain) {
        Pdu p = Pdu.create(Opcode.LOGOUT_RESPONSE);
        p.setFlags(F);
        p.setU8(RESPONSE, response);
        p.setItt(itt);
        p.setU16(TIME_2_WAIT, time2Wait);
        p.setU16(TIME_2_RETAIN, time2Retain);
        return p;
    }

    /**
     * Text Response (RFC 7143 11.11) with the given flags (F, or C while more follows, or neither for the
     * empty answer to a continued request). With a TTT the request's LUN is copied (11.11.4).
     */
    public static Pdu textResponse(int itt, int flags, int ttt, long lun, ByteBuf data) {
        Pdu p = Pdu.create(Opcode.TEXT_RESPONSE);
        p.setFlags(flags);
        p.setItt(itt);
        p.setU32(Bhs.TTT, ttt);
        if (ttt != Bhs.RESERVED_TAG) {
            p.setLun(lun);
        }
        if (data != null) {
            p.setData(data);
        }
        return p;
    }

    /**
     * Reject (RFC 7143 11.17): the data segment is a copy of the complete offending BHS (11.17.1, "Complete
     * Header of Bad PDU"). The sequence numbers are stamped when the connection sends it (11.17.3: StatSN
     * advances after a Reject).
     */
    public static Pdu reject(RejectReason reason, byte[] offendingBhs) {
        if (offendingBhs.length != Pdu.BHS_LENGTH) {
            throw new IllegalArgumentException("offending BHS must be 48 bytes");
        }
        Pdu p = Pdu.create(Opcode.REJECT);
        p.setFlags(F);
        p.setU8(REJECT_REASON, reason.code());
        p.setItt(Bhs.RESERVED_TAG);             // 11.17: reserved, set to 0xffffffff
        p.setData(Unpooled.wrappedBuffer(offendingBhs.clone()));
        return p;
    }

    /** Asynchronous Message (RFC 7143 11.9). */
    public static Pdu asyncMessage(int asyncEvent, int parameter1, int parameter2, int parameter3) {
        Pdu p = Pdu.create(Opcode.ASYNC_MESSAGE);
        p.setFlags(F);
        p.setItt(Bhs.RESERVED_TAG);
        p.setU8(ASYNC_EVENT, asyncEvent);
        p.setU16(ASYNC_PARAMETER_1, parameter1);
        p.setU16(ASYNC_PARAMETER_2, parameter2);
        p.setU16(ASYNC_PARAMETER_3, parameter3);
        return p;
    }

    /**
     * Login Response (RFC 7143 11.13), sequence numbers included. {@code text} moves in (may be null).
     *
     * @param flags byte 1 (T, C, CSG, NSG)
     */
    public static Pdu loginResponse(int flags, long isid, int tsih, int itt, int statSn, int expCmdSn, int maxCmdSn,
                                    LoginStatus status, ByteBuf text) {
        Pdu p = Pdu.create(Opcode.LOGIN_RESPONSE);
        p.setFlags(flags);
        p.setU8(LOGIN_VERSION_MAX, 0x00).setU8(LOGIN_VERSION_ACTIVE, 0x00); // 11.13.3: both 0x00
        p.setU16(LOGIN_ISID, (int) (isid >>> 32)).setU32(LOGIN_ISID + 2, (int) isid);
        p.setU16(LOGIN_TSIH, tsih);
        p.setItt(itt);
        stamp(p, statSn, expCmdSn, maxCmdSn);
        p.setU16(LOGIN_STATUS, status.code());
        if (text != null) {
            p.setData(text);
        }
        return p;
    }
}
