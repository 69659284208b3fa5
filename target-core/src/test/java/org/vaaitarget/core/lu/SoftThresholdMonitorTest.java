package org.vaaitarget.core.lu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.vaaitarget.core.lu.ua.UnitAttentions;
import org.vaaitarget.core.scsi.ItNexus;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.store.StoreCapabilities;
import org.vaaitarget.core.store.memory.MemoryBlockStore;

class SoftThresholdMonitorTest {
    private static final int BS = 512;
    private static final ItNexus A = new ItNexus("iqn.1998-01.com.vmware:a", "000000000001", "iqn.t:x", 1);
    private static final ItNexus B = new ItNexus("iqn.1998-01.com.vmware:b", "000000000002", "iqn.t:x", 1);

    private final MemoryBlockStore store = new MemoryBlockStore(BS, 100);
    private final UnitAttentions uas = new UnitAttentions();
    private final AtomicLong now = new AtomicLong();

    /** A monitor that measures after every write (1 byte interval), on a fake clock. */
    private SoftThresholdMonitor monitor(int percent) {
        return new SoftThresholdMonitor(store, uas, percent, 1, Long.MAX_VALUE, now::get);
    }

    private void knowBothNexuses() {
        // A nexus becomes known with its first command (no power-on UA: see UnitAttentions).
        assertNull(uas.poll(A));
        assertNull(uas.poll(B));
    }

    private void write(SoftThresholdMonitor m, long lba, int blocks) {
        store.poke(lba, new byte[blocks * BS]);
        m.written((long) blocks * BS);
    }

    @Test
    void crossingTheThresholdRaisesOneUnitAttentionForEveryNexus() {
        SoftThresholdMonitor m = monitor(50);
        knowBothNexuses();
        write(m, 0, 49);
        assertNull(uas.poll(A), "49% is below 50%");
        write(m, 49, 1);
        assertTrue(m.reached());
        assertEquals(SenseReason.THIN_PROVISIONING_SOFT_THRESHOLD_REACHED, uas.poll(A));
        assertEquals(SenseReason.THIN_PROVISIONING_SOFT_THRESHOLD_REACHED, uas.poll(B));
        write(m, 50, 30);
        assertNull(uas.poll(A), "reported once per crossing");
        assertNull(uas.poll(B));
    }

    @Test
    void fallingBelowReArms() {
        SoftThresholdMonitor m = monitor(50);
        knowBothNexuses();
        write(m, 0, 60);
        assertEquals(SenseReason.THIN_PROVISIONING_SOFT_THRESHOLD_REACHED, uas.poll(A));
        store.unmap(0, 40).join();
        m.checkNow().join();
        assertFalse(m.reached());
        assertNull(uas.poll(A));
        write(m, 0, 40);
        assertEquals(SenseReason.THIN_PROVISIONING_SOFT_THRESHOLD_REACHED, uas.poll(A), "second crossing");
    }

    @Test
    void measuresOnlyAfterEnoughBytesOrTime() {
        SoftThresholdMonitor m = new SoftThresholdMonitor(store, uas, 10, 64 * BS, 1_000, now::get);
        knowBothNexuses();
        store.poke(0, new byte[50 * BS]);
        m.written(BS);
        assertNull(uas.poll(A), "not measured yet: 1 block written, no time passed");
        now.addAndGet(1_000);
        m.written(BS);
        assertEquals(SenseReason.THIN_PROVISIONING_SOFT_THRESHOLD_REACHED, uas.poll(A), "measured after the interval");
    }

    @Test
    void disabledAndUnmeasurableStoresNeverRaise() {
        SoftThresholdMonitor off = monitor(0);
        knowBothNexuses();
        write(off, 0, 100);
        assertFalse(off.enabled());
        assertNull(uas.poll(A));
        // a store that cannot tell its allocation (the SPI default): no measurement, no UA
        MemoryBlockStore inner = new MemoryBlockStore(BS, 10, new StoreCapabilities(true, true, true, true), null);
        SoftThresholdMonitor blind = new SoftThresholdMonitor(new BlindStore(inner), uas, 1, 1, Long.MAX_VALUE, now::get);
        inner.poke(0, new byte[10 * BS]);
        blind.written(10 * BS);
        assertNull(uas.poll(A));
        assertThrows(IllegalArgumentException.class, () -> monitor(101));
    }

    /** Delegates everything except the allocation queries (left to the SPI defaults). */
    private record BlindStore(MemoryBlockStore inner) implements org.vaaitarget.core.store.BlockStore {
        public int blockSize() {
            return inner.blockSize();
        }

        public long blockCount() {
            return inner.blockCount();
        }

        public StoreCapabilities capabilities() {
            return inner.capabilities();
        }

        public java.util.concurrent.CompletableFuture<io.netty.buffer.ByteBuf> read(long lba, int blocks) {
            return inner.read(lba, blocks);
        }

        public java.util.concurrent.CompletableFuture<Void> write(long lba, io.netty.buffer.ByteBuf data, boolean fua) {
            return inner.write(lba, data, fua);
        }

        public java.util.concurrent.CompletableFuture<Void> flush() {
            return inner.flush();
        }

        public java.util.concurrent.CompletableFuture<Void> unmap(long lba, long blocks) {
            return inner.unmap(lba, blocks);
        }

        public void close() {
            inner.close();
        }
    }
}
