package org.vaaitarget.core.testkit;

import io.netty.buffer.ByteBuf;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import org.vaaitarget.core.store.AllocationExtent;
import org.vaaitarget.core.store.BlockStore;
import org.vaaitarget.core.store.CompareOutcome;
import org.vaaitarget.core.store.FileRange;
import org.vaaitarget.core.store.StoreCapabilities;

/** A store that passes every call to {@code inner}; tests override the calls they change. */
public abstract class ForwardingBlockStore implements BlockStore {
    protected final BlockStore inner;

    protected ForwardingBlockStore(BlockStore inner) {
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
    public FileRange cachedFileRange(long lba, int blocks) {
        return inner.cachedFileRange(lba, blocks);
    }

    @Override
    public CompletableFuture<Void> write(long lba, ByteBuf data, boolean fua) {
        return inner.write(lba, data, fua);
    }

    @Override
    public CompletableFuture<CompareOutcome> compareAndWrite(long lba, ByteBuf verify, ByteBuf write, boolean fua) {
        return inner.compareAndWrite(lba, verify, write, fua);
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
    public CompletableFuture<AllocationExtent> allocationAt(long lba) {
        return inner.allocationAt(lba);
    }

    @Override
    public CompletableFuture<OptionalLong> allocatedBlocks() {
        return inner.allocatedBlocks();
    }

    @Override
    public void close() {
        inner.close();
    }
}
