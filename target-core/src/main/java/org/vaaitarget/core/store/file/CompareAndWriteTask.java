package org.vaaitarget.core.store.file;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.vaaitarget.core.store.CompareOutcome;
import org.vaaitarget.core.store.StoreException.Kind;

/**
 * Read, compare and write (to the page cache; the store's group commit makes it durable) as ONE task on the store's executor: one queue hop instead of
 * two for the ATS heartbeat. A read failure is reported as {@link Kind#IO_READ}, a write failure (thrown
 * to the executor wrapper) as {@link Kind#IO_WRITE}, as the separate calls would.
 */
final class CompareAndWriteTask {
    private CompareAndWriteTask() {
    }

    /**
     * Runs the task on the calling (executor) thread and completes {@code result} unless it throws.
     * {@code verify} and {@code write} are only read (indexes and reference counts untouched). If the
     * future was completed by someone else (cancelled), a miscompare's found buffer is released here.
     */
    static void run(BlockFileIo io, long lba, int blocks, ByteBuf verify, ByteBuf write, int writeFrom,
            int length, CompletableFuture<CompareOutcome> result, Supplier<String> what) throws IOException {
        ByteBuf medium;
        try {
            medium = io.readBlocks(lba, blocks);
        } catch (IOException | RuntimeException e) {
            throw IoFailures.classify(e, Kind.IO_READ, what.get());
        }
        CompareOutcome miscompare = compare(verify, medium);
        if (miscompare != null) {
            if (!result.complete(miscompare)) {
                medium.release();
            }
            return;
        }
        io.writeBlocks(lba, write, writeFrom, length);
        result.complete(CompareOutcome.MATCHED);
    }

    /**
     * Compares {@code medium} (the blocks read, owned by the caller) with {@code verify}: on a miscompare the
     * outcome, which then owns {@code medium}; on a match null, with {@code medium} released.
     */
    static CompareOutcome compare(ByteBuf verify, ByteBuf medium) {
        int diff;
        try {
            diff = CompareOutcome.firstDifference(verify, medium);
        } catch (RuntimeException e) {
            medium.release();
            throw e;
        }
        if (diff >= 0) {
            return CompareOutcome.miscompare(diff, medium);
        }
        medium.release();
        return null;
    }
}
