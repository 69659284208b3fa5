package org.vaaitarget.server.task;

import io.netty.buffer.ByteBuf;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.DataDirection;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.server.task.FfpConnection.StatSn;
import org.vaaitarget.server.task.TargetPdus.Residual;

/**
 * Turns a task's result into Data-In and SCSI Response PDUs (RFC 7143 11.4, 11.7).
 *
 * <ul>
 * <li>Data-In: {@code min(dataIn, EDTL)} bytes in PDUs of at most MaxXmitDataSegmentLength (the
 * initiator's MaxRecvDataSegmentLength), DataSN from 0, buffer offsets, and F on the last PDU of
 * every Data-In sequence of at most MaxBurstLength bytes and on the very last one (11.7.1).</li>
 * <li>Phase collapse (11.7.3): with status GOOD and data, the last Data-In carries S, the status,
 * the residual and StatSN; no SCSI Response follows.</li>
 * <li>Otherwise a SCSI Response follows the data; with CHECK CONDITION its data segment is
 * SenseLength + sense (11.4.7).</li>
 * <li>Residuals (11.4.5): the bytes the CDB called for ({@link CommandResult#transferLength()})
 * against the EDTL: fewer = underflow (U), more = overflow (O).</li>
 * </ul>
 */
final class ResponseWriter {
    private final FfpConnection conn;

    ResponseWriter(FfpConnection conn) {
        this.conn = conn;
    }

    /**
     * Sends the response of a completed task. Ownership of {@code result.dataIn()} moves here (it is
     * released after writing, or at once).
     */
    void send(IscsiTask task, CommandResult result) {
        ByteBuf dataIn = result.dataIn();
        int status = result.status().code();
        Residual residual = Residual.of(result.transferLength(), task.edtl);
        int toSend = 0;
        if (dataIn != null && task.direction == DataDirection.READ) {
            toSend = (int) Math.min(dataIn.readableBytes(), task.edtl & 0xFFFFFFFFL);
        }
        boolean collapse = toSend > 0 && result.status() == ScsiStatus.GOOD && result.sense() == null;
        int dataSns = 0;
        try {
            if (toSend > 0) {
                dataSns = writeDataIn(task, dataIn, toSend, collapse ? status : -1, residual);
            }
        } finally {
            if (dataIn != null) {
                dataIn.release();
            }
        }
        if (!collapse) {
            ByteBuf sense = result.sense() == null ? null : TargetPdus.senseSegment(result.sense());
            int expDataSn = task.direction == DataDirection.READ ? dataSns : task.r2tCount();
            conn.write(TargetPdus.scsiResponse(task.itt, status, residual, expDataSn, sense), StatSn.ADVANCE);
        }
        conn.flush();
    }

    /** Sends a status without data (early failures, BUSY). */
    void sendStatus(int itt, ScsiStatus status, byte[] sense, int expDataSn) {
        ByteBuf data = sense == null ? null : TargetPdus.senseSegment(sense);
        conn.send(TargetPdus.scsiResponse(itt, status.code(), Residual.NONE, expDataSn, data), StatSn.ADVANCE);
    }

    /** @return the number of Data-In PDUs written */
    private int writeDataIn(IscsiTask task, ByteBuf dataIn, int total, int finalStatus, Residual residual) {
        int maxSegment = Math.max(512, conn.params.maxXmitDataSegmentLength());
        int maxBurst = Math.max(maxSegment, conn.params.maxBurstLength());
        int base = dataIn.readerIndex();
        int offset = 0;
        int dataSn = 0;
        int burstLeft = maxBurst;
        while (offset < total) {
            int len = Math.min(Math.min(maxSegment, total - offset), burstLeft);
            boolean last = offset + len == total;
            burstLeft -= len;
            boolean endOfSequence = last || burstLeft == 0;
            if (burstLeft == 0) {
                burstLeft = maxBurst;
            }
            ByteBuf slice = dataIn.retainedSlice(base + offset, len);
            boolean withStatus = last && finalStatus >= 0;
            conn.write(TargetPdus.dataIn(task.lun, task.itt, dataSn++, offset, endOfSequence,
                    withStatus ? finalStatus : -1, residual, slice), withStatus ? StatSn.ADVANCE : StatSn.NONE);
            offset += len;
        }
        return dataSn;
    }
}
