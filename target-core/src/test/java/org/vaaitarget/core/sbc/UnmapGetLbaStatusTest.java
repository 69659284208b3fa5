package org.vaaitarget.core.sbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vaaitarget.core.sbc.SbcFixture.assertCheck;
import static org.vaaitarget.core.sbc.SbcFixture.drain;
import static org.vaaitarget.core.sbc.SbcFixture.filled;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
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
import org.vaaitarget.core.testkit.Harness;

/** UNMAP (SBC-4 5.32) and GET LBA STATUS (SBC-4 5.22). */
class UnmapGetLbaStatusTest {
    private static final int BS = 512;
    private static final long BLOCKS = 4096;
    private final SbcFixture f = new SbcFixture(BS, BLOCKS);

    @AfterEach
    void locksReleased() {
        assertEquals(0, f.lu.locks().outstanding(), "every range lock released");
    }

    /** UNMAP CDB with a PARAMETER LIST LENGTH. */
    static byte[] unmapCdb(int listLength, int byte1) {
        byte[] c = new byte[10];
        c[0] = 0x42;
        c[1] = (byte) byte1;
        Cdb.put(c, 7, 2, listLength);
        return c;
    }

    /** A well-formed parameter list: pairs of (lba, blocks). */
    static byte[] list(long... lbaBlocks) {
        return Harness.unmapList(lbaBlocks);
    }

    CommandResult unmap(byte[] list) {
        return f.run(unmapCdb(list.length, 0), list);
    }

    static byte[] getLbaStatus(long lba, int alloc) {
        byte[] c = Cdb.sixteen(0x9E, lba, alloc, 0x12);
        return c;
    }

    /** Parsed descriptors: {lba, blocks, status}. */
    static long[][] descriptors(byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data);
        int n = (data.length - 8) / 16;
        assertEquals(data.length - 4, b.getInt(0), "PARAMETER DATA LENGTH");
        long[][] out = new long[n][];
        for (int i = 0; i < n; i++) {
            int at = 8 + 16 * i;
            out[i] = new long[] {b.getLong(at), b.getInt(at + 8) & 0xFFFF_FFFFL, data[at + 12] & 0x0F};
        }
        return out;
    }

    @Test
    void unmapDeallocatesEveryDescriptorAndReadsZeros() {
        f.store.poke(0, filled(64 * BS, 'a'));
        assertEquals(ScsiStatus.GOOD, unmap(list(0, 8, 16, 8, 40, 1)).status());
        assertArrayEquals(new byte[8 * BS], f.store.peek(0, 8));
        assertArrayEquals(filled(8 * BS, 'a'), f.store.peek(8, 8));
        assertArrayEquals(new byte[8 * BS], f.store.peek(16, 8));
        assertArrayEquals(new byte[BS], f.store.peek(40, 1));
        assertArrayEquals(filled(BS, 'a'), f.store.peek(41, 1));
    }

    @Test
    void overlappingAndDuplicateDescriptorsAreFine() {
        f.store.poke(0, filled(32 * BS, 'a'));
        assertEquals(ScsiStatus.GOOD, unmap(list(0, 8, 4, 8, 4, 8, 12, 0, 20, 2)).status());
        assertArrayEquals(new byte[12 * BS], f.store.peek(0, 12));
        assertArrayEquals(filled(8 * BS, 'a'), f.store.peek(12, 8));
        assertEquals(List.of(new UnmapHandler.Range(0, 12), new UnmapHandler.Range(20, 2)),
                UnmapHandler.merge(List.of(new UnmapHandler.Range(20, 2), new UnmapHandler.Range(4, 8),
                        new UnmapHandler.Range(0, 8), new UnmapHandler.Range(4, 8))));
    }

    @Test
    void zeroLengthListAndZeroBlockDescriptorsAreNoOps() {
        assertEquals(ScsiStatus.GOOD, f.run(unmapCdb(0, 0), null).status());
        assertEquals(ScsiStatus.GOOD, unmap(list(BLOCKS, 0)).status());    // at the capacity, 0 blocks
        assertEquals(ScsiStatus.GOOD, unmap(list()).status());             // header only
    }

    @Test
    void shortListsAreParameterListLengthErrors() {
        assertCheck(f.run(unmapCdb(7, 0), new byte[7]), SenseReason.PARAMETER_LIST_LENGTH_ERROR);
        byte[] l = list(0, 1);
        assertCheck(f.run(unmapCdb(8, 0), java.util.Arrays.copyOf(l, 8)), SenseReason.PARAMETER_LIST_LENGTH_ERROR);
        // the CDB announces 24 bytes but only 7 arrive
        assertCheck(f.run(unmapCdb(24, 0), new byte[7]), SenseReason.PARAMETER_LIST_LENGTH_ERROR);
    }

    @Test
    void limitsAreInvalidFieldInParameterListAndNothingIsUnmapped() {
        LunLimits l = f.lu.limits();
        f.store.poke(0, filled(BS, 'a'));
        long[] many = new long[2 * (l.maxUnmapDescriptors() + 1)];
        for (int i = 0; i < many.length / 2; i++) {
            many[2 * i] = i;
            many[2 * i + 1] = 1;
        }
        assertCheck(unmap(list(many)), SenseReason.INVALID_FIELD_IN_PARAMETER_LIST);
        // repeated whole-LUN descriptors: the total counts every descriptor, overlapping or not
        long lunBlocks = 8192;
        SbcFixture big = new SbcFixture(BS, lunBlocks);
        big.store.poke(0, filled(BS, 'a'));
        int n = (int) (l.maxUnmapLbaCount() / lunBlocks) + 1;
        assertTrue(n <= l.maxUnmapDescriptors());
        long[] whole = new long[2 * n];
        for (int i = 0; i < n; i++) {
            whole[2 * i + 1] = lunBlocks;
        }
        byte[] wholeList = list(whole);
        assertCheck(big.run(unmapCdb(wholeList.length, 0), wholeList), SenseReason.INVALID_FIELD_IN_PARAMETER_LIST);
        assertArrayEquals(filled(BS, 'a'), big.store.peek(0, 1));
        assertArrayEquals(filled(BS, 'a'), f.store.peek(0, 1));
    }

    @Test
    void outOfRangeDescriptorUnmapsNothing() {
        f.store.poke(0, filled(BS, 'a'));
        assertCheck(unmap(list(0, 1, BLOCKS - 1, 2)), SenseReason.LBA_OUT_OF_RANGE);
        assertCheck(unmap(list(0, 1, -1L, 1)), SenseReason.LBA_OUT_OF_RANGE);
        assertArrayEquals(filled(BS, 'a'), f.store.peek(0, 1));
    }

    @Test
    void anchorIsInvalidAndAStoreWithoutUnmapDoesNotServeIt() {
        assertCheck(f.run(unmapCdb(24, 0x01), list(0, 1)), SenseReason.INVALID_FIELD_IN_CDB);
        SbcFixture thick = new SbcFixture(BS, 64, new StoreCapabilities(true, false, false, false), null);
        assertCheck(thick.run(unmapCdb(24, 0), list(0, 1)), SenseReason.INVALID_COMMAND_OPERATION_CODE);
    }

    @Test
    void getLbaStatusReportsMappedAndDeallocatedRuns() {
        f.store.poke(0, filled(32 * BS, 'a'));
        assertEquals(ScsiStatus.GOOD, unmap(list(8, 8)).status());
        CommandResult r = f.run(getLbaStatus(0, 8 + 16 * 4));
        assertEquals(ScsiStatus.GOOD, r.status());
        long[][] d = descriptors(drain(r));
        assertEquals(4, d.length);
        assertArrayEquals(new long[] {0, 8, 0}, d[0]);
        assertArrayEquals(new long[] {8, 8, 1}, d[1]);
        assertArrayEquals(new long[] {16, 16, 0}, d[2]);
        assertArrayEquals(new long[] {32, BLOCKS - 32, 1}, d[3]);
        // the first descriptor starts at the requested LBA, inside a run
        long[][] mid = descriptors(drain(f.run(getLbaStatus(10, 24))));
        assertEquals(1, mid.length);
        assertArrayEquals(new long[] {10, 6, 1}, mid[0]);
    }

    @Test
    void getLbaStatusBeyondTheEndAndTruncation() {
        assertCheck(f.run(getLbaStatus(BLOCKS, 24)), SenseReason.LBA_OUT_OF_RANGE);
        assertCheck(f.run(getLbaStatus(-1L, 24)), SenseReason.LBA_OUT_OF_RANGE);
        long[][] last = descriptors(drain(f.run(getLbaStatus(BLOCKS - 1, 1024))));
        assertEquals(1, last.length, "the medium ends after one descriptor");
        assertArrayEquals(new long[] {BLOCKS - 1, 1, 1}, last[0]);
        CommandResult r = f.run(getLbaStatus(0, 4));
        byte[] d = drain(r);
        assertEquals(4, d.length);
        assertEquals(ScsiStatus.GOOD, f.run(getLbaStatus(0, 0)).status());
    }

    @Test
    void getLbaStatusAfterUnmapOnAFileStoreShowsTheHole(@TempDir Path dir) throws Exception {
        LunConfig config = new LunConfig(dir.resolve("lun.img"), 4L << 20, BS, LunConfig.WriteCacheMode.WRITE_BACK, "t");
        try (FileBlockStore store = FileBlockStore.open(config)) {
            SbcFixture file = SbcFixture.on(store);
            long before = store.allocatedBlocks().join().orElseThrow();
            assertEquals(ScsiStatus.GOOD, file.run(Cdb.write16(0, 2048, 0), filled(2048 * BS, 'w')).status());
            long written = store.allocatedBlocks().join().orElseThrow();
            assertTrue(written >= before + 2048, "allocated after the write");
            assertEquals(ScsiStatus.GOOD, file.run(unmapCdb(24, 0), list(1024, 1024)).status());
            long[][] d = descriptors(drain(file.run(getLbaStatus(1024, 24))));
            assertArrayEquals(new long[] {1024, 1, 1}, new long[] {d[0][0], Math.min(1, d[0][1]), d[0][2]});
            long[][] head = descriptors(drain(file.run(getLbaStatus(0, 24))));
            assertEquals(0, head[0][2], "mapped");
            assertFalse(store.allocatedBlocks().join().orElseThrow() >= written, "space freed");
            assertArrayEquals(new byte[BS], drain(file.run(Cdb.read16(1500, 1, 0))));
        }
    }
}
