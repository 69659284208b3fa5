package org.vaaitarget.server.pdu;

import io.netty.buffer.Unpooled;

/**
 * Builds Reject PDUs (RFC 7143 11.17). Used by the discovery handler, the login layer and the
 * full-feature handler alike, so the layout lives in one place.
 *
 * <p>RFC 7143 11.17.3: StatSN, ExpCmdSN and MaxCmdSN carry their usual values; the StatSN is
 * advanced after a Reject, so the caller passes the StatSN it assigns and then increments its own.
 */
public final class Rejects {
    /** Offset of the Reason byte. */
    public static final int REASON = 2;
    public static final int STAT_SN = 24;
    public static final int EXP_CMD_SN = 28;
    public static final int MAX_CMD_SN = 32;
    public static final int DATA_SN = 36;

    private Rejects() {
    }

    /**
     * A Reject whose data segment is the offending PDU's header (RFC 7143 11.17: "Complete Header of
     * Bad PDU"). The returned Pdu owns a fresh heap buffer; whoever writes it lets the encoder release it.
     *
     * @param reason      the reason code
     * @param offendingBhs the 48-byte BHS of the rejected PDU (copied)
     * @param statSn      the StatSN this Reject carries
     * @param expCmdSn    current ExpCmdSN
     * @param maxCmdSn    current MaxCmdSN
     */
    public static Pdu reject(RejectReason reason, byte[] offendingBhs, int statSn, int expCmdSn, int maxCmdSn) {
        if (offendingBhs.length != Pdu.BHS_LENGTH) {
            throw new IllegalArgumentException("offending BHS must be 48 bytes");
        }
        Pdu p = Pdu.create(Opcode.REJECT);
        p.setFlags(0x80);
        p.setU8(REASON, reason.code());
        p.setItt(0xFFFFFFFF); // 11.17: reserved, set to 0xffffffff
        p.setU32(STAT_SN, statSn).setU32(EXP_CMD_SN, expCmdSn).setU32(MAX_CMD_SN, maxCmdSn);
        p.setData(Unpooled.wrappedBuffer(offendingBhs.clone()));
        return p;
    }
}
