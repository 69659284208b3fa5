package org.vaaitarget.core.sbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.vaaitarget.core.dispatch.CommandHandler;
import org.vaaitarget.core.dispatch.HandlerTable;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.lu.LunIdentity;
import org.vaaitarget.core.lu.LunLimits;
import org.vaaitarget.core.lu.lock.StripedRangeLockManager;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.DataDirection;
import org.vaaitarget.core.scsi.ItNexus;
import org.vaaitarget.core.scsi.ScsiCommand;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.TaskAttribute;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.store.BlockStore;
import org.vaaitarget.core.store.StoreCapabilities;
import org.vaaitarget.core.store.memory.MemoryBlockStore;
import org.vaaitarget.core.lu.pr.ReservationState;

/**
 * A logical unit on a {@link MemoryBlockStore} with a real {@link StripedRangeLockManager}, and a tiny
 * stand-in for the dispatcher: run the handler, wait for its stage, then {@code task.finish()} and
 * release the Data-Out buffer.
 */
final class SbcFixture {
    static final String TARGET = "iqn.2024-01.org.vaaitarget:test";
    static final ItNexus HOST_A = new ItNexus("iqn.1998-01.com.vmware:esx-a", "00023d000001", TARGET, 1);
    static final ItNexus HOST_B = new ItNexus("iqn.1998-01.com.vmware:esx-b", "00023d000002", TARGET, 1);

    /** Dispatch by opcode and service action (9Eh serves READ CAPACITY(16) and GET LBA STATUS). */
    private static final HandlerTable HANDLERS = new HandlerTable(SbcHandlers.all());
    private static final AtomicLong TAGS = new AtomicLong();

    final int blockSize;
    final MemoryBlockStore store;
    final LogicalUnit lu;

    SbcFixture(int blockSize, long blocks) {
        this(blockSize, blocks, new StoreCapabilities(true, true, true, true), null);
    }

    SbcFixture(int blockSize, long blocks, StoreCapabilities caps, Executor executor) {
        this(new MemoryBlockStore(blockSize, blocks, caps, executor));
    }

    SbcFixture(MemoryBlockStore store) {
        this((BlockStore) store);
    }

    private SbcFixture(BlockStore store) {
        this(store, 0);
    }

    private SbcFixture(BlockStore store, int softThresholdPercent) {
        this.blockSize = store.blockSize();
        this.store = store instanceof MemoryBlockStore m ? m : null;
        this.lu = new LogicalUnit(0, store, LunLimits.defaults(store.blockSize()), identity(),
                new StripedRangeLockManager(8, 16), new ReservationState(), softThresholdPercent);
    }

    /** A fixture on any store (for capacities a memory store cannot hold). */
    static SbcFixture on(BlockStore store) {
        return new SbcFixture(store);
    }

    /** A fixture whose LU has a thin-provisioning soft threshold. */
    static SbcFixture withSoftThreshold(BlockStore store, int percent) {
        return new SbcFixture(store, percent);
    }

    static LunIdentity identity() {
        byte[] naa = new byte[16];
        naa[0] = 0x60;
        naa[15] = 1;
        return new LunIdentity(naa, "serial0001", "VAAITGT", "vaai-target", "0001");
    }

    /** Starts a command; the caller joins the stage and then calls {@link Running#finish()}. */
    Running start(ItNexus nexus, byte[] cdb, byte[] dataOut) {
        return start(nexus, cdb, dataOut, false);
    }

    /** Like {@link #start(ItNexus, byte[], byte[])}, from a transport that can send Data-In from a file or not. */
    Running start(ItNexus nexus, byte[] cdb, byte[] dataOut, boolean fileDataInAccepted) {
        ByteBuf data = dataOut == null ? null : Unpooled.wrappedBuffer(dataOut);
        DataDirection dir = dataOut == null ? DataDirection.READ : DataDirection.WRITE;
        int edtl = dataOut == null ? 0 : dataOut.length;
        ScsiCommand cmd = new ScsiCommand(nexus, 0, cdb, edtl, dir, TaskAttribute.SIMPLE, TAGS.incrementAndGet(), data,
                fileDataInAccepted);
        Task task = new Task(cmd, lu, UnpooledByteBufAllocator.DEFAULT);
        HandlerTable.Lookup found = HANDLERS.lookup(cdb);
        assertTrue(found instanceof HandlerTable.Found, "no handler for opcode " + (cdb[0] & 0xFF));
        CommandHandler h = ((HandlerTable.Found) found).entry().handler();
        CompletableFuture<CommandResult> stage = h.execute(task).toCompletableFuture();
        return new Running(task, stage, data);
    }

    /** Runs a command to completion, as the dispatcher would. */
    CommandResult run(ItNexus nexus, byte[] cdb, byte[] dataOut) {
        Running r = start(nexus, cdb, dataOut);
        try {
            return r.stage.join();
        } finally {
            r.finish();
        }
    }

    CommandResult run(byte[] cdb, byte[] dataOut) {
        return run(HOST_A, cdb, dataOut);
    }

    CommandResult run(byte[] cdb) {
        return run(HOST_A, cdb, null);
    }

    /** Reads through READ(16) and returns the bytes (the result's buffer is released). */
    byte[] read(long lba, int blocks) {
        CommandResult r = run(Cdb.read16(lba, blocks, 0));
        assertEquals(ScsiStatus.GOOD, r.status());
        return drain(r);
    }

    record Running(Task task, CompletableFuture<CommandResult> stage, ByteBuf data) {
        /** What the dispatcher does when the stage completes: release locks, then the Data-Out buffer. */
        void finish() {
            task.finish();
            if (data != null) {
                assertEquals(1, data.refCnt(), "handler must not release or retain the Data-Out buffer");
                data.release();
            }
        }
    }

    /** Copies and releases the Data-In of a result. */
    static byte[] drain(CommandResult r) {
        ByteBuf b = r.dataIn();
        if (b == null) {
            return new byte[0];
        }
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    static byte[] filled(int length, int value) {
        byte[] b = new byte[length];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    // --- sense assertions (fixed 70h and descriptor 72h)

    static void assertCheck(CommandResult r, SenseReason reason) {
        assertEquals(ScsiStatus.CHECK_CONDITION, r.status(), "status");
        byte[] s = r.sense();
        assertNotNull(s);
        int key;
        int asc;
        int ascq;
        if ((s[0] & 0x7F) == 0x72) {
            key = s[1] & 0x0F;
            asc = s[2] & 0xFF;
            ascq = s[3] & 0xFF;
        } else {
            assertEquals(0x70, s[0] & 0x7F, "response code");
            key = s[2] & 0x0F;
            asc = s[12] & 0xFF;
            ascq = s[13] & 0xFF;
        }
        assertEquals(reason.key().code(), key, "sense key");
        assertEquals(reason.asc(), asc, "ASC");
        assertEquals(reason.ascq(), ascq, "ASCQ");
    }

    /** INFORMATION with VALID=1, from fixed or descriptor sense. */
    static long information(CommandResult r) {
        byte[] s = r.sense();
        if ((s[0] & 0x7F) == 0x72) {
            int p = 8;
            while (p < s.length) {
                if (s[p] == 0x00) {
                    assertTrue((s[p + 2] & 0x80) != 0, "VALID in information descriptor");
                    long v = 0;
                    for (int i = 0; i < 8; i++) {
                        v = (v << 8) | (s[p + 4 + i] & 0xFF);
                    }
                    return v;
                }
                p += 2 + (s[p + 1] & 0xFF);
            }
            throw new AssertionError("no information descriptor");
        }
        assertTrue((s[0] & 0x80) != 0, "VALID bit");
        return ((s[3] & 0xFFL) << 24) | ((s[4] & 0xFFL) << 16) | ((s[5] & 0xFFL) << 8) | (s[6] & 0xFFL);
    }
}
