package org.vaaitarget.core.testkit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.vaaitarget.core.store.BlockStore;
import org.vaaitarget.core.store.StoreCapabilities;

/** A tiny in-test block store: reads zeros, accepts writes, counts closes. */
public final class TestStore implements BlockStore {
    private final int blockSize;
    private final long blockCount;
    private final StoreCapabilities caps;
    public final AtomicInteger closes = new AtomicInteger();

    public TestStore(int blockSize, long blockCount, StoreCapabilities caps) {
        this.blockSize = blockSize;
        this.blockCount = blockCount;
        this.caps = caps;
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public long blockCount() {
        return blockCount;
    }

    @Override
    public StoreCapabilities capabilities() {
        return caps;
    }

    @Override
    public CompletableFuture<ByteBuf> read(long lba, int blocks) {
        return CompletableFuture.completedFuture(Unpooled.buffer(blocks * blockSize).writeZero(blocks * blockSize));
    }

    @Override
    public CompletableFuture<Void> write(long lba, ByteBuf data, boolean fua) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> flush() {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> unmap(long lba, long blocks) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {
        closes.incrementAndGet();
    }
}
