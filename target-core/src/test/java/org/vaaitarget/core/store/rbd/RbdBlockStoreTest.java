package org.vaaitarget.core.store.rbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.assembly.LogicalUnits;
import org.vaaitarget.core.store.AllocationExtent;
import org.vaaitarget.core.store.CompareOutcome;
import org.vaaitarget.core.store.StoreException;

class RbdBlockStoreTest {
    private static final long SIZE = 64L << 20;
    private String conf;
    private RbdLocation location;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void setUp() {
        conf = CephTestCluster.conf();
        location = new RbdLocation("rbd", CephTestCluster.imageName("store"), conf, null);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private RbdBlockStore store() throws IOException {
        RbdBlockStore s = RbdBlockStore.on(RbdImage.open(location, SIZE));
        open.add(s);
        return s;
    }

    private static <T> T get(Future<T> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    private static ByteBuf block(int fill) {
        byte[] b = new byte[512];
        Arrays.fill(b, (byte) fill);
        return Unpooled.wrappedBuffer(b); // a heap buffer: the store copies it to native memory
    }

    @Test
    void createsTheImageAndRoundTripsWritesOnDirectAndHeapBuffers() throws Exception {
        RbdBlockStore s = store();
        assertEquals(SIZE / 512, s.blockCount());
        byte[] data = new byte[64 * 1024];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + 7);
        }
        ByteBuf direct = Unpooled.directBuffer(data.length).writeBytes(data);
        get(s.write(100, direct, false));
        direct.release();
        get(s.write(1000, Unpooled.wrappedBuffer(data), true));
        for (long lba : new long[] {100, 1000}) {
            ByteBuf read = get(s.read(lba, data.length / 512));
            byte[] back = new byte[data.length];
            read.readBytes(back);
            read.release();
            assertArrayEquals(data, back, "LBA " + lba);
        }
        get(s.flush());
    }

    @Test
    void completionsRunOnTheStoreThreadNotOnLibrbds() throws Exception {
        RbdBlockStore s = store();
        AtomicReference<String> thread = new AtomicReference<>();
        get(s.write(0, block(1), false).thenRun(() -> thread.set(Thread.currentThread().getName())));
        assertTrue(thread.get().startsWith("store-rbd-"), thread.get());
    }

    @Test
    void compareAndWriteWritesOnMatchAndReportsTheOffsetOnMismatch() throws Exception {
        RbdBlockStore s = store();
        long lba = 20_000; // beyond the first object: librbd's mismatch offset is then object-relative, not sector
        ByteBuf old = block(0);
        old.setByte(300, 9);
        get(s.write(lba, old, false));
        assertTrue(get(s.compareAndWrite(lba, old, block(5), false)).matched());
        CompareOutcome miss = get(s.compareAndWrite(lba, old, block(6), false));
        assertFalse(miss.matched());
        assertEquals(0, miss.miscompareOffset(), "the medium holds 5s now: it differs from the verify data at byte 0");
        assertEquals(5, miss.found().getByte(0));
        miss.found().release();
        ByteBuf verify = block(5);
        verify.setByte(123, 4);
        CompareOutcome at123 = get(s.compareAndWrite(lba, verify, block(7), false));
        assertEquals(123, at123.miscompareOffset());
        at123.found().release();
        ByteBuf back = get(s.read(lba, 1));
        assertEquals(5, back.getByte(0), "nothing written on a miscompare");
        back.release();
    }

    @Test
    void rangesPastTheEndAreRefusedNotClipped() throws Exception {
        RbdBlockStore s = store();
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> get(s.read(s.blockCount() - 1, 2)));
        assertEquals(StoreException.Kind.OUT_OF_RANGE, ((StoreException) e.getCause()).kind());
        e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> get(s.compareAndWrite(s.blockCount(), block(0), block(1), false)));
        assertEquals(StoreException.Kind.OUT_OF_RANGE, ((StoreException) e.getCause()).kind());
    }

    @Test
    void unmappedBlocksReadAsZerosAndAllocationFollowsWritesAndDiscards() throws Exception {
        RbdBlockStore s = store();
        long objectBlocks = (4L << 20) / 512;
        assertEquals(new AllocationExtent(0, Math.min(s.blockCount(), (1L << 30) / 512), false), get(s.allocationAt(0)));
        byte[] ones = new byte[8192];
        Arrays.fill(ones, (byte) 1);
        get(s.write(objectBlocks + 8, Unpooled.wrappedBuffer(ones), false));
        // without the object-map feature librbd knows allocation per 4 MiB object: the untouched first object is
        // a hole, the written one mapped as a whole (mapped is the safe side of the truth)
        AllocationExtent hole = get(s.allocationAt(0));
        assertFalse(hole.mapped());
        assertEquals(objectBlocks, hole.blocks());
        AllocationExtent data = get(s.allocationAt(objectBlocks + 8));
        assertTrue(data.mapped());
        assertTrue(data.blocks() >= 16, data.toString());
        get(s.unmap(objectBlocks + 9, 2)); // inside one object: zeroed, not freed
        ByteBuf back = get(s.read(objectBlocks + 8, 4));
        assertEquals(1, back.getByte(0));
        for (int i = 512; i < 3 * 512; i++) {
            assertEquals(0, back.getByte(i), "byte " + i);
        }
        assertEquals(1, back.getByte(3 * 512));
        back.release();
        get(s.writeZeroes(objectBlocks + 8, 16));
        ByteBuf zeros = get(s.read(objectBlocks + 8, 16));
        assertEquals(-1, zeros.forEachByte(b -> b == 0));
        zeros.release();
    }

    /**
     * Exclusive ownership (issue 18, phase 4): the first write through a gateway that does not own the image takes it
     * over and blocklists the previous owner, whose later writes are refused by the OSDs (UNAVAILABLE: the host
     * retries elsewhere) instead of landing over the newer data.
     */
    @Test
    void aTakeOverFencesThePreviousOwnerSoItsLaterWritesNeverLand() throws Exception {
        RbdBlockStore a = store();
        RbdOwnership ownerA = new RbdOwnership(a, 1);
        a.requireOwnership(ownerA);
        RbdBlockStore b = RbdBlockStore.on(RbdImage.open(location, SIZE));
        open.add(b);
        RbdOwnership ownerB = new RbdOwnership(b, 2);
        b.requireOwnership(ownerB);
        get(a.write(7, block(1), false));
        assertEquals(RbdOwnership.State.OWNER, ownerA.state());
        assertEquals(1, ownerA.owner());
        ByteBuf read = get(b.read(7, 1)); // reads need no ownership
        assertEquals(1, read.getByte(0));
        read.release();
        assertEquals(RbdOwnership.State.NOT_OWNER, ownerB.state());
        get(b.write(7, block(2), false));
        assertEquals(RbdOwnership.State.OWNER, ownerB.state());
        assertEquals(2, ownerB.owner());
        ExecutionException stale = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> get(a.write(7, block(3), false)));
        assertEquals(StoreException.Kind.UNAVAILABLE, ((StoreException) stale.getCause()).kind(), stale.toString());
        assertEquals(RbdOwnership.State.FENCED, ownerA.state());
        ByteBuf after = get(b.read(7, 1));
        assertEquals(2, after.getByte(0), "the fenced owner's write never landed");
        after.release();
        ExecutionException again = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> get(a.compareAndWrite(7, block(2), block(4), false)));
        assertEquals(StoreException.Kind.UNAVAILABLE, ((StoreException) again.getCause()).kind());
        ownerA.close();
        ownerB.close();
    }

    @Test
    void everyGatewayOpeningAnImageGetsTheSameIdentityEvenWhenRacing() throws Exception {
        LunConfig config = new LunConfig(null, SIZE, 512, LunConfig.WriteCacheMode.WRITE_THROUGH, "VAAI-TARGET", 0,
                false, location);
        List<CompletableFuture<LogicalUnit>> opens = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            opens.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return LogicalUnits.open(0, config);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        List<LogicalUnit> lus = new ArrayList<>();
        for (CompletableFuture<LogicalUnit> f : opens) {
            LogicalUnit lu = get(f);
            open.add(lu);
            lus.add(lu);
        }
        for (LogicalUnit lu : lus) {
            assertArrayEquals(lus.get(0).identity().naa(), lu.identity().naa());
            assertEquals(lus.get(0).identity().serial(), lu.identity().serial());
            assertEquals(1, lu.limits().maxCompareAndWriteBlocks());
        }
        LogicalUnit again = LogicalUnits.open(1, config);
        open.add(again);
        assertArrayEquals(lus.get(0).identity().naa(), again.identity().naa());
    }

    /**
     * A fenced gateway reconnects by itself, but only once the server has ended its connections (the listener's stage
     * completed): until then everything through it fails with UNAVAILABLE (NOT READY, TARGET PORT IN UNAVAILABLE STATE);
     * after, it reads the newest data through a new client and its next write takes the image back. The registry and
     * the watchers show its new client alive.
     */
    @Test
    void aFencedGatewayReconnectsOnlyOnceItsConnectionsHaveEnded() throws Exception {
        LunConfig config = new LunConfig(null, SIZE, 512, LunConfig.WriteCacheMode.WRITE_THROUGH, "VAAI-TARGET", 0,
                false, location.withExclusive(true));
        LogicalUnit a = LogicalUnits.open(0, config);
        open.add(a);
        LogicalUnit b = LogicalUnits.open(0, new LunConfig(null, SIZE, 512, LunConfig.WriteCacheMode.WRITE_THROUGH,
                "VAAI-TARGET", 0, false, location.withExclusive(true).onGateway(2)));
        open.add(b);
        CompletableFuture<Void> connectionsEnded = new CompletableFuture<>();
        CompletableFuture<LogicalUnit> told = new CompletableFuture<>();
        a.gateways().onFenced(lu -> {
            told.complete(lu);
            return connectionsEnded;
        });
        long clientBefore = ((RbdBlockStore) a.store()).image().instanceId();
        get(a.store().write(7, block(1), false));
        get(b.store().write(7, block(2), false)); // B takes the image over and blocklists A
        ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> get(a.store().write(7, block(3), false)));
        assertEquals(StoreException.Kind.UNAVAILABLE, ((StoreException) refused.getCause()).kind());
        assertEquals(a, get(told), "A asks the server to end its connections");
        ExecutionException stillFenced = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> get(a.store().read(7, 1)));
        assertEquals(StoreException.Kind.UNAVAILABLE, ((StoreException) stillFenced.getCause()).kind(),
                "no reconnect while the connections may still hold commands from before the fence");
        assertEquals(clientBefore, ((RbdBlockStore) a.store()).image().instanceId());
        connectionsEnded.complete(null);
        ByteBuf newest = null;
        for (int i = 0; i < 300 && newest == null; i++) { // the reconnect runs on A's ownership thread
            try {
                newest = get(a.store().read(7, 1));
            } catch (ExecutionException e) {
                Thread.sleep(100);
            }
        }
        assertTrue(newest != null, "A reconnected");
        assertEquals(2, newest.getByte(0), "A reads B's newer data; its refused write never landed");
        newest.release();
        RbdImage now = ((RbdBlockStore) a.store()).image();
        assertTrue(now.instanceId() != clientBefore, "a new RADOS client");
        assertEquals(now.instanceId(), RbdGateways.clientOf(now.metadata(RbdGateways.PREFIX + 1)), "registered anew");
        assertTrue(now.watchers().contains(now.instanceId()), "alive: watching the image header");
        assertFalse(now.watchers().contains(clientBefore), "the blocklisted client's watch is gone");
        get(a.store().write(7, block(4), false)); // takes the image back (B has no listener: it stays fenced)
        ExecutionException bFenced = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> get(b.store().write(7, block(5), false)));
        assertEquals(StoreException.Kind.UNAVAILABLE, ((StoreException) bFenced.getCause()).kind());
        ByteBuf last = get(a.store().read(7, 1));
        assertEquals(4, last.getByte(0));
        last.release();
    }
}
