package org.vaaitarget.core.sbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.vaaitarget.core.sbc.SbcFixture.assertCheck;
import static org.vaaitarget.core.sbc.SbcFixture.drain;
import static org.vaaitarget.core.sbc.SbcFixture.filled;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.store.StoreCapabilities;

class ReadWriteHandlerTest {
    private static final int BS = 512;
    private static final long BLOCKS = 1024;
    private final SbcFixture f = new SbcFixture(BS, BLOCKS);

    private static byte[] cdb(int opcode, long lba, long blocks, int byte1) {
        return switch (SbcHandlers.cdbLengthOf(opcode)) {
            case 6 -> Cdb.rw6(opcode, lba, (int) blocks);
            case 10 -> Cdb.ten(opcode, lba, (int) blocks, byte1);
            case 12 -> Cdb.twelve(opcode, lba, blocks, byte1);
            default -> Cdb.sixteen(opcode, lba, blocks, byte1);
        };
    }

    private static byte[] pattern(int blocks, int seed) {
        byte[] b = new byte[blocks * BS];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    @ParameterizedTest
    @ValueSource(ints = {0x0A, 0x2A, 0xAA, 0x8A, 0x2E, 0xAE, 0x8E})
    void simpleWriteThenReadBack(int writeOpcode) {
        byte[] data = pattern(3, writeOpcode);
        CommandResult w = f.run(cdb(writeOpcode, 100, 3, 0), data);
        assertEquals(ScsiStatus.GOOD, w.status());
        assertEquals(3L * BS, w.transferLength());
        assertArrayEquals(data, f.store.peek(100, 3));
        for (int readOpcode : new int[] {0x08, 0x28, 0xA8, 0x88}) {
            CommandResult r = f.run(cdb(readOpcode, 100, 3, 0));
            assertEquals(ScsiStatus.GOOD, r.status());
            assertEquals(3L * BS, r.transferLength());
            assertArrayEquals(data, drain(r), "read opcode " + readOpcode);
        }
    }

    @Test
    void read6ZeroLengthMeans256Blocks() {
        CommandResult r = f.run(Cdb.rw6(0x08, 0, 0));
        assertEquals(ScsiStatus.GOOD, r.status());
        assertEquals(256 * BS, drain(r).length);
    }

    @ParameterizedTest
    @ValueSource(ints = {0x28, 0xA8, 0x88, 0x2A, 0xAA, 0x8A})
    void zeroBlocksIsGoodWithoutTransfer(int opcode) {
        f.store.poke(0, filled(BS, 0x55));
        byte[] data = SbcHandlers.cdbLengthOf(opcode) > 0 && (opcode & 0x02) != 0 ? filled(BS, 1) : null;
        CommandResult r = f.run(cdb(opcode, 0, 0, 0), data);
        assertEquals(ScsiStatus.GOOD, r.status());
        assertNull(r.dataIn());
        assertEquals(0, r.transferLength());
        assertArrayEquals(filled(BS, 0x55), f.store.peek(0, 1));
    }

    @ParameterizedTest
    @ValueSource(ints = {0x08, 0x28, 0xA8, 0x88, 0x0A, 0x2A, 0xAA, 0x8A})
    void beyondEndOfLunIsLbaOutOfRange(int opcode) {
        boolean write = (opcode & 0x02) != 0;
        assertCheck(f.run(cdb(opcode, BLOCKS, 1, 0), write ? filled(BS, 1) : null), SenseReason.LBA_OUT_OF_RANGE);
        assertCheck(f.run(cdb(opcode, BLOCKS - 1, 2, 0), write ? filled(2 * BS, 1) : null),
                SenseReason.LBA_OUT_OF_RANGE);
        if (SbcHandlers.cdbLengthOf(opcode) == 16) {
            // 2^64-1 and 2^63: the LBA is unsigned and lba+blocks must not wrap around.
            assertCheck(f.run(cdb(opcode, -1L, 1, 0), write ? filled(BS, 1) : null), SenseReason.LBA_OUT_OF_RANGE);
            assertCheck(f.run(cdb(opcode, Long.MIN_VALUE, 1, 0), write ? filled(BS, 1) : null),
                    SenseReason.LBA_OUT_OF_RANGE);
        }
        assertEquals(0, f.store.writeCount());
    }

    @ParameterizedTest
    @ValueSource(ints = {0x28, 0xA8, 0x88, 0x2A, 0xAA, 0x8A})
    void protectFieldWithoutProtectionInformationIsInvalid(int opcode) {
        boolean write = (opcode & 0x02) != 0;
        for (int protect = 1; protect < 8; protect++) {
            CommandResult r = f.run(cdb(opcode, 0, 1, protect << 5), write ? filled(BS, 1) : null);
            assertCheck(r, SenseReason.INVALID_FIELD_IN_CDB);
        }
        assertEquals(0, f.store.writeCount());
    }

    @Test
    void transferLengthAboveTheLimitIsInvalidFieldInCdb() {
        SbcFixture big = new SbcFixture(BS, 64 * 1024);
        int max = big.lu.limits().maxTransferBlocks();
        CommandResult r = big.run(Cdb.read16(0, max + 1, 0));
        assertCheck(r, SenseReason.INVALID_FIELD_IN_CDB);
        byte[] s = r.sense();
        assertEquals(0xC0, s[15] & 0xC8, "SKSV and C/D set, BPV clear");
        assertEquals(10, ((s[16] & 0xFF) << 8) | (s[17] & 0xFF), "field pointer names the TRANSFER LENGTH byte");
        assertCheck(big.run(Cdb.write16(0, max + 1, 0), new byte[0]), SenseReason.INVALID_FIELD_IN_CDB);
    }

    @Test
    void fuaMakesTheWriteDurable() {
        f.run(Cdb.write16(0, 1, 0), filled(BS, 1));
        assertEquals(0, f.store.flushCount(), "WCE=1 and no FUA: a cached write");
        f.run(Cdb.write16(0, 1, 0x08), filled(BS, 2));
        assertEquals(1, f.store.flushCount());
        f.run(Cdb.ten(0x2A, 0, 1, 0x18), filled(BS, 3));        // DPO + FUA
        assertEquals(2, f.store.flushCount());
        f.run(Cdb.ten(0x2E, 0, 1, 0), filled(BS, 4));           // WRITE AND VERIFY
        assertEquals(3, f.store.flushCount());
        f.lu.mode().writeCacheEnabled(false);
        f.run(Cdb.write16(0, 1, 0), filled(BS, 5));
        assertEquals(4, f.store.flushCount(), "WCE=0: every write is durable before GOOD");
        assertArrayEquals(filled(BS, 5), f.store.peek(0, 1));
    }

    @Test
    void readWithDpoAndFuaIsAccepted() {
        f.store.poke(7, filled(BS, 0x77));
        CommandResult r = f.run(Cdb.ten(0x28, 7, 1, 0x18));
        assertEquals(ScsiStatus.GOOD, r.status());
        assertArrayEquals(filled(BS, 0x77), drain(r));
    }

    @Test
    void writeAndVerifyWithReservedBytchkIsInvalid() {
        assertCheck(f.run(Cdb.ten(0x2E, 0, 1, 0x04), filled(BS, 1)), SenseReason.INVALID_FIELD_IN_CDB);
        assertEquals(0, f.store.writeCount());
    }

    // --- Data-Out length versus the CDB (libiscsi WriteXX residual tests)

    @Test
    void dataOutLongerThanCdbWritesOnlyTheCdbAmount() {
        f.store.poke(0, filled(2 * BS, 'a'));
        CommandResult r = f.run(Cdb.ten(0x2A, 0, 1, 0), filled(2 * BS, 'b'));
        assertEquals(ScsiStatus.GOOD, r.status());
        assertEquals(BS, r.transferLength(), "the transport reports the underflow from this");
        assertArrayEquals(filled(BS, 'b'), f.store.peek(0, 1));
        assertArrayEquals(filled(BS, 'a'), f.store.peek(1, 1));
    }

    @Test
    void dataOutShorterThanCdbWritesOnlyWhatArrived() {
        f.store.poke(0, filled(2 * BS, 'a'));
        CommandResult r = f.run(Cdb.ten(0x2A, 0, 2, 0), filled(BS, 'b'));
        assertEquals(ScsiStatus.GOOD, r.status());
        assertEquals(2 * BS, r.transferLength(), "the transport reports the overflow from this");
        assertArrayEquals(filled(BS, 'b'), f.store.peek(0, 1));
        assertArrayEquals(filled(BS, 'a'), f.store.peek(1, 1));
    }

    @Test
    void dataOutEndingInsideABlockWritesNothing() {
        f.store.poke(0, filled(BS, 'a'));
        CommandResult r = f.run(Cdb.ten(0x2A, 0, 1, 0), filled(200, 'b'));
        assertCheck(r, SenseReason.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT);
        assertEquals(BS, r.transferLength());
        assertArrayEquals(filled(BS, 'a'), f.store.peek(0, 1));
    }

    @Test
    void noDataOutAtAllIsGoodAndWritesNothing() {
        f.store.poke(0, filled(BS, 'a'));
        CommandResult r = f.run(Cdb.ten(0x2A, 0, 1, 0), new byte[0]);
        assertEquals(ScsiStatus.GOOD, r.status());
        assertEquals(BS, r.transferLength());
        assertArrayEquals(filled(BS, 'a'), f.store.peek(0, 1));
        assertEquals(0, f.store.writeCount());
    }

    @Test
    void readFlaggedAsAWriteIsExecutedAsARead() {
        f.store.poke(0, filled(BS, 'r'));
        CommandResult r = f.run(Cdb.ten(0x28, 0, 1, 0), filled(BS, 0));
        assertEquals(ScsiStatus.GOOD, r.status(), "libiscsi iSCSIResiduals.Read10Invalid");
        assertArrayEquals(filled(BS, 'r'), f.store.peek(0, 1), "the Data-Out is not written");
        if (r.dataIn() != null) {
            r.dataIn().release();
        }
    }

    @Test
    void writesAreRecordedInTheWriterHistory() {
        f.run(SbcFixture.HOST_B, Cdb.ten(0x2A, 40, 2, 0), filled(2 * BS, 9));
        assertEquals(SbcFixture.HOST_B.initiatorPortName(), f.lu.writerHistory().lastWriter(41).initiatorPort());
        assertEquals("WRITE(10)", f.lu.writerHistory().lastWriter(40).command());
        assertNull(f.lu.writerHistory().lastWriter(42));
    }

    @Test
    void storeCapabilitiesDoNotChangeTheData() {
        SbcFixture wt = new SbcFixture(4096, 16, new StoreCapabilities(false, false, false, false), null);
        byte[] d = new byte[4096];
        Arrays.fill(d, (byte) 3);
        wt.run(Cdb.write16(15, 1, 0), d);
        assertArrayEquals(d, wt.read(15, 1));
        assertEquals(1, wt.store.flushCount(), "write-through store (WCE=0): durable");
        assertEquals(0, wt.lu.locks().outstanding());
    }
}
