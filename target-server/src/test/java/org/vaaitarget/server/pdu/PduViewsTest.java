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

    /** RFC 7143 11.2: header fields are big-endian; the readers return them unsigned (u32 and u64 as raw bits). */
    @Test
    void fieldsAreWrittenBigEndianAndReadUnsigned() {
        Pdu p = Pdu.create(Opcode.NOP_IN).setU16(2, 0xFEDC).setU24(5, 0xABCDEF).setU64(8, 0x0102030405060708L)
                .setU32(20, 0xF1F2F3F4).setU8(36, 0xF0);
        byte[] b = p.bhs();
        assertArrayEquals(new byte[] {(byte) 0xFE, (byte) 0xDC}, java.util.Arrays.copyOfRange(b, 2, 4));
        assertArrayEquals(new byte[] {(byte) 0xAB, (byte) 0xCD, (byte) 0xEF}, java.util.Arrays.copyOfRange(b, 5, 8));
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, java.util.Arrays.copyOfRange(b, 8, 16));
        assertArrayEquals(new byte[] {(byte) 0xF1, (byte) 0xF2, (byte) 0xF3, (byte) 0xF4},
                java.util.Arrays.copyOfRange(b, 20, 24));
        assertEquals(0xFEDC, p.u16(2));
        assertEquals(0xABCDEF, p.dataSegmentLength());
        assertEquals(0x0102030405060708L, p.lun());
        assertEquals(0xF1F2F3F4, p.u32(20));
        assertEquals(0xF0, p.u8(36));
    }

    /** A Login Response carries the status as Status-Class (byte 36) and Status-Detail (byte 37), RFC 7143 11.13.5. */
    @Test
    void aLoginResponseCarriesClassThenDetail() {
        Pdu p = TargetPdus.loginResponse(0, 0, 0, 1, 0, 0, 0, LoginStatus.TARGET_NOT_FOUND, null);
        assertEquals(0x02, p.u8(36));
        assertEquals(0x03, p.u8(37));
    }

    /** Lookups by wire code: masked to the field, null for an undefined value, and a table refuses clashes. */
    @Test
    void codeTablesFindTheConstantForAFieldValue() {
        assertEquals(Opcode.REJECT, Opcode.of(0x3F));
        assertEquals(Opcode.SCSI_COMMAND, Opcode.of(0x41));   // the I bit is not part of the opcode
        assertEquals(null, Opcode.of(0x07));
        assertEquals(org.vaaitarget.server.login.LoginStage.FULL_FEATURE_PHASE,
                org.vaaitarget.server.login.LoginStage.of(3));
        assertEquals(null, org.vaaitarget.server.login.LoginStage.of(2));   // reserved (11.12.3)
        assertThrows(IllegalArgumentException.class,
                () -> new CodeTable<>(Opcode.values(), o -> o == Opcode.REJECT ? 0x01 : o.code(), 0x3F));
        assertThrows(IllegalArgumentException.class, () -> new CodeTable<>(Opcode.values(), Opcode::code, 0x1F));
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
