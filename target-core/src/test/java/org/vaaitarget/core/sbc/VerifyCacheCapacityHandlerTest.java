package org.vaaitarget.core.sbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.vaaitarget.core.sbc.SbcFixture.assertCheck;
import static org.vaaitarget.core.sbc.SbcFixture.drain;
import static org.vaaitarget.core.sbc.SbcFixture.filled;
import static org.vaaitarget.core.sbc.SbcFixture.information;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.store.BlockStore;
import org.vaaitarget.core.store.StoreCapabilities;

class VerifyCacheCapacityHandlerTest {
    private static final int BS = 512;
    private static final long BLOCKS = 100;
    private final SbcFixture f = new SbcFixture(BS, BLOCKS);

    @AfterEach
    void noLockLeft() {
        assertEquals(0, f.lu.locks().outstanding());
    }

    private static byte[] verify(int opcode, long lba, long blocks, int bytchk) {
        int byte1 = bytchk << 1;
        return switch (opcode) {
            case 0x2F -> Cdb.ten(opcode, lba, (int) blocks, byte1);
            case 0xAF -> Cdb.twelve(opcode, lba, blocks, byte1);
            default -> Cdb.sixteen(opcode, lba, blocks, byte1);
        };
    }

    // --- VERIFY

    @ParameterizedTest
    @ValueSource(ints = {0x2F, 0xAF, 0x8F})
    void verifyWithBytchkComparesAndReportsTheOffset(int opcode) {
        f.store.poke(10, filled(2 * BS, 'V'));
        assertEquals(ScsiStatus.GOOD, f.run(verify(opcode, 10, 2, 1), filled(2 * BS, 'V')).status());
        byte[] wrong = filled(2 * BS, 'V');
        wrong[BS + 3] = 0;
        CommandResult r = f.run(verify(opcode, 10, 2, 1), wrong);
        assertCheck(r, SenseReason.MISCOMPARE_DURING_VERIFY_OPERATION);
        assertEquals(BS + 3, information(r));
    }

    @ParameterizedTest
    @ValueSource(ints = {0x2F, 0xAF, 0x8F})
    void verifyWithoutBytchkDoesNotCompare(int opcode) {
        f.store.poke(10, filled(BS, 'V'));
        assertEquals(ScsiStatus.GOOD, f.run(verify(opcode, 10, 1, 0), filled(BS, 'X')).status());
    }

    @Test
    void verifyBytchk3ComparesOneBlockWithEachBlock() {
        f.store.poke(0, filled(3 * BS, 'S'));
        assertEquals(ScsiStatus.GOOD, f.run(verify(0x8F, 0, 3, 3), filled(BS, 'S')).status());
        f.store.poke(2, filled(BS, 'T'));
        CommandResult r = f.run(verify(0x8F, 0, 3, 3), filled(BS, 'S'));
        assertCheck(r, SenseReason.MISCOMPARE_DURING_VERIFY_OPERATION);
        assertEquals(2 * BS, information(r));
    }

    @ParameterizedTest
    @ValueSource(ints = {0x2F, 0xAF, 0x8F})
    void verifyBeyondEndOfLunAndInvalidFields(int opcode) {
        assertCheck(f.run(verify(opcode, BLOCKS, 1, 1), filled(BS, 0)), SenseReason.LBA_OUT_OF_RANGE);
        assertCheck(f.run(verify(opcode, BLOCKS - 1, 2, 0), null), SenseReason.LBA_OUT_OF_RANGE);
        assertCheck(f.run(verify(opcode, 0, 1, 2), filled(BS, 0)), SenseReason.INVALID_FIELD_IN_CDB);
        byte[] vrprotect = verify(opcode, 0, 1, 1);
        vrprotect[1] |= (byte) 0x20;
        assertCheck(f.run(vrprotect, filled(BS, 0)), SenseReason.INVALID_FIELD_IN_CDB);
        assertEquals(ScsiStatus.GOOD, f.run(verify(opcode, 0, 0, 1), null).status());
    }

    @Test
    void verifyWithTooLittleDataOutIsAnError() {
        CommandResult r = f.run(verify(0x2F, 0, 2, 1), filled(BS, 0));
        assertCheck(r, SenseReason.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT);
        assertEquals(2 * BS, r.transferLength());
    }

    // --- SYNCHRONIZE CACHE and PRE-FETCH

    @Test
    void synchronizeCacheFlushesTheStore() {
        assertEquals(ScsiStatus.GOOD, f.run(Cdb.ten(0x35, 0, 10, 0)).status());
        assertEquals(1, f.store.flushCount());
        assertEquals(ScsiStatus.GOOD, f.run(Cdb.sixteen(0x91, 0, 0, 0x02)).status());   // IMMED, to the end
        assertEquals(2, f.store.flushCount());
    }

    @ParameterizedTest
    @ValueSource(ints = {0x35, 0x91, 0x34, 0x90})
    void cacheCommandsCheckTheRange(int opcode) {
        byte[] past = opcode == 0x35 || opcode == 0x34 ? Cdb.ten(opcode, BLOCKS - 1, 2, 0)
                : Cdb.sixteen(opcode, BLOCKS - 1, 2, 0);
        assertCheck(f.run(past), SenseReason.LBA_OUT_OF_RANGE);
        byte[] zeroPastEnd = opcode == 0x35 || opcode == 0x34 ? Cdb.ten(opcode, BLOCKS + 1, 0, 0)
                : Cdb.sixteen(opcode, BLOCKS + 1, 0, 0);
        assertCheck(f.run(zeroPastEnd), SenseReason.LBA_OUT_OF_RANGE);
        byte[] ok = opcode == 0x35 || opcode == 0x34 ? Cdb.ten(opcode, BLOCKS - 1, 1, 0)
                : Cdb.sixteen(opcode, BLOCKS - 1, 1, 0);
        assertEquals(ScsiStatus.GOOD, f.run(ok).status());
    }

    @Test
    void prefetchIsGoodAndDoesNotFlush() {
        assertEquals(ScsiStatus.GOOD, f.run(Cdb.ten(0x34, 0, 0, 0x02)).status());
        assertEquals(0, f.store.flushCount());
    }

    // --- READ CAPACITY

    @Test
    void readCapacity10() {
        byte[] d = drain(f.run(Cdb.ten(0x25, 0, 0, 0)));
        ByteBuffer b = ByteBuffer.wrap(d);
        assertEquals(8, d.length);
        assertEquals(BLOCKS - 1, b.getInt());
        assertEquals(BS, b.getInt());
    }

    @Test
    void readCapacity10WithLbaButNoPmiIsInvalid() {
        assertCheck(f.run(Cdb.ten(0x25, 5, 0, 0)), SenseReason.INVALID_FIELD_IN_CDB);
    }

    @Test
    void readCapacity10SaysFfffffffWhenTheLastLbaDoesNotFit() {
        SbcFixture huge = SbcFixture.on(new HugeStore((1L << 32) + 10));
        ByteBuffer b = ByteBuffer.wrap(drain(huge.run(Cdb.ten(0x25, 0, 0, 0))));
        assertEquals(0xFFFF_FFFF, b.getInt());
        ByteBuffer b16 = ByteBuffer.wrap(drain(huge.run(readCapacity16(32))));
        assertEquals((1L << 32) + 9, b16.getLong());
        // Exactly 2^32 blocks: last LBA FFFFFFFFh also does not fit (it is the escape value).
        SbcFixture edge = SbcFixture.on(new HugeStore(1L << 32));
        assertEquals(0xFFFF_FFFF, ByteBuffer.wrap(drain(edge.run(Cdb.ten(0x25, 0, 0, 0)))).getInt());
        SbcFixture fits = SbcFixture.on(new HugeStore((1L << 32) - 1));
        assertEquals(0xFFFF_FFFE, ByteBuffer.wrap(drain(fits.run(Cdb.ten(0x25, 0, 0, 0)))).getInt());
    }

    private static byte[] readCapacity16(int alloc) {
        byte[] c = new byte[16];
        c[0] = (byte) 0x9E;
        c[1] = 0x10;
        Cdb.put(c, 10, 4, alloc);
        return c;
    }

    @Test
    void readCapacity16ReportsSizeAndProvisioningBits() {
        byte[] d = drain(f.run(readCapacity16(32)));
        assertEquals(32, d.length);
        ByteBuffer b = ByteBuffer.wrap(d);
        assertEquals(BLOCKS - 1, b.getLong());
        assertEquals(BS, b.getInt());
        assertEquals(0, d[12], "no protection information");
        assertEquals(0xC0, d[14] & 0xFF, "LBPME and LBPRZ from the store capabilities");

        SbcFixture thick = new SbcFixture(4096, 8, new StoreCapabilities(false, false, false, false), null);
        byte[] t = drain(thick.run(readCapacity16(32)));
        assertEquals(0, t[14] & 0xC0);
        assertEquals(4096, ByteBuffer.wrap(t, 8, 4).getInt());

        SbcFixture noZero = new SbcFixture(512, 8, new StoreCapabilities(true, true, false, true), null);
        assertEquals(0x80, drain(noZero.run(readCapacity16(32)))[14] & 0xFF);
    }

    @Test
    void readCapacity16TruncatesToTheAllocationLength() {
        CommandResult r = f.run(readCapacity16(12));
        assertEquals(12, r.transferLength());
        byte[] d = drain(r);
        assertEquals(12, d.length);
        assertEquals(BLOCKS - 1, ByteBuffer.wrap(d).getLong());
        CommandResult none = f.run(readCapacity16(0));
        assertEquals(ScsiStatus.GOOD, none.status());
        assertEquals(0, drain(none).length);
    }

    /** A store that only knows its size: for capacities a memory store cannot hold. */
    private record HugeStore(long blockCount) implements BlockStore {
        public int blockSize() {
            return 512;
        }

        public StoreCapabilities capabilities() {
            return new StoreCapabilities(false, false, false, false);
        }

        public CompletableFuture<ByteBuf> read(long lba, int blocks) {
            throw new UnsupportedOperationException();
        }

        public CompletableFuture<Void> write(long lba, ByteBuf data, boolean fua) {
            throw new UnsupportedOperationException();
        }

        public CompletableFuture<Void> flush() {
            return CompletableFuture.completedFuture(null);
        }

        public CompletableFuture<Void> unmap(long lba, long blocks) {
            throw new UnsupportedOperationException();
        }

        public void close() {
        }
    }
}
