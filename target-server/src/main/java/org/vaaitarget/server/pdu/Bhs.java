package org.vaaitarget.server.pdu;

/**
 * The one place for the BHS layout constants shared by several PDU kinds (RFC 7143 11.2.1 and the
 * per-PDU sections of 11). Fields that belong to one PDU kind are read through its view in
 * {@link InitiatorPdus} and written by its builder in {@link TargetPdus}.
 */
public final class Bhs {
    /** The reserved tag value 0xFFFFFFFF (RFC 7143 11.2.1.8 ITT, and "no TTT" in 11.7.4, 11.18.4). */
    public static final int RESERVED_TAG = 0xFFFFFFFF;

    /** Byte 1: the F (final) bit. */
    public static final int F_BIT = 0x80;
    /** Byte 1 of Text and Login PDUs: the C (continue) bit (RFC 7143 11.10.2, 11.12.2). */
    public static final int C_BIT = 0x40;

    /** Initiator Task Tag, bytes 16..19, every PDU. */
    public static final int ITT = 16;
    /** Target Transfer Tag, bytes 20..23 (Data-Out, NOP, Text, R2T, Data-In). */
    public static final int TTT = 20;

    /** Initiator PDUs: CmdSN, bytes 24..27. */
    public static final int CMD_SN = 24;
    /** Initiator PDUs: ExpStatSN, bytes 28..31. */
    public static final int EXP_STAT_SN = 28;

    /** Target PDUs: StatSN, bytes 24..27. */
    public static final int STAT_SN = 24;
    /** Target PDUs: ExpCmdSN, bytes 28..31. */
    public static final int EXP_CMD_SN = 28;
    /** Target PDUs: MaxCmdSN, bytes 32..35. */
    public static final int MAX_CMD_SN = 32;

    private Bhs() {
    }
}
