package org.vaaitarget.core.store.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.core.config.LunConfig.WriteCacheMode;
import org.vaaitarget.core.store.BlockStore;
import org.vaaitarget.core.store.CompareOutcome;
import org.vaaitarget.core.store.StoreCapabilities;
import org.vaaitarget.core.store.StoreException;
import org.vaaitarget.core.store.StoreException.Kind;
import org.vaaitarget.core.store.memory.MemoryBlockStore;

/**
 * {@link BlockStore#compareAndWrite} on every store: the file store's single-task override (write-back and
 * write-through), the memory store's override (inline and on an executor) and the SPI default (read, then
 * write) over a store that does not override it. Same expectations for all.
 */
class CompareAndWriteStoresTest {
    private static final int BS = 512;
    private static final int BLOCKS = 64;

    enum Kind2 { FILE_WRITE_BACK, FILE_WRITE_THROUGH, MEMORY_INLINE, MEMORY_EXECUTOR, SPI_DEFAULT }

    @TempDir
    Path dir;

    /** Instrumented: usedDirectMemory returns to 0 only when every buffer was released. */
    private final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(true);
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private BlockStore store;

    @AfterEach
    void closeAndCheckLeaks() {
        if (store != null) {
            store.close();
        }
        executor.shutdown();
        assertEquals(0, alloc.metric().usedDirectMemory(), "direct buffers leaked");
        assertEquals(0, alloc.metric().usedHeapMemory(), "heap buffers leaked");
    }

    private BlockStore open(Kind2 kind) throws Exception {
        return switch (kind) {
            case FILE_WRITE_BACK, FILE_WRITE_THROUGH -> FileBlockStore.open(new LunConfig(dir.resolve("lun.img"),
                    (long) BS * BLOCKS, BS, kind == Kind2.FILE_WRITE_BACK ? WriteCacheMode.WRITE_BACK
                    : WriteCacheMode.WRITE_THROUGH, null), StoreExecutors.newExecutor("caw", 2, 16), alloc);
            case MEMORY_INLINE -> new MemoryBlockStore(BS, BLOCKS);
            case MEMORY_EXECUTOR -> new MemoryBlockStore(BS, BLOCKS, new StoreCapabilities(true, true, true, true), executor);
            case SPI_DEFAULT -> new ReadWriteOnly(new MemoryBlockStore(BS, BLOCKS));
        };
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(30, TimeUnit.SECONDS);
    }

    private static byte[] pattern(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private ByteBuf buf(byte[] bytes) {
        // a reader index past 0 checks that the stores honour it and leave it alone
        ByteBuf b = alloc.directBuffer(bytes.length + 3).writeZero(3).writeBytes(bytes);
        b.readerIndex(3);
        return b;
    }

    private void put(long lba, byte[] bytes) throws Exception {
        ByteBuf b = buf(bytes);
        try {
            await(store.write(lba, b, false));
        } finally {
            b.release();
        }
    }

    private byte[] get(long lba, int blocks) throws Exception {
        ByteBuf b = await(store.read(lba, blocks));
        try {
            byte[] bytes = new byte[b.readableBytes()];
            b.getBytes(b.readerIndex(), bytes);
            return bytes;
        } finally {
            b.release();
        }
    }

    private CompareOutcome compareAndWrite(long lba, byte[] verify, byte[] write, boolean fua) throws Exception {
        ByteBuf v = buf(verify);
        ByteBuf w = buf(write);
        try {
            CompareOutcome outcome = await(store.compareAndWrite(lba, v, w, fua));
            assertEquals(3, v.readerIndex(), "indexes untouched");
            assertEquals(3, w.readerIndex(), "indexes untouched");
            assertEquals(1, v.refCnt(), "the caller keeps its buffers");
            assertEquals(1, w.refCnt(), "the caller keeps its buffers");
            return outcome;
        } finally {
            v.release();
            w.release();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind2.class)
    void matchWritesTheNewBlocksAndLeavesTheNeighbours(Kind2 kind) throws Exception {
        store = open(kind);
        byte[] old = pattern(4 * BS, 1);
        byte[] neu = pattern(4 * BS, 2);
        byte[] before = pattern(BS, 3);
        byte[] after = pattern(BS, 4);
        put(9, before);
        put(10, old);
        put(14, after);
        CompareOutcome outcome = compareAndWrite(10, old, neu, true);
        assertTrue(outcome.matched());
        assertSame(CompareOutcome.MATCHED, outcome);
        assertNull(outcome.found());
        assertArrayEquals(neu, get(10, 4));
        assertArrayEquals(before, get(9, 1));
        assertArrayEquals(after, get(14, 1));
    }

    @ParameterizedTest
    @EnumSource(Kind2.class)
    void miscompareReportsTheFirstDifferenceAndTheFoundBlocksAndWritesNothing(Kind2 kind) throws Exception {
        store = open(kind);
        byte[] medium = pattern(3 * BS, 5);
        put(20, medium);
        for (int at : new int[] {0, BS + 17, 3 * BS - 1}) {
            byte[] verify = medium.clone();
            verify[at] ^= 0x5A;
            if (at < 3 * BS - 1) {
                verify[3 * BS - 1] ^= 0x01;   // a later difference must not win
            }
            CompareOutcome outcome = compareAndWrite(20, verify, pattern(3 * BS, 6), false);
            assertFalse(outcome.matched());
            assertEquals(at, outcome.miscompareOffset());
            try {
                byte[] found = new byte[outcome.found().readableBytes()];
                outcome.found().getBytes(outcome.found().readerIndex(), found);
                assertArrayEquals(medium, found, "the found blocks are the medium's");
            } finally {
                outcome.found().release();
            }
            assertArrayEquals(medium, get(20, 3), "nothing written on a miscompare");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind2.class)
    void badRequestsFailWithoutTouchingTheMedium(Kind2 kind) throws Exception {
        store = open(kind);
        byte[] one = new byte[BS];
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> compareAndWrite(BLOCKS, one, one, false));
        assertEquals(Kind.OUT_OF_RANGE, assertInstanceOf(StoreException.class, e.getCause()).kind());
        e = assertThrows(ExecutionException.class, () -> compareAndWrite(0, one, new byte[2 * BS], false));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        e = assertThrows(ExecutionException.class, () -> compareAndWrite(0, new byte[BS + 1], new byte[BS + 1], false));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertArrayEquals(new byte[BS], get(0, 1));
        store.close();
        e = assertThrows(ExecutionException.class, () -> compareAndWrite(0, one, one, false));
        assertEquals(Kind.CLOSED, assertInstanceOf(StoreException.class, e.getCause()).kind());
    }

    /** Only the abstract methods: compareAndWrite is the SPI's default. */
    private static final class ReadWriteOnly implements BlockStore {
        private final MemoryBlockStore inner;

        ReadWriteOnly(MemoryBlockStore inner) {
            this.inner = inner;
        }

        @Override
        public int blockSize() {
            return inner.blockSize();
        }

        @Override
        public long blockCount() {
            return inner.blockCount();
        }

        @Override
        public StoreCapabilities capabilities() {
            return inner.capabilities();
        }

        @Override
        public CompletableFuture<ByteBuf> read(long lba, int blocks) {
            return inner.read(lba, blocks);
        }

        @Override
        public CompletableFuture<Void> write(long lba, ByteBuf data, boolean fua) {
            return inner.write(lba, data, fua);
        }

        @Override
        public CompletableFuture<Void> flush() {
            return inner.flush();
        }

        @Override
        public CompletableFuture<Void> unmap(long lba, long blocks) {
            return inner.unmap(lba, blocks);
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
