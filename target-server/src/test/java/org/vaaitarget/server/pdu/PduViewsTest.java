package org.vaaitarget.server.pdu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.api.Test;

/** The named views read the RFC 7143 section 11 offsets; a received header cannot be changed. */
class PduViewsTest {

    private static Pdu received(Pdu built) {
        return Pdu.decoded(built.bhsCopy(), null, null);
    }

    @Test
    void scsiCommandFields() {
        Pdu p = received(Pdu.create(Opcode.SCSI_COMMAND).setFlags(0x80 | 0x20 | 0x01).setItt(7)
                .setU32(20, 0xFFFFFFF0).setU32(24, 11).setU32(28, 22));
        InitiatorPdus.ScsiCommand c = new InitiatorPdus.ScsiCommand(p);
        assertTrue(c.write());
        assertFalse(c.read());
        assertTrue(c.finalBit());
        assertEquals(1, c.attribute());
        assertEquals(0xFFFFFFF0L, c.expectedDataTransferLength());   // unsigned (11.3.4)
        assertEquals(11, c.cmdSn());
        assertEquals(22, c.expStatSn());
        assertEquals(7, c.itt());
    }

    @Test
    void dataOutTaskManagementLogoutAndLoginFields() {
        InitiatorPdus.DataOut d = new InitiatorPdus.DataOut(received(Pdu.create(Opcode.DATA_OUT)
                .setU32(20, 0x55).setU32(28, 3).setU32(36, 4).setU32(40, 8192)));
        assertEquals(0x55, d.ttt());
        assertEquals(3, d.expStatSn());
        assertEquals(4, d.dataSn());
        assertEquals(8192, d.bufferOffset());

        InitiatorPdus.TaskMgmt t = new InitiatorPdus.TaskMgmt(received(Pdu.create(Opcode.TASK_MGMT_REQUEST)
                .setFlags(0x80 | 1).setU32(20, 0x99).setU32(32, 17)));
        assertEquals(1, t.function());
        assertEquals(0x99, t.referencedTaskTag());
        assertEquals(17, t.refCmdSn());

        InitiatorPdus.LogoutRequest l = new InitiatorPdus.LogoutRequest(received(Pdu.create(Opcode.LOGOUT_REQUEST)
                .setFlags(0x80 | 1).setU16(20, 5)));
        assertEquals(InitiatorPdus.LogoutRequest.CLOSE_CONNECTION, l.reason());
        assertEquals(5, l.cid());

        InitiatorPdus.LoginRequest li = new InitiatorPdus.LoginRequest(received(Pdu.create(Opcode.LOGIN_REQUEST)
                .setFlags(0x80 | 0x04 | 0x03).setU16(8, 0x8000).setU32(10, 0x12345678).setU16(14, 9).setU16(20, 2)));
        assertTrue(li.transit());
        assertEquals(1, li.currentStage());
        assertEquals(3, li.nextStage());
        assertEquals(0x800012345678L, li.isid());
        assertEquals(9, li.tsih());
        assertEquals(2, li.cid());
    }

    @Test
    void aReceivedHeaderIsImmutable() {
        Pdu p = received(Pdu.create(Opcode.NOP_OUT).setItt(1));
        assertThrows(IllegalStateException.class, () -> p.setU32(Bhs.TTT, 5));
        assertThrows(IllegalStateException.class, () -> p.setFlags(0));
        assertThrows(IllegalStateException.class, () -> p.setImmediate(true));
        assertThrows(IllegalStateException.class, () -> p.setItt(2));
        assertEquals(1, p.itt());
    }

    @Test
    void aRejectCarriesTheCompleteOffendingHeader() {
        byte[] bhs = new byte[Pdu.BHS_LENGTH];
        for (int i = 0; i < bhs.length; i++) {
            bhs[i] = (byte) (i * 7 + 1);
        }
        Pdu r = TargetPdus.reject(RejectReason.INVALID_PDU_FIELD, bhs);
        bhs[0] = 0;                                  // the Reject holds its own copy
        assertEquals(Opcode.REJECT, r.opcode());
        assertEquals(Bhs.RESERVED_TAG, r.itt());
        assertEquals(RejectReason.INVALID_PDU_FIELD.code(), r.u8(2));
        byte[] echoed = ByteBufUtil.getBytes(r.data());
        assertEquals(Pdu.BHS_LENGTH, r.dataSegmentLength());
        assertEquals(1, echoed[0]);
        assertArrayEquals(java.util.Arrays.copyOfRange(bhs, 1, 48), java.util.Arrays.copyOfRange(echoed, 1, 48));
        r.release();
    }

    @Test
    void stampFillsTheSequenceNumbersOfATargetPdu() {
        Pdu p = TargetPdus.stamp(TargetPdus.nopIn(0, 1, Bhs.RESERVED_TAG, null), 10, 20, 30);
        assertEquals(10, p.u32(Bhs.STAT_SN));
        assertEquals(20, p.u32(Bhs.EXP_CMD_SN));
        assertEquals(30, p.u32(Bhs.MAX_CMD_SN));
    }
}
