package org.vaaitarget.server.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vaaitarget.server.codec.DigestPolicy;
import org.vaaitarget.server.codec.FrameLimits;
import org.vaaitarget.server.codec.FramingState;
import org.vaaitarget.server.codec.IscsiFrameDecoder;
import org.vaaitarget.server.pdu.Opcode;
import org.vaaitarget.server.pdu.Pdu;
import org.vaaitarget.server.pdu.RejectReason;

/**
 * RFC 7143 11.17.1: the data segment of a Reject is the "Complete Header of Bad PDU", so the initiator
 * can tell which PDU it was: DataSegmentLength and TotalAHSLength included, exactly as received.
 */
class RejectHeaderTest {
    private FfpHarness h;

    @AfterEach
    void close() {
        h.close();
    }

    /** The bytes of a PDU on the wire: BHS, AHS, data, padding, and a data digest that is wrong. */
    private static ByteBuf withBadDataDigest(byte[] bhs, byte[] ahs, byte[] data) {
        ByteBuf wire = Unpooled.buffer();
        wire.writeBytes(bhs).writeBytes(ahs).writeBytes(data);
        wire.writeZero(IscsiFrameDecoder.padding(data.length));
        wire.writeInt(0xBADC0DE5);
        return wire;
    }

    private void decoderInFront(DigestPolicy digests) {
        FramingState framing = new FramingState();
        framing.enterFullFeaturePhase(digests, FrameLimits.forDeclared(8192));
        h.channel.pipeline().addFirst(new IscsiFrameDecoder(framing));
    }

    @Test
    void aDataDigestErrorIsRejectedWithTheCompleteHeader() {
        h = new FfpHarness(FfpHarness.defaults());
        decoderInFront(new DigestPolicy(false, true));
        byte[] bhs = new byte[48];
        bhs[0] = (byte) Opcode.SCSI_COMMAND.code();
        bhs[1] = (byte) 0xA1;                       // F, W, SIMPLE
        bhs[4] = 1;                                 // TotalAHSLength: one word
        bhs[7] = 12;                                // DataSegmentLength: 12 bytes of immediate data
        bhs[19] = 0x42;                             // ITT
        bhs[23] = 12;                               // EDTL
        bhs[27] = (byte) FfpHarness.FIRST_CMD_SN;
        bhs[32] = 0x2A;                             // WRITE(10)
        byte[] ahs = {0, 1, 2, 0};                  // AHSLength 1, extended CDB, one reserved byte
        h.channel.writeInbound(withBadDataDigest(bhs, ahs, new byte[12]));
        h.run();
        Pdu reject = h.next(Opcode.REJECT);
        assertEquals(RejectReason.DATA_DIGEST_ERROR.code(), reject.u8(2));
        assertArrayEquals(bhs, ByteBufUtil.getBytes(reject.data()), "the header as received");
        reject.release();
    }

    @Test
    void aRejectedPduWithDataEchoesItsDataSegmentLength() {
        h = new FfpHarness(FfpHarness.defaults());
        decoderInFront(DigestPolicy.NONE);
        byte[] bhs = new byte[48];
        bhs[0] = (byte) Opcode.SNACK_REQUEST.code(); // SNACK at ERL 0: protocol error
        bhs[1] = (byte) 0x80;
        bhs[7] = 8;
        bhs[19] = 0x43;
        ByteBuf wire = Unpooled.buffer().writeBytes(bhs).writeBytes(new byte[8]);
        h.channel.writeInbound(wire);
        h.run();
        Pdu reject = h.next(Opcode.REJECT);
        assertEquals(RejectReason.PROTOCOL_ERROR.code(), reject.u8(2));
        assertArrayEquals(bhs, ByteBufUtil.getBytes(reject.data()));
        reject.release();
    }
}
