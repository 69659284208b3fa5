package org.vaaitarget.server.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vaaitarget.server.pdu.Opcode;
import org.vaaitarget.server.pdu.Pdu;
import org.vaaitarget.server.pdu.RejectReason;

class IscsiFrameCodecTest {
    private final FramingState framing = new FramingState();
    private final EmbeddedChannel decoder = new EmbeddedChannel(new IscsiFrameDecoder(framing));
    private final EmbeddedChannel encoder = new EmbeddedChannel(new IscsiFrameEncoder(framing));

    @AfterEach
    void noLeftovers() {
        assertFalse(decoder.finish(), "decoder left messages");
        assertFalse(encoder.finish(), "encoder left messages");
    }

    private static Pdu sample(int dataLength, int ahsWords) {
        byte[] bhs = new byte[48];
        bhs[4] = (byte) ahsWords; // TotalAHSLength: fromHeader() keeps the header as given
        Pdu p = Pdu.fromHeader(bhs, new byte[ahsWords * 4]);
        p.setU8(0, Opcode.SCSI_COMMAND.code()).setFlags(0xA1).setItt(0x12345678).setU32(20, dataLength);
        for (int i = 32; i < 48; i++) {
            p.setU8(i, i);
        }
        for (int i = 0; i < ahsWords * 4; i++) {
            p.ahs()[i] = (byte) (0xA0 + i);
        }
        byte[] data = new byte[dataLength];
        new Random(dataLength).nextBytes(data);
        p.setData(Unpooled.wrappedBuffer(data));
        return p;
    }

    /** Encodes through the encoder channel; the caller owns the result. */
    private ByteBuf wire(Pdu p) {
        assertTrue(encoder.writeOutbound(p));
        ByteBuf out = Unpooled.buffer();
        ByteBuf b;
        while ((b = encoder.readOutbound()) != null) {
            out.writeBytes(b);
            b.release();
        }
        return out;
    }

    private static void assertSame(Pdu expected, byte[] expectedData, Pdu actual) {
        byte[] bhs = expected.bhs().clone();
        bhs[5] = (byte) (expectedData.length >>> 16); // the copy was made without data
        bhs[6] = (byte) (expectedData.length >>> 8);
        bhs[7] = (byte) expectedData.length;
        assertArrayEquals(bhs, actual.bhs());
        assertArrayEquals(expected.ahs(), actual.ahs());
        assertArrayEquals(expectedData, ByteBufUtil.getBytes(actual.data()));
    }

    private List<Object> feed(ByteBuf wire, int[] splits) {
        int pos = 0;
        for (int s : splits) {
            decoder.writeInbound(wire.retainedSlice(pos, s));
            pos += s;
        }
        decoder.writeInbound(wire.retainedSlice(pos, wire.readableBytes() - pos));
        wire.release();
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = decoder.readInbound()) != null) {
            out.add(o);
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "header", "data", "both"})
    void roundTripWithAndWithoutDigests(String mode) {
        DigestPolicy d = new DigestPolicy(mode.equals("header") || mode.equals("both"),
                mode.equals("data") || mode.equals("both"));
        framing.enterFullFeaturePhase(d, FrameLimits.forDeclared(262144));
        for (int len : new int[] {0, 1, 3, 4, 5, 4097}) {
            for (int ahs : new int[] {0, 2}) {
                Pdu p = sample(len, ahs);
                Pdu copy = Pdu.decoded(p.bhsCopy(), p.ahs().clone(), null);
                byte[] data = ByteBufUtil.getBytes(p.data());
                ByteBuf w = wire(p);
                int pad = (4 - len % 4) % 4;
                assertEquals(48 + ahs * 4 + d.headerDigestLength() + len + pad
                        + (len > 0 ? d.dataDigestLength() : 0), w.readableBytes());
                List<Object> out = feed(w, new int[0]);
                assertEquals(1, out.size());
                Pdu got = (Pdu) out.get(0);
                assertSame(copy, data, got);
                ByteBuf slice = got.data();
                got.release();
                if (len > 0) {
                    assertEquals(0, slice.refCnt());
                }
            }
        }
    }

    @Test
    void byteByByteAndRandomSplitsGiveTheSamePdus() {
        framing.enterFullFeaturePhase(new DigestPolicy(true, true), FrameLimits.forDeclared(8192));
        Random rnd = new Random(42);
        for (int round = 0; round < 20; round++) {
            Pdu a = sample(rnd.nextInt(3000), rnd.nextInt(3));
            Pdu b = sample(rnd.nextInt(50), 0);
            Pdu ca = Pdu.decoded(a.bhsCopy(), a.ahs().clone(), null);
            Pdu cb = Pdu.decoded(b.bhsCopy(), b.ahs().clone(), null);
            byte[] da = ByteBufUtil.getBytes(a.data());
            byte[] db = ByteBufUtil.getBytes(b.data());
            ByteBuf w = Unpooled.buffer();
            ByteBuf wa = wire(a);
            ByteBuf wb = wire(b);
            w.writeBytes(wa).writeBytes(wb);
            wa.release();
            wb.release();
            List<Integer> splits = new ArrayList<>();
            int total = w.readableBytes();
            for (int pos = 0; pos < total - 1; ) {
                int s = round == 0 ? 1 : 1 + rnd.nextInt(Math.min(200, total - pos - 1));
                splits.add(s);
                pos += s;
            }
            List<Object> out = feed(w, splits.stream().mapToInt(Integer::intValue).toArray());
            assertEquals(2, out.size());
            assertSame(ca, da, (Pdu) out.get(0));
            assertSame(cb, db, (Pdu) out.get(1));
            out.forEach(o -> ((Pdu) o).release());
        }
    }

    @Test
    void crc32cMatchesRfc7143AppendixB4() {
        ByteBuf b = Unpooled.buffer();
        Crc32c.writeTo(b, Crc32c.of(new byte[32], 0, 32));
        assertArrayEquals(new byte[] {(byte) 0xaa, 0x36, (byte) 0x91, (byte) 0x8a}, ByteBufUtil.getBytes(b));
        b.clear();
        byte[] ones = new byte[32];
        java.util.Arrays.fill(ones, (byte) 0xff);
        Crc32c.writeTo(b, Crc32c.of(ones, 0, 32)); // "32 bytes of ones: 43 ab a8 62"
        assertArrayEquals(new byte[] {0x43, (byte) 0xab, (byte) 0xa8, 0x62}, ByteBufUtil.getBytes(b));
        b.release();
    }

    @Test
    void headerDigestErrorClosesTheConnection() {
        framing.enterFullFeaturePhase(new DigestPolicy(true, false), FrameLimits.forDeclared(8192));
        ByteBuf w = wire(sample(10, 0));
        w.setByte(48, w.getByte(48) ^ 1); // corrupt the header digest
        List<Object> out = feed(w, new int[0]);
        assertTrue(out.isEmpty());
        assertFalse(decoder.isOpen());
    }

    @Test
    void dataDigestErrorIsRejectedAndTheNextPduStillDecodes() {
        framing.enterFullFeaturePhase(new DigestPolicy(false, true), FrameLimits.forDeclared(8192));
        ByteBuf bad = wire(sample(10, 0));
        bad.setByte(50, bad.getByte(50) ^ 0x10);
        Pdu good = sample(7, 0);
        int goodItt = good.itt();
        ByteBuf w = Unpooled.buffer().writeBytes(bad);
        ByteBuf gw = wire(good);
        w.writeBytes(gw);
        gw.release();
        bad.release();
        List<Object> out = feed(w, new int[] {5});
        assertEquals(2, out.size());
        RejectedFrame r = (RejectedFrame) out.get(0);
        assertEquals(RejectReason.DATA_DIGEST_ERROR, r.reason());
        assertEquals(0x12345678, Pdu.decoded(r.bhs(), null, null).itt());
        Pdu p = (Pdu) out.get(1);
        assertEquals(goodItt, p.itt());
        assertEquals(7, p.dataSegmentLength());
        p.release();
        assertTrue(decoder.isOpen());
    }

    @Test
    void dataAboveMaxRecvIsSkippedAndRejected() {
        framing.enterFullFeaturePhase(DigestPolicy.NONE, FrameLimits.forDeclared(8192));
        ByteBuf w = wire(sample(8193, 0));
        ByteBuf next = wire(sample(4, 0));
        w.writeBytes(next);
        next.release();
        List<Object> out = feed(w, new int[] {100, 1000, 5000});
        assertEquals(2, out.size());
        assertEquals(RejectReason.PROTOCOL_ERROR, ((RejectedFrame) out.get(0)).reason());
        Pdu p = (Pdu) out.get(1);
        assertEquals(4, p.dataSegmentLength());
        p.release();
        assertTrue(decoder.isOpen());
    }

    @Test
    void dataAboveTheHardLimitClosesBeforeTheDataArrives() {
        // login limits: MRDSL 8192, hard limit 64 KiB
        byte[] bhs = new byte[48];
        bhs[0] = 0x03;
        bhs[5] = 0x01; // DataSegmentLength 65536 + ...
        bhs[6] = 0x00;
        bhs[7] = 0x01;
        decoder.writeInbound(Unpooled.wrappedBuffer(bhs));
        assertNull(decoder.readInbound());
        assertFalse(decoder.isOpen());
    }

    @Test
    void encoderWritesZeroPaddingAndLengthField() {
        Pdu p = Pdu.create(Opcode.NOP_IN).setItt(7);
        p.setData(Unpooled.wrappedBuffer(new byte[] {1, 2, 3, 4, 5}));
        ByteBuf w = wire(p);
        assertEquals(48 + 8, w.readableBytes());
        assertEquals(5, w.getUnsignedMedium(5));
        assertEquals(0, w.getByte(53) | w.getByte(54) | w.getByte(55));
        w.release();
    }

    @Test
    void encoderReleasesThePduData() {
        ByteBuf data = Unpooled.directBuffer(16).writeZero(16);
        Pdu p = Pdu.create(Opcode.DATA_IN);
        p.setData(data);
        wire(p).release();
        assertEquals(0, data.refCnt());
    }
}
