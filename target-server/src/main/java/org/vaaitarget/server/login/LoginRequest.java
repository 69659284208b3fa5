package org.vaaitarget.server.login;

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
    public static final int T_BIT = 0x80;
    public static final int C_BIT = 0x40;

    public static LoginRequest of(Pdu p) {
        int flags = p.flags();
        String isid = String.format("%04x%08x", p.u16(8), p.u32(10));
        return new LoginRequest((flags & T_BIT) != 0, (flags & C_BIT) != 0, (flags >> 2) & 3, flags & 3,
                p.u8(2), p.u8(3), isid, p.u16(14), p.itt(), p.u16(20), p.u32(24), p.u32(28));
    }

    /** ISID as the 6-byte wire value. */
    public long isidValue() {
        return Long.parseLong(isid, 16);
    }
}
