package org.vaaitarget.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.vaaitarget.server.codec.DigestPolicy;
import org.vaaitarget.server.codec.FrameLimits;
import org.vaaitarget.server.codec.FramingState;
import org.vaaitarget.server.codec.IscsiFrameDecoder;
import org.vaaitarget.server.codec.IscsiFrameEncoder;
import org.vaaitarget.server.pdu.Pdu;

/** A blocking test initiator over a real socket that frames PDUs with our codec. */
final class TinyInitiator implements AutoCloseable {
    private final Socket socket;
    private final EmbeddedChannel encoder;
    private final EmbeddedChannel decoder;
    private final FramingState framing = new FramingState();

    TinyInitiator(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.connect(address, 5000);
        socket.setSoTimeout(10_000);
        encoder = new EmbeddedChannel(new IscsiFrameEncoder(framing));
        decoder = new EmbeddedChannel(new IscsiFrameDecoder(framing));
    }

    /** Switches both directions to the given digests (after the final Login Response). */
    void useDigests(DigestPolicy digests) {
        framing.enterFullFeaturePhase(digests, FrameLimits.forDeclared(262144));
    }

    void send(Pdu pdu) throws IOException {
        encoder.writeOutbound(pdu);
        OutputStream out = socket.getOutputStream();
        ByteBuf b;
        while ((b = encoder.readOutbound()) != null) {
            try {
                b.readBytes(out, b.readableBytes());
            } finally {
                b.release();
            }
        }
        out.flush();
    }

    /** The next PDU from the target (caller releases), or null at end of stream. */
    Pdu receive() throws IOException {
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[4096];
        while (true) {
            Object o = decoder.readInbound();
            if (o != null) {
                return (Pdu) o;
            }
            int n = in.read(buf);
            if (n < 0) {
                return null;
            }
            decoder.writeInbound(Unpooled.copiedBuffer(buf, 0, n));
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        encoder.finishAndReleaseAll();
        decoder.finishAndReleaseAll();
    }
}
