package org.vaaitarget.core.scsi.sense;

import static org.vaaitarget.core.scsi.sense.SenseKey.*;

/**
 * THE table of every sense condition this target reports: sense key plus ASC/ASCQ (SPC-5 Annex F.2).
 * Call sites name a row here; nobody builds (key, asc, ascq) triples by hand.
 */
public enum SenseReason {
    // --- ILLEGAL REQUEST (05h)
    INVALID_COMMAND_OPERATION_CODE(ILLEGAL_REQUEST, 0x20, 0x00),
    LBA_OUT_OF_RANGE(ILLEGAL_REQUEST, 0x21, 0x00),
    INVALID_FIELD_IN_CDB(ILLEGAL_REQUEST, 0x24, 0x00),
    LOGICAL_UNIT_NOT_SUPPORTED(ILLEGAL_REQUEST, 0x25, 0x00),
    INVALID_FIELD_IN_PARAMETER_LIST(ILLEGAL_REQUEST, 0x26, 0x00),
    PARAMETER_LIST_LENGTH_ERROR(ILLEGAL_REQUEST, 0x1A, 0x00),
    PARAMETER_VALUE_INVALID(ILLEGAL_REQUEST, 0x26, 0x02),
    SAVING_PARAMETERS_NOT_SUPPORTED(ILLEGAL_REQUEST, 0x39, 0x00),
    INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT(ILLEGAL_REQUEST, 0x0E, 0x03),
    MEDIUM_REMOVAL_PREVENTED(ILLEGAL_REQUEST, 0x53, 0x02),
    COPY_TARGET_DEVICE_NOT_REACHABLE(COPY_ABORTED, 0x0D, 0x02),
    INVALID_COPY_TARGET_DEVICE_TYPE(ILLEGAL_REQUEST, 0x0D, 0x03),
    TOO_MANY_TARGET_DESCRIPTORS(ILLEGAL_REQUEST, 0x26, 0x06),
    UNSUPPORTED_TARGET_DESCRIPTOR_TYPE_CODE(ILLEGAL_REQUEST, 0x26, 0x07),
    TOO_MANY_SEGMENT_DESCRIPTORS(ILLEGAL_REQUEST, 0x26, 0x08),
    UNSUPPORTED_SEGMENT_DESCRIPTOR_TYPE_CODE(ILLEGAL_REQUEST, 0x26, 0x09),
    /** SPC-4 6.4.3.7: EXTENDED COPY INLINE DATA LENGTH above the advertised maximum. */
    INLINE_DATA_LENGTH_EXCEEDED(ILLEGAL_REQUEST, 0x26, 0x0B),
    OPERATION_IN_PROGRESS(ILLEGAL_REQUEST, 0x00, 0x16),
    /** SPC-5 5.14.11.2.1: RELEASE by the holder with a TYPE other than the reservation's. */
    INVALID_RELEASE_OF_PERSISTENT_RESERVATION(ILLEGAL_REQUEST, 0x26, 0x04),
    /** SPC-5 5.14.7: no room for another registration. */
    INSUFFICIENT_REGISTRATION_RESOURCES(ILLEGAL_REQUEST, 0x55, 0x04),

    // --- NOT READY (02h)
    /** 04h/00h: the LU cannot serve media commands now (store closed, target shutting down). */
    LOGICAL_UNIT_NOT_READY_CAUSE_NOT_REPORTABLE(NOT_READY, 0x04, 0x00),
    LOGICAL_UNIT_NOT_READY_BECOMING_READY(NOT_READY, 0x04, 0x01),
    LOGICAL_UNIT_NOT_READY_INITIALIZING_REQUIRED(NOT_READY, 0x04, 0x02),
    /** SPC-5 5.16.2.5: the target port's group is unavailable (a fenced gateway); the host retries elsewhere. */
    LOGICAL_UNIT_NOT_ACCESSIBLE_TARGET_PORT_UNAVAILABLE(NOT_READY, 0x04, 0x0C),
    MEDIUM_NOT_PRESENT(NOT_READY, 0x3A, 0x00),
    /** SBC-4 4.11: with the progress indication in the sense-key-specific bytes. */
    LOGICAL_UNIT_NOT_READY_SANITIZE_IN_PROGRESS(NOT_READY, 0x04, 0x1B),

    // --- UNIT ATTENTION (06h)
    POWER_ON_RESET_OR_BUS_DEVICE_RESET(UNIT_ATTENTION, 0x29, 0x00),
    POWER_ON_OCCURRED(UNIT_ATTENTION, 0x29, 0x01),
    BUS_DEVICE_RESET_FUNCTION_OCCURRED(UNIT_ATTENTION, 0x29, 0x03),
    I_T_NEXUS_LOSS_OCCURRED(UNIT_ATTENTION, 0x29, 0x07),
    MODE_PARAMETERS_CHANGED(UNIT_ATTENTION, 0x2A, 0x01),
    RESERVATIONS_PREEMPTED(UNIT_ATTENTION, 0x2A, 0x03),
    RESERVATIONS_RELEASED(UNIT_ATTENTION, 0x2A, 0x04),
    REGISTRATIONS_PREEMPTED(UNIT_ATTENTION, 0x2A, 0x05),
    CAPACITY_DATA_HAS_CHANGED(UNIT_ATTENTION, 0x2A, 0x09),
    COMMANDS_CLEARED_BY_ANOTHER_INITIATOR(UNIT_ATTENTION, 0x2F, 0x00),
    REPORTED_LUNS_DATA_HAS_CHANGED(UNIT_ATTENTION, 0x3F, 0x0E),
    INQUIRY_DATA_HAS_CHANGED(UNIT_ATTENTION, 0x3F, 0x03),
    THIN_PROVISIONING_SOFT_THRESHOLD_REACHED(UNIT_ATTENTION, 0x38, 0x07),

    // --- MEDIUM / HARDWARE ERROR
    READ_ERROR(MEDIUM_ERROR, 0x11, 0x00),
    WRITE_ERROR(MEDIUM_ERROR, 0x0C, 0x00),
    /** SBC-4 4.11: medium access in sanitize failure mode. */
    SANITIZE_COMMAND_FAILED(MEDIUM_ERROR, 0x31, 0x03),
    INTERNAL_TARGET_FAILURE(HARDWARE_ERROR, 0x44, 0x00),

    // --- DATA PROTECT (07h)
    WRITE_PROTECTED(DATA_PROTECT, 0x27, 0x00),
    SPACE_ALLOCATION_FAILED_WRITE_PROTECT(DATA_PROTECT, 0x27, 0x07),

    // --- MISCOMPARE (0Eh)
    /** SBC-4 5.3 COMPARE AND WRITE / 5.34 VERIFY with BYTCHK: INFORMATION = offset of first differing byte. */
    MISCOMPARE_DURING_VERIFY_OPERATION(MISCOMPARE, 0x1D, 0x00),

    // --- ABORTED COMMAND (0Bh)
    COMMAND_ABORTED_OVERLAPPED_COMMANDS(ABORTED_COMMAND, 0x4E, 0x00),
    COMMAND_ABORTED_NO_ADDITIONAL_SENSE(ABORTED_COMMAND, 0x00, 0x00),
    DATA_PHASE_ERROR(ABORTED_COMMAND, 0x4B, 0x00),

    // --- COPY ABORTED (0Ah)
    /**
     * EXTENDED COPY segment that cannot be carried out (e.g. beyond the end of a copy target): the
     * field pointer names the segment descriptor field. libiscsi accepts 00h/00h, 08h/04h or 0Dh/02h.
     */
    COPY_ABORTED_NO_ADDITIONAL_SENSE(COPY_ABORTED, 0x00, 0x00),

    // --- NO SENSE (REQUEST SENSE with nothing pending)
    NO_ADDITIONAL_SENSE_INFORMATION(NO_SENSE, 0x00, 0x00);

    private final SenseKey key;
    private final int asc;
    private final int ascq;

    SenseReason(SenseKey key, int asc, int ascq) {
        this.key = key;
        this.asc = asc;
        this.ascq = ascq;
    }

    public SenseKey key() {
        return key;
    }

    public int asc() {
        return asc;
    }

    public int ascq() {
        return ascq;
    }

    /** Sense data for this reason with no INFORMATION field. */
    public SenseData sense() {
        return SenseData.of(this);
    }
}
