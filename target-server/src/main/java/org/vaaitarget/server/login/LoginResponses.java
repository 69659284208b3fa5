package org.vaaitarget.server.login;

import io.netty.buffer.ByteBuf;
import org.vaaitarget.server.pdu.Opcode;
import org.vaaitarget.server.pdu.Pdu;

/** Builds Login Response PDUs (RFC 7143 11.13). */
final class LoginResponses {
    static final int VERSION = 0x00; // RFC 7143 11.13.3: Version-max and Version-active are 0x00
    static final int STAT_SN = 24;
    static final int EXP_CMD_SN = 28;
    static final int MAX_CMD_SN = 32;
    static final int STATUS_CLASS = 36;
    static final int STATUS_DETAIL = 37;

    private LoginResponses() {
    }

    /**
     * A Login Response. {@code text} moves into the returned Pdu (may be null).
     *
     * @param transit T bit; {@code cont} C bit; csg/nsg stage codes
     */
    static Pdu response(LoginRequest req, boolean transit, boolean cont, int csg, int nsg, int tsih,
                        int statSn, int expCmdSn, int maxCmdSn, LoginStatus status, ByteBuf text) {
        Pdu p = Pdu.create(Opcode.LOGIN_RESPONSE);
        int flags = (transit ? LoginRequest.T_BIT : 0) | (cont ? LoginRequest.C_BIT : 0) | ((csg & 3) << 2)
                | (transit ? nsg & 3 : 0);
        p.setFlags(flags);
        p.setU8(2, VERSION).setU8(3, VERSION);
        p.setU16(8, (int) (req.isidValue() >>> 32)).setU32(10, (int) req.isidValue());
        p.setU16(14, tsih);
        p.setItt(req.itt());
        p.setU32(STAT_SN, statSn).setU32(EXP_CMD_SN, expCmdSn).setU32(MAX_CMD_SN, maxCmdSn);
        p.setU8(STATUS_CLASS, status.statusClass()).setU8(STATUS_DETAIL, status.detail());
        if (text != null) {
            p.setData(text);
        }
        return p;
    }
}
