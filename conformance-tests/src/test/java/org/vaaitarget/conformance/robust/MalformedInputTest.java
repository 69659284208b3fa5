package org.vaaitarget.conformance.robust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vaaitarget.conformance.support.TestTarget;
import org.vaaitarget.server.pdu.Opcode;
import org.vaaitarget.server.pdu.Pdu;

/**
 * Malformed and hostile input over real sockets to the in-process server. After every case the server
 * still serves a new session normally: a write/read round trip and a COMPARE AND WRITE on the same
 * blocks every time (a leaked range lock would make it hang). Leaked buffers show up as Netty "LEAK:"
 * reports (paranoid detection in tests), which test.sh turns into a failure.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MalformedInputTest {
    private static final long LUN_BYTES = 16L << 20;
    private static final long CHECK_LBA = 4096;
    private static final int CHECK_BLOCKS = 8;
    private static final byte[] TEST_UNIT_READY = new byte[16];

    @TempDir
    static Path dir;
    private static TestTarget target;
    private static int isid = 100;
    private static int round;

    @BeforeAll
    static void start() throws Exception {
        target = TestTarget.start(dir, LUN_BYTES, c -> c);
    }

    @AfterAll
    static void stop() {
        if (target != null) {
            target.close();
        }
    }

    @AfterEach
    void serverStillServes() throws IOException {
        round++;
        byte[] data = pattern(round, CHECK_BLOCKS * 512);
        byte[] next = pattern(1000 + round, CHECK_BLOCKS * 512);
        try (IscsiClient c = IscsiClient.loggedIn(address(), target.iqn(), isid++)) {
            assertEquals(0, c.write(CHECK_LBA, data, false).status(), "WRITE after the bad input");
            IscsiClient.Result read = c.read(CHECK_LBA, CHECK_BLOCKS);
            assertEquals(0, read.status());
            assertArrayEquals(data, read.dataIn(), "read back");
            IscsiClient.Result caw = c.compareAndWrite(CHECK_LBA, data, next, false);
            assertEquals(0, caw.status(), "COMPARE AND WRITE on the same blocks: no lock left behind");
            assertArrayEquals(next, c.read(CHECK_LBA, CHECK_BLOCKS).dataIn());
        }
    }

    private static InetSocketAddress address() {
        return new InetSocketAddress(target.host(), target.port());
    }

    private static byte[] pattern(int seed, int length) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static IscsiClient raw() throws IOException {
        return new IscsiClient(address(), 30_000);
    }

    private static IscsiClient session() throws IOException {
        return IscsiClient.loggedIn(address(), target.iqn(), isid++);
    }

    /** The next PDU must be a Reject with this reason, echoing the offending BHS's opcode. */
    private static void expectReject(IscsiClient c, int reason, int offendingOpcode) throws IOException {
        Pdu r = c.receiveSkippingPings();
        assertNotNull(r, "expected a Reject, the connection was closed");
        try {
            assertEquals(Opcode.REJECT, r.opcode(), () -> "got " + r);
            assertEquals(reason, r.u8(2), "Reject reason");
            assertEquals(offendingOpcode, r.data().getUnsignedByte(r.data().readerIndex()) & 0x3F,
                    "the Reject carries the offending BHS");
        } finally {
            r.release();
        }
    }

    private static Pdu dataOut(int itt, int ttt, int dataSn, int offset, boolean last, byte[] data, int expStatSn) {
        Pdu p = Pdu.create(Opcode.DATA_OUT).setFlags(last ? 0x80 : 0).setItt(itt);
        p.setU32(20, ttt).setU32(28, expStatSn).setU32(36, dataSn).setU32(40, offset);
        p.setData(Unpooled.wrappedBuffer(data));
        return p;
    }

    // ---------------------------------------------------------------- before or during login

    @Test
    void randomBytesAreAnsweredByARejectedLoginOrAClose() throws IOException {
        Random random = new Random(7143);
        for (int i = 0; i < 20; i++) {
            try (IscsiClient c = raw()) {
                byte[] junk = new byte[48 + random.nextInt(8192)];
                random.nextBytes(junk);
                c.sendRaw(junk);
                // Whatever the bytes decode to, the login never succeeds and the target ends the connection.
                Pdu p;
                while ((p = c.receive()) != null) {
                    try {
                        assertEquals(Opcode.LOGIN_RESPONSE, p.opcode());
                        assertTrue(p.u16(36) != 0, "no login succeeds on random bytes");
                    } finally {
                        p.release();
                    }
                }
            } catch (java.net.SocketTimeoutException e) {
                // a junk header announcing more bytes than were sent: the login timeout closes it (tested elsewhere)
            }
        }
    }

    @Test
    void aTruncatedPduFollowedByACloseLeavesNothingBehind() throws IOException {
        try (IscsiClient c = raw()) {
            Pdu login = IscsiClient.loginRequest(target.iqn(), isid++);
            byte[] bhs = login.bhsCopy();
            login.release();
            c.sendRaw(Arrays.copyOf(bhs, 30));
        }
        try (IscsiClient c = session()) {
            Pdu cmd = Pdu.create(Opcode.SCSI_COMMAND).setFlags(0x81).setItt(9).setU32(20, 8192).setU32(24, c.nextCmdSn());
            cmd.setU8(32, 0x88).setU8(45, 16);
            byte[] bhs = cmd.bhsCopy();
            cmd.release();
            c.sendRaw(Arrays.copyOf(bhs, 47));              // in Full Feature Phase, one byte short, then gone
        }
    }

    @Test
    void aScsiCommandBeforeLoginGetsLoginReject020B() throws IOException {
        try (IscsiClient c = raw()) {
            Pdu cmd = Pdu.create(Opcode.SCSI_COMMAND).setFlags(0x80).setItt(1).setU32(24, 1);
            c.send(cmd);
            Pdu r = c.receive();
            if (r != null) {                                 // RFC 7143 11.13.5: or just a close
                try {
                    assertEquals(Opcode.LOGIN_RESPONSE, r.opcode());
                    assertEquals(0x020B, r.u16(36), "Invalid request type during login");
                } finally {
                    r.release();
                }
            }
            assertTrue(c.closedByTarget());
        }
    }

    // ---------------------------------------------------------------- Full Feature Phase

    @Test
    void commandsOutsideTheCmdSnWindowAreIgnored() throws IOException {
        try (IscsiClient c = session()) {
            int exp = c.nextCmdSn();
            for (int delta : new int[] {1000, -5, 0x7FFFFFFF}) {
                Pdu cmd = Pdu.create(Opcode.SCSI_COMMAND).setFlags(0x80).setItt(c.newItt())
                        .setU32(24, exp + delta).setU32(28, c.expStatSn());
                c.send(cmd);
            }
            // An immediate NOP-Out is answered at once: nothing came before its NOP-In (RFC 7143 3.2.2.1).
            Pdu nop = Pdu.create(Opcode.NOP_OUT).setImmediate(true).setFlags(0x80).setItt(0x5150)
                    .setU32(20, IscsiClient.RESERVED).setU32(24, exp).setU32(28, c.expStatSn());
            c.send(nop);
            Pdu r = c.receiveSkippingPings();
            assertNotNull(r);
            try {
                assertEquals(Opcode.NOP_IN, r.opcode(), () -> "the ignored commands got no answer, got " + r);
                assertEquals(0x5150, r.itt());
                assertEquals(exp, r.u32(28), "ExpCmdSN did not move");
            } finally {
                r.release();
            }
            assertEquals(0, c.command(TEST_UNIT_READY, 0, false, null).status(), "the in-window CmdSN still works");
        }
    }

    @Test
    void wrongDataSnAndOffsetAreRejectedAndTheWriteStillCompletes() throws IOException {
        try (IscsiClient c = session()) {
            assertEquals(0, c.command(TEST_UNIT_READY, 0, false, null).status(), "the nexus's UNIT ATTENTION is consumed");
            int itt = c.newItt();
            Pdu cmd = Pdu.create(Opcode.SCSI_COMMAND).setFlags(0x80 | 0x20 | 0x01).setItt(itt).setU32(20, 4096)
                    .setU32(24, c.takeCmdSn()).setU32(28, c.expStatSn());
            byte[] cdb = IscsiClient.write16(8192, 8, false);
            for (int i = 0; i < cdb.length; i++) {
                cmd.setU8(32 + i, cdb[i]);
            }
            c.send(cmd);                                     // no immediate data: InitialR2T=Yes, so an R2T comes
            Pdu r2t = c.receiveSkippingPings();
            assertEquals(Opcode.R2T, r2t.opcode());
            int ttt = r2t.u32(20);
            r2t.release();
            byte[] data = pattern(5, 4096);
            c.send(dataOut(itt, ttt, 3, 0, true, data, c.expStatSn()));
            expectReject(c, 0x04, 0x05);                     // DataSN gap: protocol error
            c.send(dataOut(itt, ttt, 0, 512, true, Arrays.copyOf(data, 3584), c.expStatSn()));
            expectReject(c, 0x09, 0x05);                     // offset not the next expected: invalid PDU field
            c.send(dataOut(itt, 0x7777, 0, 0, true, data, c.expStatSn()));
            expectReject(c, 0x09, 0x05);                     // TTT of no R2T
            c.send(dataOut(itt, ttt, 0, 0, true, data, c.expStatSn()));
            Pdu rsp = c.receiveSkippingPings();
            try {
                assertEquals(Opcode.SCSI_RESPONSE, rsp.opcode());
                assertEquals(itt, rsp.itt());
                assertEquals(0, rsp.u8(3), "GOOD: the Rejects left the task intact");
            } finally {
                rsp.release();
            }
            assertArrayEquals(data, c.read(8192, 8).dataIn());
        }
    }

    @Test
    void dataOutForAnUnknownTaskIsRejected() throws IOException {
        try (IscsiClient c = session()) {
            c.send(dataOut(0x4242, 0x10, 0, 0, true, new byte[512], c.expStatSn()));
            expectReject(c, 0x09, 0x05);
            assertEquals(0, c.command(TEST_UNIT_READY, 0, false, null).status());
        }
    }

    @Test
    void anUndefinedOpcodeIsRejectedAsCommandNotSupported() throws IOException {
        try (IscsiClient c = session()) {
            for (int opcode : new int[] {0x07, 0x1C, 0x1F}) {
                Pdu p = Pdu.create(Opcode.NOP_OUT).setImmediate(true).setFlags(0x80).setItt(c.newItt())
                        .setU32(24, c.nextCmdSn());
                byte[] bhs = p.bhsCopy();
                p.release();
                bhs[0] = (byte) (0x40 | opcode);
                c.sendRaw(bhs);
                expectReject(c, 0x05, opcode);
            }
            assertEquals(0, c.command(TEST_UNIT_READY, 0, false, null).status());
        }
    }

    @Test
    void aSegmentAboveMaxRecvDataSegmentLengthIsRejectedAndAHugeOneCloses() throws IOException {
        try (IscsiClient c = session()) {
            // 300000 bytes: above our declared 262144, within the hard limit: read past, Reject 04h.
            Pdu nop = Pdu.create(Opcode.NOP_OUT).setImmediate(true).setFlags(0x80).setItt(c.newItt())
                    .setU32(20, IscsiClient.RESERVED).setU32(24, c.nextCmdSn());
            nop.setData(Unpooled.wrappedBuffer(new byte[300000]));
            c.send(nop);
            expectReject(c, 0x04, 0x00);
            assertEquals(0, c.command(TEST_UNIT_READY, 0, false, null).status(), "the connection survives");
        }
        try (IscsiClient c = session()) {
            Pdu nop = Pdu.create(Opcode.NOP_OUT).setImmediate(true).setFlags(0x80).setItt(c.newItt())
                    .setU32(20, IscsiClient.RESERVED).setU32(24, c.nextCmdSn());
            byte[] bhs = nop.bhsCopy();
            nop.release();
            bhs[5] = (byte) 0xFF;                            // DataSegmentLength 16 MiB - 1
            bhs[6] = (byte) 0xFF;
            bhs[7] = (byte) 0xFF;
            c.sendRaw(bhs);
            c.sendRaw(new byte[4096]);
            assertTrue(c.closedByTarget(), "far above the hard limit: the connection is dropped");
        }
    }

    @Test
    void aSessionDroppedMidCompareAndWriteLeavesNoLock() throws IOException {
        try (IscsiClient c = session()) {
            // a COMPARE AND WRITE of the check blocks whose data never comes: then the connection dies
            Pdu cmd = Pdu.create(Opcode.SCSI_COMMAND).setFlags(0x80 | 0x20 | 0x01).setItt(c.newItt())
                    .setU32(20, 2 * CHECK_BLOCKS * 512).setU32(24, c.takeCmdSn()).setU32(28, c.expStatSn());
            byte[] cdb = IscsiClient.compareAndWrite(CHECK_LBA, CHECK_BLOCKS, false);
            for (int i = 0; i < cdb.length; i++) {
                cmd.setU8(32 + i, cdb[i]);
            }
            c.send(cmd);
            Pdu r2t = c.receiveSkippingPings();
            assertEquals(Opcode.R2T, r2t.opcode());
            r2t.release();
        }
        // @AfterEach: a CAW on the same blocks from another session succeeds
    }
}
