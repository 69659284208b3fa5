package org.vaaitarget.core.sbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.vaaitarget.core.sbc.SbcFixture.HOST_A;
import static org.vaaitarget.core.sbc.SbcFixture.HOST_B;
import static org.vaaitarget.core.sbc.SbcFixture.concat;
import static org.vaaitarget.core.sbc.SbcFixture.filled;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.vaaitarget.core.observe.MiscompareCause;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.store.StoreCapabilities;
import org.vaaitarget.core.store.memory.MemoryBlockStore;
import org.vaaitarget.core.testkit.ForwardingBlockStore;

/**
 * WCE=0 (SBC-4 4.15): a changed block is durable before GOOD, yet the range lock is released as soon as the
 * data is in the store, so the next command on those blocks does not wait for the previous one's flush.
 */
class DurabilityTest {
    private static final int BS = 512;

    /** A write-through memory store whose flushes complete only when the test says so. */
    private static final class GatedFlushes extends ForwardingBlockStore {
        final MemoryBlockStore memory;
        final List<CompletableFuture<Void>> flushes = new ArrayList<>();

        GatedFlushes() {
            this(new MemoryBlockStore(BS, 64, new StoreCapabilities(false, true, true, true), null));
        }

        private GatedFlushes(MemoryBlockStore memory) {
            super(memory);
            this.memory = memory;
        }

        @Override
        public CompletableFuture<Void> flush() {
            CompletableFuture<Void> f = new CompletableFuture<>();
            flushes.add(f);
            return f;
        }

        @Override
        public CompletableFuture<Void> write(long lba, ByteBuf data, boolean fua) {
            return fua ? inner.write(lba, data, false).thenCompose(v -> flush()) : inner.write(lba, data, false);
        }
    }

    @Test
    void compareAndWriteMatchingAnUnflushedRecordProceedsButItsGoodWaitsForItsOwnLaterFlush() {
        GatedFlushes store = new GatedFlushes();
        SbcFixture f = SbcFixture.on(store);
        byte[] a = filled(BS, 1);
        byte[] b = filled(BS, 2);
        SbcFixture.Running first = f.start(HOST_A, Cdb.caw(5, 1, 0), concat(new byte[BS], a));
        assertEquals(1, store.flushes.size(), "written, flush requested");
        assertFalse(first.stage().isDone(), "no GOOD before the flush");

        SbcFixture.Running second = f.start(HOST_B, Cdb.caw(5, 1, 0), concat(a, b));
        assertEquals(2, store.flushes.size(), "the second ATS did not wait for the first's flush to take the lock");
        assertArrayEquals(b, store.memory.peek(5, 1));

        store.flushes.get(0).complete(null);
        assertEquals(ScsiStatus.GOOD, first.stage().join().status());
        assertFalse(second.stage().isDone(), "the first's flush was requested before the second read its record");
        store.flushes.get(1).complete(null);
        assertEquals(ScsiStatus.GOOD, second.stage().join().status());
        first.finish();
        second.finish();
        assertEquals(0, f.lu.locks().outstanding());
    }

    @Test
    void overlappingWritesDoNotQueueBehindEachOthersFlush() {
        GatedFlushes store = new GatedFlushes();
        SbcFixture f = SbcFixture.on(store);
        SbcFixture.Running first = f.start(HOST_A, Cdb.write16(8, 4, 0), filled(4 * BS, 7));
        SbcFixture.Running second = f.start(HOST_B, Cdb.write16(10, 4, 0), filled(4 * BS, 8));
        assertEquals(2, store.flushes.size(), "both written before either flush completed");
        assertArrayEquals(concat(filled(2 * BS, 7), filled(4 * BS, 8)), store.memory.peek(8, 6));
        assertFalse(first.stage().isDone() || second.stage().isDone(), "neither is GOOD before its flush");
        store.flushes.forEach(x -> x.complete(null));
        assertEquals(ScsiStatus.GOOD, first.stage().join().status());
        assertEquals(ScsiStatus.GOOD, second.stage().join().status());
        first.finish();
        second.finish();
    }

    /**
     * The writer history is recorded under the range lock, not after the flush: a miscompare that read an
     * unflushed write names its writer (before, the record came after the flush, so this miscompare was
     * UNEXPLAINED, or OWN_WRITE when the host had written the block before).
     */
    @Test
    void miscompareAgainstAnUnflushedWriteNamesItsWriter() {
        GatedFlushes store = new GatedFlushes();
        SbcFixture f = SbcFixture.on(store);
        SbcFixture.Running caw = f.start(HOST_A, Cdb.caw(5, 1, 0), concat(new byte[BS], filled(BS, 1)));
        SbcFixture.Running write = f.start(HOST_A, Cdb.write16(9, 1, 0), filled(BS, 3));
        assertEquals(2, store.flushes.size(), "both written, neither flushed");

        SbcFixture.Running lost = f.start(HOST_B, Cdb.caw(5, 1, 0), concat(new byte[BS], filled(BS, 2)));
        SbcFixture.Running lost2 = f.start(HOST_B, Cdb.caw(9, 1, 0), concat(new byte[BS], filled(BS, 2)));
        assertEquals(ScsiStatus.CHECK_CONDITION, lost.stage().join().status());
        assertEquals(ScsiStatus.CHECK_CONDITION, lost2.stage().join().status());
        assertEquals(2, f.lu.ats().miscomparedCount(MiscompareCause.CONTENTION));
        assertEquals(HOST_A.initiatorPortName(), f.lu.ats().lastMiscompare().lastWriter().initiatorPort());
        assertEquals("WRITE(16)", f.lu.ats().lastMiscompare().lastWriter().command());

        store.flushes.forEach(x -> x.complete(null));
        assertEquals(ScsiStatus.GOOD, caw.stage().join().status());
        assertEquals(ScsiStatus.GOOD, write.stage().join().status());
        for (SbcFixture.Running r : List.of(caw, write, lost, lost2)) {
            r.finish();
        }
        assertEquals(0, f.lu.locks().outstanding());
    }
}
