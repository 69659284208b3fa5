package org.vaaitarget.server.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32C;
import org.vaaitarget.server.pdu.Pdu;

/**
 * Writes {@link Pdu}s in wire form without copying their data: one {@link CompositeByteBuf} of
 * header (BHS, AHS, header digest), the data segment itself, and a small trailer (padding, data
 * digest). Digests follow the shared {@link FramingState} at the moment of the write.
 *
 * <p>Ownership: the encoder takes the Pdu's data buffer into the composite, which the transport
 * releases once written; the Pdu is released here even when encoding fails.
 */
public final class IscsiFrameEncoder extends MessageToMessageEncoder<Pdu> {
    private static final byte[] ZEROS = new byte[4];

    private final FramingState framing;

    public IscsiFrameEncoder(FramingState framing) {
        super(Pdu.class);
        this.framing = Objects.requireNonNull(framing);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Pdu pdu, List<Object> out) {
        try {
            out.add(encode(ctx, pdu, framing.digests()));
        } finally {
            pdu.release();
        }
    }

    /**
     * The wire form of {@code pdu}. Takes the Pdu's data (the caller still releases the Pdu, which
     * then holds nothing); the returned buffer belongs to the caller.
     */
    static ByteBuf encode(ChannelHandlerContext ctx, Pdu pdu, DigestPolicy digests) {
        byte[] ahs = pdu.ahs();
        int headerLength = Pdu.BHS_LENGTH + ahs.length;
        ByteBuf header = ctx.alloc().buffer(headerLength + digests.headerDigestLength());
        CompositeByteBuf frame = ctx.alloc().compositeBuffer(3);
        try {
            header.writeBytes(pdu.bhs()).writeBytes(ahs);
            if (digests.header()) {
                Crc32c.writeTo(header, Crc32c.of(header, header.readerIndex(), headerLength));
            }
            frame.addComponent(true, header);
            header = null;
            ByteBuf data = pdu.takeData();
            int length = data.readableBytes();
            if (length == 0) {
                data.release();
                return frame;
            }
            frame.addComponent(true, data);
            int pad = IscsiFrameDecoder.padding(length);
            ByteBuf trailer = ctx.alloc().buffer(pad + digests.dataDigestLength());
            trailer.writeBytes(ZEROS, 0, pad);
            if (digests.data()) {
                CRC32C crc = new CRC32C();
                Crc32c.update(crc, data, data.readerIndex(), length);
                crc.update(ZEROS, 0, pad);
                Crc32c.writeTo(trailer, (int) crc.getValue());
            }
            frame.addComponent(true, trailer);
            return frame;
        } catch (RuntimeException e) {
            frame.release();
            if (header != null) {
                header.release();
            }
            throw e;
        }
    }
}
