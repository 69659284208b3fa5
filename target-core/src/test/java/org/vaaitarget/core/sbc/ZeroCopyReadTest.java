package org.vaaitarget.core.sbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.store.AllocationExtent;
import org.vaaitarget.core.store.BlockStore;
import org.vaaitarget.core.store.FileRange;
import org.vaaitarget.core.store.StoreCapabilities;
import org.vaaitarget.core.store.memory.MemoryBlockStore;

/**
 * READ with Data-In sent from the backing file: offered only to a transport that accepts it, and the
 * read's SHARED range lock outlives the task until the result's data is released, so a WRITE of the
 * same blocks waits for the bytes to be sent.
 */
class ZeroCopyReadTest {
    private static final int BS = 512;
    private static final int BLOCKS = 256;

    @TempDir
    Path dir;

    private FileChannel file;

    @AfterEach
    void close() throws IOException {
        if (file != null) {
            file.close();
        }
    }

    /** A memory store that says every range is cached in {@link #file} at the same offset. */
    private final class RangeOfferingStore implements BlockStore {
        final MemoryBlockStore data = new MemoryBlockStore(BS, 4 * BLOCKS);
        final AtomicInteger offers = new AtomicInteger();

        @Override
        public FileRange cachedFileRange(long lba, int blocks) {
            offers.incrementAndGet();
            return new FileRange(file, lba * BS, blocks * BS);
        }

        @Override
        public int blockSize() {
            return BS;
        }

        @Override
        public long blockCount() {
            return data.blockCount();
        }

        @Override
        public StoreCapabilities capabilities() {
            return data.capabilities();
        }

        @Override
        public CompletableFuture<ByteBuf> read(long lba, int blocks) {
            return data.read(lba, blocks);
        }

        @Override
        public CompletableFuture<Void> write(long lba, ByteBuf bytes, boolean fua) {
            return data.write(lba, bytes, fua);
        }

        @Override
        public CompletableFuture<Void> flush() {
            return data.flush();
        }

        @Override
        public CompletableFuture<Void> unmap(long lba, long blocks) {
            return data.unmap(lba, blocks);
        }

        @Override
        public CompletableFuture<AllocationExtent> allocationAt(long lba) {
            return data.allocationAt(lba);
        }

        @Override
        public void close() {
            data.close();
        }
    }

    @Test
    void theLockIsHeldUntilTheFileDataIsReleasedAndAWriteWaitsForIt() throws IOException {
        file = FileChannel.open(dir.resolve("lun.img"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        RangeOfferingStore store = new RangeOfferingStore();
        SbcFixture f = SbcFixture.on(store);

        SbcFixture.Running read = f.start(SbcFixture.HOST_A, Cdb.read16(8, BLOCKS, 0), null, true);
        CommandResult r = read.stage().join();
        read.finish(); // what the dispatcher does when the stage completes
        assertEquals(ScsiStatus.GOOD, r.status());
        assertNull(r.dataIn());
        assertNotNull(r.dataInFile());
        assertSame(file, r.dataInFile().channel());
        assertEquals(8L * BS, r.dataInFile().position());
        assertEquals(BLOCKS * BS, r.dataInFile().length());
        assertEquals(BLOCKS * BS, r.transferLength());
        assertEquals(BLOCKS * BS, r.dataInLength());
        assertEquals(1, f.lu.locks().outstanding(), "the task finished but its bytes are not sent yet");

        SbcFixture.Running write = f.start(SbcFixture.HOST_B, Cdb.write16(9, 1, 0), new byte[BS]);
        assertFalse(write.stage().isDone(), "a WRITE of those blocks waits until the Data-In was sent");

        r.releaseData();
        CommandResult w = write.stage().join();
        write.finish();
        assertEquals(ScsiStatus.GOOD, w.status());
        r.releaseData(); // idempotent
        assertTrue(r.dataInFile().isReleased());
        assertEquals(0, f.lu.locks().outstanding());
    }

    @Test
    void aTransportThatCannotSendFromAFileGetsABuffer() {
        RangeOfferingStore store = new RangeOfferingStore();
        SbcFixture f = SbcFixture.on(store);
        CommandResult r = f.run(Cdb.read16(0, BLOCKS, 0));
        assertEquals(ScsiStatus.GOOD, r.status());
        assertNull(r.dataInFile());
        assertEquals(BLOCKS * BS, r.dataIn().readableBytes());
        assertEquals(0, store.offers.get(), "the store is not even asked");
        r.releaseData();
        assertEquals(0, f.lu.locks().outstanding());
    }
}
