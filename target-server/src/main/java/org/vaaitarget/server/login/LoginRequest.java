package org.vaaitarget.server.login;

import org.vaaitarget.server.pdu.InitiatorPdus;
import org.vaaitarget.server.pdu.Bhs;
import org.vaaitarget.server.pdu.Pdu;

/**
 * The fields of a Login Request BHS (RFC 7143 11.12), read once.
 *
 * @param transit   T bit
 * @param cont      C bit
 * @param csg       current stage code (0..3)
 * @param nsg       next stage code (0..3, meaningful only with T)
 * @param versionMax Version-max
 * @param versionMin Version-min
 * @param isid      ISID, 12 lower-case hex digits
 * @param tsih      TSIH
 * @param itt       Initiator Task Tag
 * @param cid       CID
 * @param cmdSn     CmdSN
 * @param expStatSn ExpStatSN
 */
public record LoginRequest(boolean transit, boolean cont, int csg, int nsg, int versionMax, int versionMin,
                           String isid, int tsih, int itt, int cid, int cmdSn, int expStatSn) {
    public static final int T_BIT = Bhs.F_BIT;
    public static final int C_BIT = Bhs.C_BIT;

    public static LoginRequest of(Pdu p) {
        InitiatorPdus.LoginRequest v = new InitiatorPdus.LoginRequest(p);
        return new LoginRequest(v.transit(), v.continues(), v.currentStage(), v.nextStage(), v.versionMax(),
                v.versionMin(), String.format("%012x", v.isid()), v.tsih(), v.itt(), v.cid(), v.cmdSn(), v.expStatSn());
    }

    /** ISID as the 6-byte wire value. */
    public long isidValue() {
        return Long.parseLong(isid, 16);
    }
}
