package org.vaaitarget.core.scsi;

import io.netty.buffer.ByteBuf;

/**
 * The outcome of a task, ready for the transport to send: status, sense bytes already laid out in
 * the format the logical unit's D_SENSE selects, and Data-In.
 *
 * <p>Residuals: the transport compares {@code transferLength} (what the CDB asked to move, after
 * allocation-length truncation) with the EDTL to set the iSCSI U/O bits and residual count
 * (RFC 7143 11.4.5). For reads the transport sends {@code min(dataIn, EDTL)} bytes.
 *
 * <p>Ownership: {@code dataIn} belongs to whoever holds the result; the transport releases it after
 * writing (or when it drops the response).
 *
 * @param status         SCSI status
 * @param sense          sense bytes, or null unless CHECK CONDITION
 * @param dataIn         Data-In payload, or null
 * @param transferLength bytes the CDB called for (Data-In or Data-Out), or -1 when unknown
 * @param aborted        true when the task was aborted (ABORT TASK, LUN RESET, ...): send no response
 */
public record CommandResult(ScsiStatus status, byte[] sense, ByteBuf dataIn, long transferLength, boolean aborted) {

    private static final CommandResult ABORTED = new CommandResult(ScsiStatus.TASK_ABORTED, null, null, -1, true);

    public static CommandResult good(long transferLength) {
        return new CommandResult(ScsiStatus.GOOD, null, null, transferLength, false);
    }

    /** GOOD with Data-In; transferLength is the data's length. */
    public static CommandResult goodWithData(ByteBuf dataIn) {
        return new CommandResult(ScsiStatus.GOOD, null, dataIn, dataIn.readableBytes(), false);
    }

    public static CommandResult checkCondition(byte[] sense) {
        return new CommandResult(ScsiStatus.CHECK_CONDITION, sense, null, -1, false);
    }

    public static CommandResult status(ScsiStatus status) {
        return new CommandResult(status, null, null, -1, false);
    }

    public static CommandResult abortedTask() {
        return ABORTED;
    }
}
