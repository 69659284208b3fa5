package org.vaaitarget.server.task;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.DataDirection;
import org.vaaitarget.core.scsi.FileDataIn;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.server.codec.IscsiFrameDecoder;
import org.vaaitarget.server.pdu.Pdu;
import org.vaaitarget.server.session.Connection.StatSn;
import org.vaaitarget.server.pdu.TargetPdus;
import org.vaaitarget.server.pdu.TargetPdus.Residual;

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
 * <li>Data-In from the backing file ({@link FileDataIn}, no data digests): each PDU's header, then a
 * file region (sendfile) and padding as separate messages; the range lock that keeps the bytes
 * stable is released once the last of them is written.</li>
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
     * Sends the response of a completed task. Ownership of the result's Data-In moves here (released
     * after writing, or at once).
     */
    void send(IscsiTask task, CommandResult result) {
        int status = result.status().code();
        Residual residual = Residual.of(result.transferLength(), task.edtl);
        int toSend = 0;
        if (task.direction == DataDirection.READ) {
            toSend = (int) Math.min(result.dataInLength(), task.edtl);
        }
        boolean collapse = toSend > 0 && result.status() == ScsiStatus.GOOD && result.sense() == null;
        int dataSns = 0;
        if (toSend > 0 && result.dataInFile() != null) {
            dataSns = writeDataIn(task, toSend, collapse ? status : -1, residual, new FileSegments(result.dataInFile()));
        } else {
            try {
                if (toSend > 0) {
                    dataSns = writeDataIn(task, toSend, collapse ? status : -1, residual, new BufferSegments(result.dataIn()));
                }
            } finally {
                result.releaseData();
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

    /** Where the Data-In bytes come from: writes one PDU and its data segment. */
    private interface Segments {
        void write(Pdu header, StatSn use, int offset, int length, boolean last);
    }

    /** From a buffer: each PDU carries a slice of it. The caller releases the buffer. */
    private final class BufferSegments implements Segments {
        private final ByteBuf data;

        BufferSegments(ByteBuf data) {
            this.data = data;
        }

        @Override
        public void write(Pdu header, StatSn use, int offset, int length, boolean last) {
            conn.write(header.setData(data.retainedSlice(data.readerIndex() + offset, length)), use);
        }
    }

    /**
     * From the backing file (zero-copy): each PDU's header, then a file region and its padding as
     * separate messages. The file's claim (the read's range lock) ends when the last region has been
     * written or has failed to be (the connection closed), never before.
     */
    private final class FileSegments implements Segments {
        private final FileDataIn file;

        FileSegments(FileDataIn file) {
            this.file = file;
        }

        @Override
        public void write(Pdu header, StatSn use, int offset, int length, boolean last) {
            ChannelFuture written;
            try {
                conn.write(header.declareExternalData(length), use);
                written = conn.writeRaw(new SharedFileRegion(file.channel(), file.position() + offset, length));
                int pad = IscsiFrameDecoder.padding(length);
                if (pad > 0) {
                    written = conn.writeRaw(Unpooled.wrappedBuffer(new byte[pad]));
                }
            } catch (RuntimeException e) {
                file.release();
                throw e;
            }
            if (last) {
                written.addListener(f -> file.release());
            }
        }
    }

    /** @return the number of Data-In PDUs written */
    private int writeDataIn(IscsiTask task, int total, int finalStatus, Residual residual, Segments segments) {
        int maxSegment = Math.max(512, conn.params.maxXmitDataSegmentLength());
        int maxBurst = Math.max(maxSegment, conn.params.maxBurstLength());
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
            boolean withStatus = last && finalStatus >= 0;
            Pdu header = TargetPdus.dataIn(task.lun, task.itt, dataSn++, offset, endOfSequence,
                    withStatus ? finalStatus : -1, residual, null);
            segments.write(header, withStatus ? StatSn.ADVANCE : StatSn.NONE, offset, len, last);
            offset += len;
        }
        return dataSn;
    }
}
