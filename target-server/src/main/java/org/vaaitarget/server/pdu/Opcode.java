package org.vaaitarget.server.pdu;

/** iSCSI PDU opcodes (RFC 7143 11.2.1.2). */
public enum Opcode {
    // Initiator opcodes
    NOP_OUT(0x00),
    SCSI_COMMAND(0x01),
    TASK_MGMT_REQUEST(0x02),
    LOGIN_REQUEST(0x03),
    TEXT_REQUEST(0x04),
    DATA_OUT(0x05),
    LOGOUT_REQUEST(0x06),
    SNACK_REQUEST(0x10),
    // Target opcodes
    NOP_IN(0x20),
    SCSI_RESPONSE(0x21),
    TASK_MGMT_RESPONSE(0x22),
    LOGIN_RESPONSE(0x23),
    TEXT_RESPONSE(0x24),
    DATA_IN(0x25),
    LOGOUT_RESPONSE(0x26),
    R2T(0x31),
    ASYNC_MESSAGE(0x32),
    REJECT(0x3F);

    private static final CodeTable<Opcode> BY_CODE = new CodeTable<>(values(), Opcode::code, 0x3F);

    private final int code;

    Opcode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The opcode for a 6-bit wire value, or null when it is not defined. */
    public static Opcode of(int code) {
        return BY_CODE.of(code);
    }
}
