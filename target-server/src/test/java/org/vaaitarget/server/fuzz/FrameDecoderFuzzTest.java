package org.vaaitarget.server.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.vaaitarget.server.codec.DigestPolicy;
import org.vaaitarget.server.codec.FrameLimits;
import org.vaaitarget.server.codec.FramingState;
import org.vaaitarget.server.codec.IscsiFrameDecoder;
import org.vaaitarget.server.codec.RejectedFrame;
import org.vaaitarget.server.pdu.Pdu;

/**
 * Arbitrary bytes, cut into arbitrary TCP reads, through the PDU decoder in login or full-feature
 * framing (digests on or off, any declared MaxRecvDataSegmentLength). Every outcome must be a
 * well-formed Pdu, a RejectedFrame or a closed channel: never an exception, never a buffer left
 * referenced once the outputs are released and the channel is finished.
 *
 * <p>{@code mvn test} replays {@code FrameDecoderFuzzTestInputs/}; README "Fuzzing" says how to fuzz.
 */
class FrameDecoderFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void decoderNeverThrowsAndReleasesEverything(FuzzedDataProvider data) {
        FramingState framing = new FramingState();
        int mode = data.consumeInt(0, 4);
        if (mode > 0) {
            int mrdsl = data.consumeInt(512, 1 << 20);
            framing.enterFullFeaturePhase(new DigestPolicy((mode & 1) != 0, (mode & 2) != 0),
                    FrameLimits.forDeclared(mrdsl));
        }
        EmbeddedChannel channel = new EmbeddedChannel(new IscsiFrameDecoder(framing));
        List<ByteBuf> inputs = new ArrayList<>();
        try {
            while (data.remainingBytes() > 0 && channel.isOpen()) {
                byte[] chunk = data.consumeBytes(data.consumeInt(1, 8192));
                ByteBuf in = Unpooled.wrappedBuffer(chunk);
                inputs.add(in.retain());                    // our reference, to check the decoder's is gone
                channel.writeInbound(in);
                drain(channel);
            }
        } finally {
            channel.finishAndReleaseAll();
        }
        for (ByteBuf in : inputs) {
            assertEquals(1, in.refCnt(), "the decoder released every input (no Pdu slice left behind)");
            in.release();
        }
    }

    private static void drain(EmbeddedChannel channel) {
        Object o;
        while ((o = channel.readInbound()) != null) {
            if (o instanceof Pdu pdu) {
                try {
                    assertEquals(Pdu.BHS_LENGTH, pdu.bhs().length);
                    assertEquals(pdu.totalAhsLength() * 4, pdu.ahs().length);
                    assertEquals(pdu.dataSegmentLength(), pdu.data().readableBytes());
                } finally {
                    pdu.release();
                }
            } else if (!(o instanceof RejectedFrame)) {
                throw new AssertionError("unexpected output " + o);
            }
        }
    }
}
