package org.vaaitarget.core.store.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.vaaitarget.core.store.StoreCapabilities;
import org.vaaitarget.core.store.StoreException;

class MemoryBlockStoreTest {

    @Test
    void writeThenReadInline() {
        MemoryBlockStore s = new MemoryBlockStore(512, 8);
        ByteBuf data = Unpooled.buffer(1024).writeZero(1024).setByte(1023, 7);
        s.write(2, data, true).join();
        assertEquals(1, data.refCnt(), "the caller keeps the buffer");
        assertEquals(0, data.readerIndex(), "not consumed");
        data.release();
        ByteBuf back = s.read(2, 2).join();
        assertEquals(1024, back.readableBytes());
        assertEquals(7, back.getByte(1023));
        back.release();
        assertEquals(1, s.fuaWriteCount());
    }

    @Test
    void completesOnTheExecutorWhenGivenOne() {
        ExecutorService ex = Executors.newSingleThreadExecutor();
        try {
            MemoryBlockStore s = new MemoryBlockStore(512, 8, new StoreCapabilities(false, false, false, false), ex);
            AtomicReference<Thread> where = new AtomicReference<>();
            java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
            ex.execute(() -> {
                try {
                    gate.await();   // keeps the read queued until the continuation is attached
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            java.util.concurrent.CompletableFuture<ByteBuf> f = s.read(0, 1).thenApply(buf -> {
                where.set(Thread.currentThread());
                return buf;
            });
            gate.countDown();
            ByteBuf b = f.join();
            b.release();
            assertNotSame(Thread.currentThread(), where.get());
            assertEquals(false, s.capabilities().unmapSupported());
        } finally {
            ex.shutdown();
        }
    }

    @Test
    void outOfRangeAndPartialBlocksFail() {
        MemoryBlockStore s = new MemoryBlockStore(512, 8);
        CompletionException e = assertThrows(CompletionException.class, () -> s.read(7, 2).join());
        assertEquals(StoreException.Kind.OUT_OF_RANGE, ((StoreException) e.getCause()).kind());
        ByteBuf half = Unpooled.buffer(256).writeZero(256);
        assertThrows(CompletionException.class, () -> s.write(0, half, false).join());
        half.release();
        s.close();
        e = assertThrows(CompletionException.class, () -> s.flush().join());
        // failedFuture.join wraps the StoreException in a CompletionException too
        assertEquals(StoreException.Kind.CLOSED, ((StoreException) e.getCause()).kind());
    }

    @Test
    void unmapReadsBackZeros() {
        MemoryBlockStore s = new MemoryBlockStore(512, 4);
        byte[] ones = new byte[2048];
        java.util.Arrays.fill(ones, (byte) 1);
        s.poke(0, ones);
        s.unmap(1, 2).join();
        assertArrayEquals(new byte[1024], s.peek(1, 2));
        ByteBuf b = s.read(0, 1).join();
        assertTrue(ByteBufUtil.getBytes(b)[0] == 1);
        b.release();
    }

    @Test
    void compareAndWriteCountsAWriteOnlyWhenItWrites() {
        MemoryBlockStore s = new MemoryBlockStore(512, 4);
        ByteBuf zeros = Unpooled.buffer(512).writeZero(512);
        ByteBuf ones = Unpooled.buffer(512).writeZero(512).setByte(100, 1);
        org.vaaitarget.core.store.CompareOutcome miss = s.compareAndWrite(1, ones, zeros, true).join();
        assertEquals(100, miss.miscompareOffset());
        miss.found().release();
        assertEquals(0, s.writeCount());
        assertEquals(0, s.fuaWriteCount());
        assertTrue(s.compareAndWrite(1, zeros, ones, true).join().matched());
        assertEquals(1, s.writeCount());
        assertEquals(1, s.fuaWriteCount(), "FUA reaches the store");
        assertEquals(1, s.peek(1, 1)[100]);
        zeros.release();
        ones.release();
    }
}
