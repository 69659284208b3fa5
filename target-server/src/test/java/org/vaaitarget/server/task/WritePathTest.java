package org.vaaitarget.server.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufUtil;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.DataDirection;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.server.pdu.Opcode;
import org.vaaitarget.server.pdu.Pdu;

class WritePathTest {
    private static final byte[] WRITE10 = {0x2A, 0, 0, 0, 0, 0, 0, 0, 8, 0};
    private static final int PDU = 4096;      // the simulated initiator's Data-Out segment size
    private FfpHarness h;

    @AfterEach
    void tearDown() {
        if (h != null) {
            h.close();
        }
    }

    private static byte[] expected(int length) {
        return ByteBufUtil.getBytes(FfpHarness.pattern(0, length));
    }

    /** Sends Data-Out PDUs covering [from, to) for one sequence. */
    private void sendSequence(int itt, int ttt, int from, int to) {
        int dataSn = 0;
        for (int off = from; off < to; off += PDU) {
            int len = Math.min(PDU, to - off);
            h.send(FfpHarness.dataOut(itt, ttt, dataSn++, off, off + len == to, FfpHarness.pattern(off, len)));
        }
    }

    @ParameterizedTest(name = "InitialR2T={0} ImmediateData={1} FirstBurst={2} MaxBurst={3} EDTL={4}")
    @CsvSource({
        "true,  true,  65536, 262144, 4096",
        "true,  true,  8192,  16384,  100000",
        "true,  false, 65536, 16384,  100000",
        "false, true,  16384, 16384,  100000",
        "false, false, 16384, 32768,  100000",
        "false, true,  65536, 262144, 20000",
        "false, false, 8192,  8192,   8192",
        "true,  false, 65536, 65536,  0",
    })
    void writeCollectsImmediateUnsolicitedAndSolicitedData(boolean initialR2T, boolean immediateData, int firstBurst,
                                                          int maxBurst, int edtl) {
        h = new FfpHarness(FfpHarness.params(8192, maxBurst, firstBurst, initialR2T, immediateData, 1));
        int itt = 0x42;
        int immediate = immediateData ? Math.min(Math.min(firstBurst, edtl), PDU) : 0;
        int unsolicited = initialR2T ? immediate : Math.min(firstBurst, edtl);
        boolean fBit = unsolicited == immediate;
        h.send(FfpHarness.scsiCommand(itt, 100, (fBit ? 0x80 : 0) | 0x20, edtl, WRITE10,
                immediate > 0 ? FfpHarness.pattern(0, immediate) : null));
        sendSequence(itt, 0xFFFFFFFF, immediate, unsolicited);

        Set<Integer> ttts = new HashSet<>();
        int offset = unsolicited;
        int r2tSn = 0;
        while (offset < edtl) {
            Pdu r2t = h.next(Opcode.R2T);
            int length = Math.min(maxBurst, edtl - offset);
            assertEquals(itt, r2t.itt());
            assertEquals(r2tSn, r2t.u32(36), "R2TSN");
            assertEquals(offset, r2t.u32(40), "buffer offset");
            assertEquals(length, r2t.u32(44), "desired data transfer length");
            assertEquals(FfpHarness.FIRST_STAT_SN, r2t.u32(24), "R2T carries, but does not advance, StatSN");
            assertTrue(ttts.add(r2t.u32(20)) && r2t.u32(20) != 0xFFFFFFFF, "fresh TTT");
            int ttt = r2t.u32(20);
            r2t.release();
            sendSequence(itt, ttt, offset, offset + length);
            offset += length;
            r2tSn++;
        }
        assertNull(h.channel.readOutbound(), "no more R2Ts");
        assertEquals(1, h.router.submitted.size());
        FakeRouter.Submitted s = h.router.last();
        assertEquals(DataDirection.WRITE, s.command.direction());
        assertEquals(edtl, s.command.expectedLength());
        if (edtl == 0) {
            assertNull(s.dataOut);
        } else {
            assertArrayEquals(expected(edtl), s.dataOut);
        }
        s.complete(CommandResult.good(edtl));
        h.run();
        Pdu rsp = h.next(Opcode.SCSI_RESPONSE);
        assertEquals(0x80, rsp.flags(), "no residual");
        assertEquals(r2tSn, rsp.u32(36), "ExpDataSN = R2Ts sent");
        rsp.release();
    }

    @Test
    void maxOutstandingR2tKeepsSeveralBurstsInFlight() {
        h = new FfpHarness(FfpHarness.params(8192, 8192, 65536, true, false, 2));
        h.send(FfpHarness.scsiCommand(7, 100, 0xA0, 4 * 8192, WRITE10, null));
        Pdu r0 = h.next(Opcode.R2T);
        Pdu r1 = h.next(Opcode.R2T);
        assertNull(h.channel.readOutbound(), "only MaxOutstandingR2T=2 at a time");
        assertEquals(0, r0.u32(40));
        assertEquals(8192, r1.u32(40));
        // The second burst may complete first (each sequence is collected on its own).
        sendSequence(7, r1.u32(20), 8192, 16384);
        Pdu r2 = h.next(Opcode.R2T);
        assertEquals(2, r2.u32(36));
        assertEquals(16384, r2.u32(40));
        sendSequence(7, r0.u32(20), 0, 8192);
        Pdu r3 = h.next(Opcode.R2T);
        assertEquals(24576, r3.u32(40));
        sendSequence(7, r2.u32(20), 16384, 24576);
        sendSequence(7, r3.u32(20), 24576, 32768);
        assertArrayEquals(expected(32768), h.router.last().dataOut);
        for (Pdu p : List.of(r0, r1, r2, r3)) {
            p.release();
        }
    }

    @Test
    void wrongDataSnIsRejectedWithTheHeaderEchoed() {
        h = new FfpHarness(FfpHarness.params(8192, 16384, 65536, true, false, 1));
        h.send(FfpHarness.scsiCommand(7, 100, 0xA0, 16384, WRITE10, null));
        Pdu r2t = h.next(Opcode.R2T);
        Pdu bad = FfpHarness.dataOut(7, r2t.u32(20), 1, 0, false, FfpHarness.pattern(0, 4096));
        byte[] badBhs = bad.bhsCopy();
        h.send(bad);
        Pdu reject = h.next(Opcode.REJECT);
        assertEquals(0x04, reject.u8(2), "protocol error");
        assertEquals(0xFFFFFFFF, reject.itt());
        assertArrayEquals(badBhs, ByteBufUtil.getBytes(reject.data()));
        reject.release();
        r2t.release();
        assertTrue(h.router.submitted.isEmpty());
    }

    @Test
    void dataOutOutsideTheR2tRangeIsRejected() {
        h = new FfpHarness(FfpHarness.params(8192, 8192, 65536, true, false, 1));
        h.send(FfpHarness.scsiCommand(7, 100, 0xA0, 16384, WRITE10, null));
        Pdu r2t = h.next(Opcode.R2T);
        h.send(FfpHarness.dataOut(7, r2t.u32(20), 0, 4096, false, FfpHarness.pattern(0, 4096)));
        assertEquals(0x09, rejectReason(), "offset not the next expected");
        h.send(FfpHarness.dataOut(7, r2t.u32(20), 0, 0, true, FfpHarness.pattern(0, 12288)));
        assertEquals(0x09, rejectReason(), "beyond the R2T's range");
        h.send(FfpHarness.dataOut(7, 0x5555, 0, 0, true, FfpHarness.pattern(0, 8192)));
        assertEquals(0x09, rejectReason(), "unknown TTT");
        h.send(FfpHarness.dataOut(7, 0xFFFFFFFF, 0, 0, true, FfpHarness.pattern(0, 8192)));
        assertEquals(0x04, rejectReason(), "unsolicited data with InitialR2T=Yes");
        // The correct data still completes the command.
        sendSequence(7, r2t.u32(20), 0, 8192);
        Pdu second = h.next(Opcode.R2T);
        sendSequence(7, second.u32(20), 8192, 16384);
        assertArrayEquals(expected(16384), h.router.last().dataOut);
        r2t.release();
        second.release();
    }

    @Test
    void dataOutForAnUnknownTagIsRejectedButLateDataIsDropped() {
        h = new FfpHarness(FfpHarness.defaults());
        h.send(FfpHarness.dataOut(0x99, 1, 0, 0, true, FfpHarness.pattern(0, 512)));
        assertEquals(0x09, rejectReason());
        h.router.autoResult = c -> CommandResult.good(512);
        h.send(FfpHarness.scsiCommand(3, 100, 0xA0, 512, WRITE10, FfpHarness.pattern(0, 512)));
        h.run();
        h.next(Opcode.SCSI_RESPONSE).release();
        h.send(FfpHarness.dataOut(3, 0xFFFFFFFF, 0, 0, true, FfpHarness.pattern(0, 512)));
        assertNull(h.channel.readOutbound(), "late Data-Out of a finished task: silently dropped");
    }

    @Test
    void commandPduRulesRejectBadCommands() {
        h = new FfpHarness(FfpHarness.params(8192, 262144, 8192, true, true, 1));
        h.send(FfpHarness.scsiCommand(1, 100, 0x80 | 0x60, 512, WRITE10, null));
        assertEquals(0x09, rejectReason(), "R and W both set");
        h.send(FfpHarness.scsiCommand(2, 100, 0xA0, 0, WRITE10, FfpHarness.pattern(0, 512)));
        assertEquals(0x09, rejectReason(), "immediate data beyond EDTL 0");
        h.send(FfpHarness.scsiCommand(3, 100, 0xA0, 16384, WRITE10, FfpHarness.pattern(0, 8704)));
        assertEquals(0x09, rejectReason(), "immediate data beyond FirstBurstLength");
        h.send(FfpHarness.scsiCommand(4, 100, 0xC0, 512, WRITE10, FfpHarness.pattern(0, 512)));
        assertEquals(0x09, rejectReason(), "data on a read");
        h.send(FfpHarness.scsiCommand(5, 100, 0x20, 16384, WRITE10, null));
        assertEquals(0x04, rejectReason(), "F=0 with InitialR2T=Yes");
        byte[] variable = new byte[16];
        variable[0] = 0x7F;
        variable[7] = 0x18;
        h.send(FfpHarness.scsiCommand(6, 100, 0x80, 0, variable, null));
        assertEquals(0x09, rejectReason(), "32-byte CDB without the Extended CDB AHS");
        assertTrue(h.router.submitted.isEmpty());
        // None of them consumed CmdSN 100 (RFC 7143 11.17.1).
        h.router.autoResult = c -> CommandResult.good(0);
        h.send(FfpHarness.scsiCommand(7, 100, 0x80, 0, new byte[] {0}, null));
        h.run();
        Pdu rsp = h.next(Opcode.SCSI_RESPONSE);
        assertEquals(101, rsp.u32(28));
        rsp.release();
    }

    @Test
    void immediateDataWithImmediateDataNoIsRejected() {
        h = new FfpHarness(FfpHarness.params(8192, 262144, 65536, true, false, 1));
        h.send(FfpHarness.scsiCommand(1, 100, 0xA0, 512, WRITE10, FfpHarness.pattern(0, 512)));
        assertEquals(0x09, rejectReason());
    }

    @Test
    void theCollectedDataOutIsReleasedWhenTheCoreRefusesTheCommand() {
        h = new FfpHarness(FfpHarness.params(8192, 16384, 65536, true, false, 1));
        h.router.refuseWith = new IllegalStateException("core bug");
        h.send(FfpHarness.scsiCommand(7, 100, 0xA0, 4096, WRITE10, null));
        Pdu r2t = h.next(Opcode.R2T);
        h.send(FfpHarness.dataOut(7, r2t.u32(20), 0, 0, true, FfpHarness.pattern(0, 4096)));
        r2t.release();
        Pdu response = h.next(Opcode.SCSI_RESPONSE);
        assertEquals(0x02, response.u8(3), "CHECK CONDITION (INTERNAL TARGET FAILURE)");
        response.release();
        assertEquals(0, h.router.lastRefused.dataOut().refCnt(), "the collected Data-Out was released");
    }

    @Test
    void extendedCdbAhsIsJoinedToTheCdb() {
        h = new FfpHarness(FfpHarness.defaults());
        h.router.autoResult = c -> CommandResult.good(0);
        Pdu p = FfpHarness.scsiCommand(1, 100, 0x80, 0, new byte[] {0x7F, 0, 0, 0, 0, 0, 0, 0x18}, null);
        byte[] ahs = new byte[20];          // AHSLength 17 = reserved byte + 16 CDB bytes, padded to 20
        ahs[1] = 17;
        ahs[2] = 1;
        for (int i = 0; i < 16; i++) {
            ahs[4 + i] = (byte) (0x10 + i);
        }
        byte[] bhs = p.bhsCopy();
        bhs[4] = (byte) (ahs.length / 4);   // TotalAHSLength
        h.send(Pdu.decoded(bhs, ahs, null));
        h.run();
        byte[] cdb = h.router.last().command.cdb();
        assertEquals(32, cdb.length);
        assertEquals(0x7F, cdb[0]);
        assertEquals(0x1F, cdb[31]);
        h.next(Opcode.SCSI_RESPONSE).release();
    }

    @Test
    void oversizedWriteGetsCheckConditionAfterItsUnsolicitedData() {
        h = new FfpHarness(FfpHarness.params(8192, 262144, 65536, false, true, 1),
                new org.vaaitarget.server.session.TargetOffer(262144, 16776192, 262144, 8, 128, 0, 30),
                new FullFeatureOptions(1 << 20, org.vaaitarget.core.scsi.TaskManagementResponse.FUNCTION_COMPLETE, 5));
        h.send(FfpHarness.scsiCommand(1, 100, 0x20, 2 << 20, WRITE10, FfpHarness.pattern(0, 4096)));
        assertNull(h.channel.readOutbound(), "waits for the unsolicited data; no R2T");
        sendSequence(1, 0xFFFFFFFF, 4096, 65536);
        Pdu rsp = h.next(Opcode.SCSI_RESPONSE);
        assertEquals(ScsiStatus.CHECK_CONDITION.code(), rsp.u8(3));
        byte[] sense = ByteBufUtil.getBytes(rsp.data(), 2, rsp.dataSegmentLength() - 2);
        assertEquals(0x0E, sense[12]);
        assertEquals(0x03, sense[13]);
        rsp.release();
        assertTrue(h.router.submitted.isEmpty());
    }

    private int rejectReason() {
        Pdu r = h.next(Opcode.REJECT);
        int reason = r.u8(2);
        r.release();
        return reason;
    }
}
