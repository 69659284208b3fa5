package org.vaaitarget.server.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.server.pdu.Pdu;
import org.vaaitarget.server.pdu.RejectReason;

/**
 * Splits the TCP byte stream into iSCSI PDUs (RFC 7143 11.2): BHS (48 bytes), AHS
 * (TotalAHSLength * 4 bytes), optional CRC32C header digest, data segment padded to a multiple of
 * 4, optional CRC32C data digest. The digest and size settings are read from the shared
 * {@link FramingState} at the start of every PDU.
 *
 * <p>Emits {@link Pdu} for good frames and {@link RejectedFrame} for frames to be rejected (data
 * digest error, data segment above our MaxRecvDataSegmentLength). Closes the connection, without
 * allocating the data segment, on a header digest error (ERL 0: RFC 7143 7.8, "the connection
 * MUST be dropped") or a data segment above {@link FrameLimits#hardLimit()}.
 *
 * <p>Ownership: the data of an emitted Pdu is a retained slice of the cumulation buffer
 * ({@code readRetainedSlice}); the Pdu owns that reference and its receiver releases it with
 * {@link Pdu#release()}. A slice keeps the cumulation alive until released; copying would cost a
 * memcpy per PDU, which we avoid until a measurement says otherwise (DESIGN.md 3).
 */
public final class IscsiFrameDecoder extends ByteToMessageDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(IscsiFrameDecoder.class);

    private enum State { HEADER, DATA, SKIP, CLOSED }

    private final FramingState framing;
    private State state = State.HEADER;
    // the PDU in progress
    private DigestPolicy digests;
    private byte[] bhs;
    private byte[] ahs;
    private int dataLength;
    private int bytesAfterHeader; // data + pad + data digest
    private long skipRemaining;

    public IscsiFrameDecoder(FramingState framing) {
        this.framing = Objects.requireNonNull(framing);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (state) {
            case HEADER -> {
                decodeHeader(ctx, in);
                if (state == State.DATA) { // at once: a PDU without data has no more bytes to wait for
                    decodeData(in, out);
                }
            }
            case DATA -> decodeData(in, out);
            case SKIP -> skip(in, out);
            case CLOSED -> in.skipBytes(in.readableBytes());
            default -> throw new IllegalStateException();
        }
    }

    private void decodeHeader(ChannelHandlerContext ctx, ByteBuf in) {
        if (in.readableBytes() < Pdu.BHS_LENGTH) {
            return;
        }
        int start = in.readerIndex();
        DigestPolicy d = framing.digests();
        int ahsLength = in.getUnsignedByte(start + 4) * 4;
        int headerLength = Pdu.BHS_LENGTH + ahsLength;
        if (in.readableBytes() < headerLength + d.headerDigestLength()) {
            return;
        }
        if (d.header()) {
            int expected = Crc32c.of(in, start, headerLength);
            if (expected != Crc32c.readFrom(in, start + headerLength)) {
                fail(ctx, in, "header digest error (ERL 0: connection dropped, RFC 7143 7.8)");
                return;
            }
        }
        int dsl = in.getUnsignedMedium(start + 5);
        FrameLimits limits = framing.limits();
        if (dsl > limits.hardLimit()) {
            fail(ctx, in, "DataSegmentLength " + dsl + " above the hard limit " + limits.hardLimit());
            return;
        }
        bhs = new byte[Pdu.BHS_LENGTH];
        in.readBytes(bhs);
        ahs = new byte[ahsLength];
        in.readBytes(ahs);
        in.skipBytes(d.headerDigestLength());
        digests = d;
        dataLength = dsl;
        bytesAfterHeader = dsl + padding(dsl) + (dsl > 0 ? d.dataDigestLength() : 0);
        if (dsl > limits.maxRecvDataSegmentLength()) {
            LOG.warn("{}: DataSegmentLength {} above our MaxRecvDataSegmentLength {}: skipping, Reject",
                    ctx.channel(), dsl, limits.maxRecvDataSegmentLength());
            skipRemaining = bytesAfterHeader;
            state = State.SKIP;
        } else {
            state = State.DATA;
        }
    }

    private void decodeData(ByteBuf in, List<Object> out) {
        if (in.readableBytes() < bytesAfterHeader) {
            return;
        }
        int start = in.readerIndex();
        int padded = dataLength + padding(dataLength);
        if (dataLength > 0 && digests.data()) {
            int expected = Crc32c.of(in, start, padded); // the data digest covers the padding too
            if (expected != Crc32c.readFrom(in, start + padded)) {
                in.skipBytes(bytesAfterHeader);
                out.add(new RejectedFrame(bhs, RejectReason.DATA_DIGEST_ERROR));
                resetForNextPdu();
                return;
            }
        }
        ByteBuf data = in.readRetainedSlice(dataLength);
        in.skipBytes(bytesAfterHeader - dataLength);
        out.add(Pdu.decoded(bhs, ahs, data));
        resetForNextPdu();
    }

    private void skip(ByteBuf in, List<Object> out) {
        int n = (int) Math.min(skipRemaining, in.readableBytes());
        in.skipBytes(n);
        skipRemaining -= n;
        if (skipRemaining == 0) {
            out.add(new RejectedFrame(bhs, RejectReason.PROTOCOL_ERROR));
            resetForNextPdu();
        }
    }

    private void resetForNextPdu() {
        state = State.HEADER;
        bhs = null;
        ahs = null;
        digests = null;
    }

    private void fail(ChannelHandlerContext ctx, ByteBuf in, String why) {
        LOG.warn("{}: {}; closing the connection", ctx.channel(), why);
        org.vaaitarget.server.session.SessionEnd.note(ctx.channel(), org.vaaitarget.server.session.SessionEnd.PROTOCOL_ERROR, why);
        state = State.CLOSED;
        in.skipBytes(in.readableBytes());
        ctx.close();
    }

    /** Bytes of padding after a data segment of {@code length} bytes (RFC 7143 11.2.3). */
    public static int padding(int length) {
        return (4 - (length & 3)) & 3;
    }
}
