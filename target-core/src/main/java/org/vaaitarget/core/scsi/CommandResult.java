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
 * <p>Ownership: {@code dataIn} (or {@code dataInFile}) belongs to whoever holds the result; the
 * transport releases it after writing (or when it drops the response), with {@link #releaseData()}.
 *
 * @param status         SCSI status
 * @param sense          sense bytes, or null unless CHECK CONDITION
 * @param dataIn         Data-In payload, or null
 * @param transferLength bytes the CDB called for (Data-In or Data-Out), or -1 when unknown
 * @param aborted        true when the task was aborted (ABORT TASK, LUN RESET, ...): send no response
 * @param dataInFile     Data-In to send from the backing file instead of {@code dataIn}, or null
 */
public record CommandResult(ScsiStatus status, byte[] sense, ByteBuf dataIn, long transferLength, boolean aborted,
                            FileDataIn dataInFile) {

    /** A result whose Data-In, if any, is a buffer. */
    public CommandResult(ScsiStatus status, byte[] sense, ByteBuf dataIn, long transferLength, boolean aborted) {
        this(status, sense, dataIn, transferLength, aborted, null);
    }

    private static final CommandResult ABORTED = new CommandResult(ScsiStatus.TASK_ABORTED, null, null, -1, true);

    public static CommandResult good(long transferLength) {
        return new CommandResult(ScsiStatus.GOOD, null, null, transferLength, false);
    }

    /** GOOD with Data-In; transferLength is the data's length. */
    public static CommandResult goodWithData(ByteBuf dataIn) {
        return new CommandResult(ScsiStatus.GOOD, null, dataIn, dataIn.readableBytes(), false);
    }

    /** GOOD with Data-In sent from the backing file; transferLength is its length. */
    public static CommandResult goodWithFile(FileDataIn data) {
        return new CommandResult(ScsiStatus.GOOD, null, null, data.length(), false, data);
    }

    /** Bytes of Data-In available to send (from the buffer or the file). */
    public int dataInLength() {
        return dataIn != null ? dataIn.readableBytes() : dataInFile != null ? dataInFile.length() : 0;
    }

    /** Releases the Data-In (buffer or file claim) this result carries; safe to call more than once. */
    public void releaseData() {
        if (dataIn != null && dataIn.refCnt() > 0) {
            dataIn.release();
        }
        if (dataInFile != null) {
            dataInFile.release();
        }
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
