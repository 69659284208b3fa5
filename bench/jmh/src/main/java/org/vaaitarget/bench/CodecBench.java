package org.vaaitarget.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.vaaitarget.server.codec.DigestPolicy;
import org.vaaitarget.server.codec.FrameLimits;
import org.vaaitarget.server.codec.FramingState;
import org.vaaitarget.server.codec.IscsiFrameDecoder;
import org.vaaitarget.server.codec.IscsiFrameEncoder;
import org.vaaitarget.server.pdu.Opcode;
import org.vaaitarget.server.pdu.Pdu;

/**
 * The PDU framing codec on an {@link EmbeddedChannel} in the full-feature phase: decoding one
 * Data-Out PDU (BHS + data segment) from a wire buffer, and encoding one Data-In PDU, with and
 * without CRC32C digests. {@code dataBytes} is the data segment length.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
public class CodecBench {
    @Param({"0", "8192"})
    public int dataBytes;

    @Param({"false", "true"})
    public boolean digests;

    private EmbeddedChannel decoder;
    private EmbeddedChannel encoder;
    private ByteBuf wire;

    @Setup
    public void setUp() {
        DigestPolicy policy = new DigestPolicy(digests, digests);
        FramingState in = new FramingState();
        in.enterFullFeaturePhase(policy, FrameLimits.forDeclared(262144));
        FramingState out = new FramingState();
        out.enterFullFeaturePhase(policy, FrameLimits.forDeclared(262144));
        decoder = new EmbeddedChannel(new IscsiFrameDecoder(in));
        encoder = new EmbeddedChannel(new IscsiFrameEncoder(out));
        decoder.config().setAllocator(PooledByteBufAllocator.DEFAULT);
        encoder.config().setAllocator(PooledByteBufAllocator.DEFAULT);
        // one Data-Out frame on the wire, built by our own encoder
        encoder.writeOutbound(dataPdu(Opcode.DATA_OUT));
        ByteBuf frame = encoder.readOutbound();
        wire = PooledByteBufAllocator.DEFAULT.directBuffer(frame.readableBytes());
        wire.writeBytes(frame);
        frame.release();
    }

    @TearDown
    public void tearDown() {
        wire.release();
        decoder.finishAndReleaseAll();
        encoder.finishAndReleaseAll();
    }

    private Pdu dataPdu(Opcode opcode) {
        Pdu pdu = Pdu.create(opcode).setFlags(0x80).setItt(1);
        ByteBuf data = PooledByteBufAllocator.DEFAULT.directBuffer(dataBytes);
        data.writeZero(dataBytes);
        return pdu.setData(data);
    }

    @Benchmark
    public int decodeDataOut() {
        decoder.writeInbound(wire.retainedDuplicate());
        Pdu pdu = decoder.readInbound();
        int length = pdu.dataSegmentLength();
        pdu.release();
        return length;
    }

    @Benchmark
    public int encodeDataIn() {
        encoder.writeOutbound(dataPdu(Opcode.DATA_IN));
        ByteBuf frame = encoder.readOutbound();
        int length = frame.readableBytes();
        frame.release();
        return length;
    }
}
