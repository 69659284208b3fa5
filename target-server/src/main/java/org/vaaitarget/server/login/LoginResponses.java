package org.vaaitarget.server.login;

import org.vaaitarget.server.pdu.LoginStatus;
import io.netty.buffer.ByteBuf;
import org.vaaitarget.server.pdu.TargetPdus;
import org.vaaitarget.server.pdu.Pdu;

/** Builds Login Response PDUs (RFC 7143 11.13). */
final class LoginResponses {
    static final int VERSION = 0x00; // RFC 7143 11.13.3: Version-max and Version-active are 0x00

    private LoginResponses() {
    }

    /**
     * A Login Response. {@code text} moves into the returned Pdu (may be null).
     *
     * @param transit T bit; {@code cont} C bit; csg/nsg stage codes
     */
    static Pdu response(LoginRequest req, boolean transit, boolean cont, int csg, int nsg, int tsih,
                        int statSn, int expCmdSn, int maxCmdSn, LoginStatus status, ByteBuf text) {
        int flags = (transit ? LoginRequest.T_BIT : 0) | (cont ? LoginRequest.C_BIT : 0) | ((csg & 3) << 2)
                | (transit ? nsg & 3 : 0);
        return TargetPdus.loginResponse(flags, req.isidValue(), tsih, req.itt(), statSn, expCmdSn, maxCmdSn,
                status, text);
    }
}
