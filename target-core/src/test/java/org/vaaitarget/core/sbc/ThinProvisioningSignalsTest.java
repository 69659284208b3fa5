package org.vaaitarget.core.sbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.vaaitarget.core.sbc.SbcFixture.HOST_A;
import static org.vaaitarget.core.sbc.SbcFixture.HOST_B;
import static org.vaaitarget.core.sbc.SbcFixture.assertCheck;
import static org.vaaitarget.core.sbc.SbcFixture.filled;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.store.BlockStore;
import org.vaaitarget.core.store.StoreCapabilities;
import org.vaaitarget.core.store.StoreErrors;
import org.vaaitarget.core.store.StoreException;
import org.vaaitarget.core.store.memory.MemoryBlockStore;

/** Out of space (07h/27h/07h) and the soft threshold unit attention (06h/38h/07h), ESXI-NOTES 2.6. */
class ThinProvisioningSignalsTest {
    private static final int BS = 512;

    /** A memory store whose writes fail with ENOSPC while {@link #full} is set. */
    private static final class FillableStore implements BlockStore {
        final MemoryBlockStore inner = new MemoryBlockStore(BS, 256);
        final AtomicBoolean full = new AtomicBoolean();

        public int blockSize() {
            return inner.blockSize();
        }

        public long blockCount() {
            return inner.blockCount();
        }

        public StoreCapabilities capabilities() {
            return inner.capabilities();
        }

        public CompletableFuture<ByteBuf> read(long lba, int blocks) {
            return inner.read(lba, blocks);
        }

        public CompletableFuture<Void> write(long lba, ByteBuf data, boolean fua) {
            if (full.get()) {
                return CompletableFuture.failedFuture(new StoreException(StoreException.Kind.NO_SPACE, "ENOSPC"));
            }
            return inner.write(lba, data, fua);
        }

        public CompletableFuture<Void> flush() {
            return inner.flush();
        }

        public CompletableFuture<Void> unmap(long lba, long blocks) {
            return inner.unmap(lba, blocks);
        }

        public void close() {
            inner.close();
        }
    }

    /** Runs a command the way the dispatcher does, mapping a failed stage through StoreErrors. */
    private static CommandResult dispatch(SbcFixture f, byte[] cdb, byte[] data) {
        try {
            return f.run(cdb, data);
        } catch (CompletionException e) {
            return StoreErrors.toResult(e, false);
        }
    }

    @Test
    void outOfSpaceIsDataProtectAndTheNextWriteSucceedsWhenSpaceIsBack() {
        FillableStore store = new FillableStore();
        SbcFixture f = SbcFixture.on(store);
        store.full.set(true);
        assertCheck(dispatch(f, Cdb.write16(0, 1, 0), filled(BS, 'a')), SenseReason.SPACE_ALLOCATION_FAILED_WRITE_PROTECT);
        assertCheck(dispatch(f, WriteSameHandlerTest.ws16(0, 4, 0), filled(BS, 'a')),
                SenseReason.SPACE_ALLOCATION_FAILED_WRITE_PROTECT);
        assertEquals(0, f.lu.locks().outstanding());
        store.full.set(false);
        assertEquals(ScsiStatus.GOOD, dispatch(f, Cdb.write16(0, 1, 0), filled(BS, 'a')).status());
        assertEquals(ScsiStatus.GOOD, dispatch(f, WriteSameHandlerTest.ws16(1, 4, 0), filled(BS, 'b')).status());
        assertArrayEquals(filled(BS, 'a'), store.inner.peek(0, 1));
        assertArrayEquals(filled(4 * BS, 'b'), store.inner.peek(1, 4));
    }

    @Test
    void theSoftThresholdRaisesOneUnitAttentionPerNexusOnTheLogicalUnit() {
        MemoryBlockStore store = new MemoryBlockStore(BS, 100);
        SbcFixture f = SbcFixture.withSoftThreshold(store, 20);
        var uas = f.lu.unitAttentions();
        uas.poll(HOST_A);                                       // both nexuses are known (power-on UA consumed)
        uas.poll(HOST_B);
        assertEquals(ScsiStatus.GOOD, f.run(HOST_A, WriteSameHandlerTest.ws16(0, 25, 0), filled(BS, 1)).status());
        f.lu.softThreshold().checkNow().join();                 // the LU's own cadence is 64 MiB or 5 s
        assertEquals(SenseReason.THIN_PROVISIONING_SOFT_THRESHOLD_REACHED, uas.poll(HOST_A));
        assertEquals(SenseReason.THIN_PROVISIONING_SOFT_THRESHOLD_REACHED, uas.poll(HOST_B));
        assertEquals(ScsiStatus.GOOD, f.run(HOST_B, Cdb.write16(50, 10, 0), filled(10 * BS, 2)).status());
        f.lu.softThreshold().checkNow().join();
        assertNull(uas.poll(HOST_A), "once");
        assertNull(uas.poll(HOST_B), "once");
    }
}
