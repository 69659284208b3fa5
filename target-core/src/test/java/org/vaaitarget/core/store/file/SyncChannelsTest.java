package org.vaaitarget.core.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Concurrent syncs each get a descriptor of their own (Linux tells each open file description of a writeback
 * error once: two fsyncs on one descriptor would share one report), never the store's channel.
 */
class SyncChannelsTest {
    @TempDir
    Path dir;

    @Test
    void concurrentSyncsHoldDistinctDescriptorsAndOnlyAnExtraOneFallsBackToTheStoresChannel() throws Exception {
        Path file = Files.write(dir.resolve("lun.img"), new byte[4096]);
        try (FileChannel store = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
             SyncChannels syncs = SyncChannels.open(file, 2, store)) {
            assertEquals(2, syncs.size());
            FileChannel first = syncs.borrow();
            FileChannel second = syncs.borrow();
            assertNotSame(first, second);
            assertNotSame(store, first);
            assertNotSame(store, second);
            assertSame(store, syncs.borrow(), "a third at once (never from the group commit) uses the store's");
            syncs.giveBack(store);
            syncs.giveBack(first);
            assertSame(first, syncs.borrow(), "a returned descriptor is lent again");
            syncs.giveBack(first);
            syncs.giveBack(second);
            syncs.sync(); // a real fdatasync on its own descriptor
            assertTrue(first.isOpen() && second.isOpen());
            syncs.close();
            assertFalse(first.isOpen() || second.isOpen());
            assertTrue(store.isOpen(), "the store's channel is the store's to close");
        }
    }
}
