package org.vaaitarget.server.task;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.server.pdu.Opcode;
import org.vaaitarget.server.pdu.Pdu;

/**
 * Expected Data Transfer Length is an unsigned 32-bit field (RFC 7143 11.3.4: "the total amount of data,
 * in bytes"): 2^31 and above are lengths, not negative numbers.
 */
class UnsignedEdtlTest {
    private static final int TWO_GIB = 0x80000000;          // EDTL 2^31 on the wire
    private static final byte[] COMPARE_AND_WRITE_NLB_0 = new byte[16];

    static {
        COMPARE_AND_WRITE_NLB_0[0] = (byte) 0x89;
    }

    private FfpHarness h;

    @AfterEach
    void close() {
        h.close();
    }

    @Test
    void theCoreSeesEdtlAsAnUnsignedLength() {
        h = new FfpHarness(FfpHarness.defaults());
        h.router.autoResult = c -> CommandResult.good(0);
        h.send(FfpHarness.scsiCommand(1, 100, 0x80 | 0x40 | 0x01, TWO_GIB, COMPARE_AND_WRITE_NLB_0, null));
        h.run();
        assertEquals(1L << 31, h.router.last().command.expectedLength(), "EDTL handed to the core");
        h.next(Opcode.SCSI_RESPONSE).release();
    }

    @Test
    void aReadUnderflowAgainstAnEdtlAboveTwoGibIsCountedUnsigned() {
        h = new FfpHarness(FfpHarness.defaults());
        ByteBuf data = FfpHarness.pattern(0, 512);
        h.router.autoResult = c -> CommandResult.goodWithData(data);
        h.send(FfpHarness.read(1, 100, 0xFFFFFFFF));
        h.run();
        Pdu p = h.next(Opcode.DATA_IN);
        assertEquals(0x80 | 0x02 | 0x01, p.flags(), "F, U, S (RFC 7143 11.4.5.2)");
        assertEquals(0xFFFFFFFFL - 512, p.u32(44) & 0xFFFFFFFFL, "residual count");
        assertEquals(512, p.dataSegmentLength());
        p.release();
        assertEquals(0, data.refCnt());
    }
}
