package org.vaaitarget.server.task;

/** Reject reason codes (RFC 7143 11.17.1). Only the ones this target sends. */
public enum RejectReason {
    /** 0x04: the PDU breaks a protocol rule (SNACK at ERL 0, reserved tag, unsolicited data not allowed). */
    PROTOCOL_ERROR(0x04),
    /** 0x05: undefined or unsupported opcode. */
    COMMAND_NOT_SUPPORTED(0x05),
    /** 0x06: too many immediate commands. */
    IMMEDIATE_COMMAND_REJECT(0x06),
    /** 0x07: the Initiator Task Tag is already in use by an active task (IET/SCST use this too). */
    TASK_IN_PROGRESS(0x07),
    /** 0x09: a field of the PDU has an invalid value. */
    INVALID_PDU_FIELD(0x09),
    /** 0x0c: the target is waiting for the initiator to log out (after Async Message event 1). */
    WAITING_FOR_LOGOUT(0x0c);

    private final int code;

    RejectReason(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
