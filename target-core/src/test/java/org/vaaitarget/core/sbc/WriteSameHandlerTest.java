package org.vaaitarget.core.sbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vaaitarget.core.sbc.SbcFixture.HOST_B;
import static org.vaaitarget.core.sbc.SbcFixture.assertCheck;
import static org.vaaitarget.core.sbc.SbcFixture.filled;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.core.lu.LunLimits;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.store.StoreCapabilities;
import org.vaaitarget.core.store.file.FileBlockStore;

class WriteSameHandlerTest {
    private static final int BS = 512;
    private static final long BLOCKS = 8192;
    private final SbcFixture f = new SbcFixture(BS, BLOCKS);

    @AfterEach
    void locksReleased() {
        assertEquals(0, f.lu.locks().outstanding(), "every range lock released");
    }

    static byte[] ws10(long lba, int blocks, int byte1) {
        return Cdb.ten(0x41, lba, blocks, byte1);
    }

    static byte[] ws16(long lba, long blocks, int byte1) {
        return Cdb.sixteen(0x93, lba, blocks, byte1);
    }

    private static byte[] pattern() {
        byte[] b = new byte[BS];
        for (int i = 0; i < BS; i++) {
            b[i] = (byte) (i * 7 + 3);
        }
        return b;
    }

    @Test
    void writesTheBlockToEveryBlockOfTheRangeAndNothingElse() {
        f.store.poke(99, filled(BS, 'x'));
        f.store.poke(400, filled(BS, 'y'));
        CommandResult r = f.run(ws16(100, 300, 0), pattern());
        assertEquals(ScsiStatus.GOOD, r.status());
        assertEquals(BS, r.transferLength());
        for (int b = 0; b < 300; b++) {
            assertArrayEquals(pattern(), f.store.peek(100 + b, 1), "block " + (100 + b));
        }
        assertArrayEquals(filled(BS, 'x'), f.store.peek(99, 1));
        assertArrayEquals(filled(BS, 'y'), f.store.peek(400, 1));
    }

    @Test
    void smallRangesAreRecordedInTheWriterHistory() {
        assertEquals(ScsiStatus.GOOD, f.run(HOST_B, ws10(500, 4, 0), pattern()).status());
        assertNotNull(f.lu.writerHistory().lastWriter(503), "recorded for miscompare forensics");
        assertEquals(HOST_B.initiatorPortName(), f.lu.writerHistory().lastWriter(503).initiatorPort());
        assertEquals("WRITE SAME(10)", f.lu.writerHistory().lastWriter(503).command());
    }

    @Test
    void largeRangesAreWrittenInChunksNotOneCallPerBlock() {
        int blocks = 5000;                                    // > one 1 MiB chunk of 512-byte blocks
        CommandResult r = f.run(ws10(0, blocks, 0), filled(BS, 0xAB));
        assertEquals(ScsiStatus.GOOD, r.status());
        assertArrayEquals(filled(blocks * BS, 0xAB), f.store.peek(0, blocks));
        int chunkBlocks = RepeatedBlockWriter.CHUNK_BYTES / BS;
        assertEquals((blocks + chunkBlocks - 1) / chunkBlocks, f.store.writeCount());
    }

    @Test
    void zeroingLargeRangesUsesTheSharedZeroChunk() {
        int blocks = 5000;
        f.store.poke(0, filled(blocks * BS, 0x11));
        assertEquals(ScsiStatus.GOOD, f.run(ws16(0, blocks, 0), new byte[BS]).status());
        assertArrayEquals(new byte[blocks * BS], f.store.peek(0, blocks));
        assertEquals(ScsiStatus.GOOD, f.run(ws16(0, 3, 0), pattern()).status());   // and a pattern still works after
        assertArrayEquals(pattern(), f.store.peek(2, 1));
    }

    /** A store that zeroes without data (as RBD's write-zeroes): counts its zeroing requests and its writes. */
    private static final class ZeroingStore implements org.vaaitarget.core.store.BlockStore {
        final org.vaaitarget.core.store.memory.MemoryBlockStore inner = new org.vaaitarget.core.store.memory.MemoryBlockStore(BS, BLOCKS);
        final java.util.List<long[]> zeroed = new java.util.ArrayList<>();
        int writes;

        @Override public int blockSize() { return inner.blockSize(); }
        @Override public long blockCount() { return inner.blockCount(); }
        @Override public org.vaaitarget.core.store.StoreCapabilities capabilities() { return inner.capabilities(); }
        @Override public java.util.concurrent.CompletableFuture<io.netty.buffer.ByteBuf> read(long lba, int blocks) { return inner.read(lba, blocks); }
        @Override public java.util.concurrent.CompletableFuture<Void> write(long lba, io.netty.buffer.ByteBuf data, boolean fua) {
            writes++;
            return inner.write(lba, data, fua);
        }
        @Override public java.util.concurrent.CompletableFuture<Void> flush() { return inner.flush(); }
        @Override public java.util.concurrent.CompletableFuture<Void> unmap(long lba, long blocks) { return inner.unmap(lba, blocks); }
        @Override public boolean zeroesWithoutData() { return true; }
        @Override public java.util.concurrent.CompletableFuture<Void> writeZeroes(long lba, long blocks) {
            zeroed.add(new long[] {lba, blocks});
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }
        @Override public void close() { inner.close(); }
    }

    @Test
    void zeroBlocksGoToAStoreThatZeroesWithoutDataAsOneRequest() {
        ZeroingStore store = new ZeroingStore();
        SbcFixture z = SbcFixture.on(store);
        assertEquals(ScsiStatus.GOOD, z.run(ws16(10, 5000, 0), new byte[BS]).status());
        assertEquals(1, store.zeroed.size());
        assertArrayEquals(new long[] {10, 5000}, store.zeroed.get(0));
        assertEquals(0, store.writes, "no zero blocks sent");
        assertEquals(ScsiStatus.GOOD, z.run(ws16(10, 3, 0), pattern()).status());
        assertEquals(1, store.writes, "a pattern is still written");
        assertEquals(1, store.zeroed.size());
    }

    @Test
    void rangeAtTheEndAndBeyondTheEnd() {
        assertEquals(ScsiStatus.GOOD, f.run(ws10(BLOCKS - 1, 1, 0), pattern()).status());
        assertCheck(f.run(ws10(BLOCKS - 1, 2, 0), pattern()), SenseReason.LBA_OUT_OF_RANGE);
        assertCheck(f.run(ws16(BLOCKS, 1, 0), pattern()), SenseReason.LBA_OUT_OF_RANGE);
        assertCheck(f.run(ws16(-1L, 1, 0), pattern()), SenseReason.LBA_OUT_OF_RANGE);
        assertCheck(f.run(ws10(0xFFFF_FFFFL, 1, 0), pattern()), SenseReason.LBA_OUT_OF_RANGE);
    }

    @Test
    void zeroBlocksMeansToTheEndOfTheMedium() {
        f.store.poke(BLOCKS - 11, filled(BS, 'z'));
        CommandResult r = f.run(ws16(BLOCKS - 10, 0, 0), pattern());
        assertEquals(ScsiStatus.GOOD, r.status());
        for (long b = BLOCKS - 10; b < BLOCKS; b++) {
            assertArrayEquals(pattern(), f.store.peek(b, 1));
        }
        assertArrayEquals(filled(BS, 'z'), f.store.peek(BLOCKS - 11, 1));
        // beyond the medium even with 0 blocks
        assertCheck(f.run(ws10(BLOCKS, 0, 0), pattern()), SenseReason.LBA_OUT_OF_RANGE);
        assertCheck(f.run(ws10(BLOCKS + 1, 0, 0), pattern()), SenseReason.LBA_OUT_OF_RANGE);
    }

    @Test
    void zeroBlocksCountingMoreThanTheMaximumWriteSameLengthIsInvalid() {
        long mwsl = f.lu.limits().maxWriteSameBlocks();
        SbcFixture big = SbcFixture.on(new org.vaaitarget.core.store.memory.MemoryBlockStore(BS, mwsl + 8));
        assertCheck(big.run(ws16(0, 0, 0), pattern()), SenseReason.INVALID_FIELD_IN_CDB);
        assertEquals(0, big.store.writeCount(), "nothing written");
        assertEquals(ScsiStatus.GOOD, big.run(ws16(8, 0, 0), pattern()).status());   // exactly MWSL to the end
    }

    @Test
    void moreThanTheMaximumWriteSameLengthIsInvalidFieldInCdb() {
        LunLimits l = f.lu.limits();
        SbcFixture big = SbcFixture.on(new org.vaaitarget.core.store.memory.MemoryBlockStore(BS, l.maxWriteSameBlocks() * 2));
        assertCheck(big.run(ws16(0, l.maxWriteSameBlocks() + 1, 0), pattern()), SenseReason.INVALID_FIELD_IN_CDB);
        assertEquals(0, big.store.writeCount());
    }

    @Test
    void wrprotectAnchorAreInvalidFieldsAndWriteNothing() {
        f.store.poke(0, filled(BS, 'k'));
        assertCheck(f.run(ws10(0, 1, 0x20), pattern()), SenseReason.INVALID_FIELD_IN_CDB);
        assertCheck(f.run(ws16(0, 1, 0xE0), pattern()), SenseReason.INVALID_FIELD_IN_CDB);
        assertCheck(f.run(ws10(0, 1, 0x10), pattern()), SenseReason.INVALID_FIELD_IN_CDB);           // ANCHOR
        assertCheck(f.run(ws16(0, 1, 0x18), new byte[BS]), SenseReason.INVALID_FIELD_IN_CDB);        // ANCHOR+UNMAP
        assertArrayEquals(filled(BS, 'k'), f.store.peek(0, 1));
    }

    @Test
    void dataOutOtherThanOneBlockIsRefusedAndWritesNothing() {
        f.store.poke(5, filled(BS, 'k'));
        for (byte[] data : new byte[][] {new byte[BS / 2], new byte[2 * BS]}) {
            CommandResult r = f.run(ws10(5, 1, 0x08), data);
            assertCheck(r, SenseReason.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT);
            assertEquals(BS, r.transferLength());
        }
        assertCheck(f.run(ws16(5, 1, 0), null), SenseReason.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT);
        assertCheck(f.run(ws16(5, 1, 0x01), new byte[BS]), SenseReason.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT);
        assertArrayEquals(filled(BS, 'k'), f.store.peek(5, 1));
    }

    @Test
    void ndobWritesZerosWithoutDataOut() {
        f.store.poke(20, filled(4 * BS, 'q'));
        CommandResult r = f.run(ws16(20, 4, 0x01), null);
        assertEquals(ScsiStatus.GOOD, r.status());
        assertEquals(0, r.transferLength());
        assertArrayEquals(new byte[4 * BS], f.store.peek(20, 4));
        assertTrue(f.store.allocationAt(20).join().mapped(), "UNMAP=0: the blocks stay mapped");
    }

    @Test
    void unmapBitWithZerosDeallocates() {
        f.store.poke(30, filled(16 * BS, 'q'));
        assertEquals(ScsiStatus.GOOD, f.run(ws10(30, 16, 0x08), new byte[BS]).status());
        assertArrayEquals(new byte[16 * BS], f.store.peek(30, 16));
        assertFalse(f.store.allocationAt(30).join().mapped(), "deallocated");
        assertEquals(ScsiStatus.GOOD, f.run(ws16(50, 4, 0x09), null).status());   // NDOB + UNMAP
        assertFalse(f.store.allocationAt(50).join().mapped());
    }

    @Test
    void unmapBitWithNonZeroDataWritesTheData() {
        // SBC-4 5.50: reads must return the Data-Out afterwards; deallocated blocks would read zeros.
        assertEquals(ScsiStatus.GOOD, f.run(ws16(60, 3, 0x08), pattern()).status());
        for (int b = 0; b < 3; b++) {
            assertArrayEquals(pattern(), f.store.peek(60 + b, 1));
        }
        assertTrue(f.store.allocationAt(60).join().mapped());
    }

    @Test
    void unmapBitOnAStoreThatCannotUnmapIsInvalid() {
        SbcFixture thick = new SbcFixture(BS, 64, new StoreCapabilities(true, false, false, false), null);
        assertCheck(thick.run(ws10(0, 1, 0x08), new byte[BS]), SenseReason.INVALID_FIELD_IN_CDB);
        assertEquals(ScsiStatus.GOOD, thick.run(ws10(0, 1, 0), new byte[BS]).status());
    }

    @Test
    void writeThroughFlushesAfterTheLastChunk() {
        f.lu.mode().writeCacheEnabled(false);
        long before = f.store.flushCount();
        assertEquals(ScsiStatus.GOOD, f.run(HOST_B, ws10(0, 10, 0), pattern()).status());
        assertEquals(before + 1, f.store.flushCount());
    }

    @Test
    void unmapBitFreesSpaceOnAFileStore(@TempDir Path dir) throws Exception {
        LunConfig config = new LunConfig(dir.resolve("lun.img"), 8L << 20, BS, LunConfig.WriteCacheMode.WRITE_BACK, "t");
        try (FileBlockStore store = FileBlockStore.open(config)) {
            SbcFixture file = SbcFixture.on(store);
            int blocks = 4096;                                  // 2 MiB
            assertEquals(ScsiStatus.GOOD, file.run(ws16(0, blocks, 0), filled(BS, 0x5A)).status());
            long mapped = store.allocatedBlocks().join().orElseThrow();
            assertTrue(mapped >= blocks, "written blocks are allocated: " + mapped);
            assertEquals(ScsiStatus.GOOD, file.run(ws16(0, blocks, 0x08), new byte[BS]).status());
            long after = store.allocatedBlocks().join().orElseThrow();
            assertTrue(after < mapped, "space freed: " + mapped + " -> " + after);
            assertArrayEquals(new byte[8 * BS], SbcFixture.drain(file.run(Cdb.read16(0, 8, 0))));
            assertFalse(store.allocationAt(0).join().mapped());
        }
    }
}
