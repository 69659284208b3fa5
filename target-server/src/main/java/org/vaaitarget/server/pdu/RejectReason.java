package org.vaaitarget.server.pdu;

/**
 * Reject reason codes (RFC 7143 11.17.1); the target only sends them.
 */
public enum RejectReason {
    /** 0x02: data (payload) digest error; the PDU is discarded (RFC 7143 7.8 / 11.17.1). */
    DATA_DIGEST_ERROR(0x02),
    /** 0x03: SNACK Reject (ERL &gt; 0 only). */
    SNACK_REJECT(0x03),
    /** 0x04: protocol error, e.g. a data segment longer than our declared MaxRecvDataSegmentLength. */
    PROTOCOL_ERROR(0x04),
    /** 0x05: command (opcode) not supported. */
    COMMAND_NOT_SUPPORTED(0x05),
    /** 0x06: immediate command reject, too many immediate commands. */
    IMMEDIATE_COMMAND_REJECT(0x06),
    /** 0x07: task in progress. */
    TASK_IN_PROGRESS(0x07),
    /** 0x08: invalid data ack. */
    INVALID_DATA_ACK(0x08),
    /** 0x09: invalid PDU field. */
    INVALID_PDU_FIELD(0x09),
    /** 0x0a: long op reject, cannot generate a Target Transfer Tag, out of resources. */
    LONG_OP_REJECT(0x0A),
    /** 0x0c: waiting for Logout. */
    WAITING_FOR_LOGOUT(0x0C);

    private final int code;

    RejectReason(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
