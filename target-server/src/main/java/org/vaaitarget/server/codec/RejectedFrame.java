package org.vaaitarget.server.codec;

import org.vaaitarget.server.pdu.RejectReason;

/**
 * Emitted by {@link IscsiFrameDecoder} instead of a Pdu when a frame was read completely but must be
 * rejected (data digest error, data segment above our MaxRecvDataSegmentLength). Its data was
 * discarded. The handler of the current phase answers it with a Reject (see
 * {@link org.vaaitarget.server.pdu.TargetPdus}), because only it knows StatSN/ExpCmdSN/MaxCmdSN.
 * Holds no buffers: nothing to release.
 *
 * @param bhs    the offending PDU's BHS (48 bytes, owned by this record)
 * @param reason the reject reason
 */
public record RejectedFrame(byte[] bhs, RejectReason reason) {
}
