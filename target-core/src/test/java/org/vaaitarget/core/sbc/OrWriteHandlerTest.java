package org.vaaitarget.core.sbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.vaaitarget.core.sbc.SbcFixture.assertCheck;
import static org.vaaitarget.core.sbc.SbcFixture.filled;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.store.StoreCapabilities;

class OrWriteHandlerTest {
    private static final int BS = 512;
    private ExecutorService pool;

    @AfterEach
    void stop() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    private static byte[] orwrite(long lba, long blocks, int byte1) {
        return Cdb.sixteen(0x8B, lba, blocks, byte1);
    }

    @Test
    void theBlocksBecomeTheOrOfMediumAndData() {
        SbcFixture f = new SbcFixture(BS, 64);
        f.store.poke(3, filled(2 * BS, 0xA0));
        CommandResult r = f.run(orwrite(3, 2, 0x08), filled(2 * BS, 0x05));   // FUA
        assertEquals(ScsiStatus.GOOD, r.status());
        assertArrayEquals(filled(2 * BS, 0xA5), f.store.peek(3, 2));
        assertArrayEquals(new byte[BS], f.store.peek(5, 1), "the next block is untouched");
        assertEquals(1, f.store.flushCount(), "FUA: durable before GOOD (a flush after the write, as for WRITE)");
    }

    @Test
    void checksProtectRangeAndDataLength() {
        SbcFixture f = new SbcFixture(BS, 64);
        for (int protect = 1; protect < 8; protect++) {
            assertCheck(f.run(orwrite(0, 1, protect << 5), filled(BS, 1)), SenseReason.INVALID_FIELD_IN_CDB);
        }
        assertCheck(f.run(orwrite(64, 1, 0), filled(BS, 1)), SenseReason.LBA_OUT_OF_RANGE);
        assertCheck(f.run(orwrite(65, 0, 0), null), SenseReason.LBA_OUT_OF_RANGE);
        assertCheck(f.run(orwrite(-1, 1, 0), filled(BS, 1)), SenseReason.LBA_OUT_OF_RANGE);
        assertEquals(ScsiStatus.GOOD, f.run(orwrite(0, 0, 0), null).status());
        assertCheck(f.run(orwrite(0, 2, 0), filled(BS, 1)), SenseReason.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT);
        assertArrayEquals(new byte[2 * BS], f.store.peek(0, 2), "nothing written by a refused command");
    }

    /**
     * Eight hosts each OR their own bit into the same blocks at once, on a store that completes on other
     * threads: a read-modify-write that is not atomic would lose bits (two hosts read the old image, the
     * second write drops the first one's bit).
     */
    @Test
    @Timeout(120) // hang guard only
    void overlappingOrWritesNeverLoseABit() throws Exception {
        pool = Executors.newFixedThreadPool(4);
        SbcFixture f = new SbcFixture(BS, 64, new StoreCapabilities(true, true, true, true), pool);
        ExecutorService hosts = Executors.newFixedThreadPool(8);
        for (int round = 0; round < 50; round++) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<CommandResult>> done = new ArrayList<>();
            for (int bit = 0; bit < 8; bit++) {
                byte[] data = filled(4 * BS, 1 << bit);
                done.add(hosts.submit(() -> {
                    go.await();
                    return f.run(orwrite(10, 4, 0), data);
                }));
            }
            go.countDown();
            for (Future<CommandResult> d : done) {
                assertEquals(ScsiStatus.GOOD, d.get().status());
            }
            assertArrayEquals(filled(4 * BS, 0xFF), f.store.peek(10, 4), "round " + round);
            f.store.poke(10, new byte[4 * BS]);
        }
        hosts.shutdown();
        assertEquals(0, f.lu.locks().outstanding());
    }
}
