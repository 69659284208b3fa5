package org.vaaitarget.core.sbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vaaitarget.core.sbc.SbcFixture.HOST_A;
import static org.vaaitarget.core.sbc.SbcFixture.HOST_B;
import static org.vaaitarget.core.sbc.SbcFixture.assertCheck;
import static org.vaaitarget.core.sbc.SbcFixture.concat;
import static org.vaaitarget.core.sbc.SbcFixture.filled;
import static org.vaaitarget.core.sbc.SbcFixture.information;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vaaitarget.core.lu.lock.LockMode;
import org.vaaitarget.core.lu.lock.RangeLock;
import org.vaaitarget.core.observe.LunObserver;
import org.vaaitarget.core.observe.MiscompareCause;
import org.vaaitarget.core.sbc.forensics.AtsStatistics;
import org.vaaitarget.core.sbc.forensics.MiscompareReport;
import org.vaaitarget.core.scsi.ItNexus;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.store.StoreCapabilities;

class CompareAndWriteHandlerTest {
    private static final int BS = 512;
    private final SbcFixture f = new SbcFixture(BS, 256);
    private ExecutorService pool;

    @AfterEach
    void tearDown() {
        if (pool != null) {
            pool.shutdownNow();
        }
        assertEquals(0, f.lu.locks().outstanding(), "every range lock released");
    }

    @Test
    void matchWritesTheSecondHalf() {
        f.store.poke(10, filled(2 * BS, 'A'));
        CommandResult r = f.run(Cdb.caw(10, 2, 0), concat(filled(2 * BS, 'A'), filled(2 * BS, 'B')));
        assertEquals(ScsiStatus.GOOD, r.status());
        assertEquals(4L * BS, r.transferLength());
        assertArrayEquals(filled(2 * BS, 'B'), f.store.peek(10, 2));
        assertEquals(1, f.lu.ats().total());
        assertEquals(1, f.lu.ats().succeededCount());
        assertEquals(0, f.lu.ats().miscomparedCount());
    }

    @Test
    void fuaMakesTheWriteDurable() {
        f.run(Cdb.caw(0, 1, 0x08), concat(new byte[BS], filled(BS, 1)));
        assertEquals(1, f.store.flushCount());
        f.run(Cdb.caw(0, 1, 0x10), concat(filled(BS, 1), filled(BS, 2)));  // DPO only
        assertEquals(1, f.store.flushCount());
        assertArrayEquals(filled(BS, 2), f.store.peek(0, 1));
    }

    @Test
    void miscompareAtFirstMiddleAndLastByteReportsTheOffsetAndWritesNothing() {
        for (int offset : new int[] {0, BS / 2, BS - 1}) {
            f.store.poke(20, filled(BS, 'A'));
            byte[] verify = filled(BS, 'A');
            verify[offset] = 'Z';
            CommandResult r = f.run(Cdb.caw(20, 1, 0), concat(verify, filled(BS, 'B')));
            assertCheck(r, SenseReason.MISCOMPARE_DURING_VERIFY_OPERATION);
            assertEquals(offset, information(r));
            assertArrayEquals(filled(BS, 'A'), f.store.peek(20, 1), "nothing written on miscompare");
        }
        assertEquals(0, f.store.writeCount());
        assertEquals(3, f.lu.ats().miscomparedCount());
    }

    @Test
    void miscompareInTheSecondBlockCountsFromTheStartOfTheVerifyData() {
        f.store.poke(30, filled(3 * BS, 'A'));
        byte[] verify = filled(3 * BS, 'A');
        verify[BS + 7] = 0;
        verify[2 * BS + 1] = 0;
        CommandResult r = f.run(Cdb.caw(30, 3, 0), concat(verify, filled(3 * BS, 'B')));
        assertCheck(r, SenseReason.MISCOMPARE_DURING_VERIFY_OPERATION);
        assertEquals(BS + 7, information(r));
        assertArrayEquals(filled(3 * BS, 'A'), f.store.peek(30, 3));
    }

    @Test
    void descriptorSenseCarriesTheOffsetInAnInformationDescriptor() {
        f.lu.mode().descriptorSense(true);
        f.store.poke(0, filled(2 * BS, 'A'));
        byte[] verify = filled(2 * BS, 'A');
        verify[BS + 300] = 1;
        CommandResult r = f.run(Cdb.caw(0, 2, 0), concat(verify, filled(2 * BS, 'B')));
        assertEquals(0x72, r.sense()[0] & 0x7F);
        assertCheck(r, SenseReason.MISCOMPARE_DURING_VERIFY_OPERATION);
        assertEquals(BS + 300, information(r));
        assertArrayEquals(filled(2 * BS, 'A'), f.store.peek(0, 2));
    }

    @Test
    void zeroBlocksIsGoodAndTouchesNothing() {
        CommandResult r = f.run(Cdb.caw(0, 0, 0), null);
        assertEquals(ScsiStatus.GOOD, r.status());
        assertEquals(0, r.transferLength());
        assertEquals(0, f.lu.ats().total());
    }

    @Test
    void zeroBlocksWithDataIsInvalidFieldInCdbAndTouchesNothing() {
        f.store.poke(0, filled(BS, 'A'));
        // 256 blocks do not fit the one-byte field: NLB wraps to 0 while 2 x 256 blocks are sent.
        CommandResult r = f.run(Cdb.caw(0, 0, 0), new byte[2 * 256 * BS]);
        assertCheck(r, SenseReason.INVALID_FIELD_IN_CDB);
        assertArrayEquals(filled(BS, 'A'), f.store.peek(0, 1));
        assertEquals(0, f.lu.ats().total());
    }

    @Test
    void blocksOverTheLimitAreInvalidFieldInCdb() {
        SbcFixture small = new SbcFixture(BS, 1024);
        int max = small.lu.limits().maxCompareAndWriteBlocks();
        if (max < 255) {
            byte[] cdb = Cdb.caw(0, max + 1, 0);
            CommandResult r = small.run(cdb, new byte[2 * (max + 1) * BS]);
            assertCheck(r, SenseReason.INVALID_FIELD_IN_CDB);
        }
        // A LU advertising 1 (as LIO does) must refuse 2.
        org.vaaitarget.core.lu.LogicalUnit one = new org.vaaitarget.core.lu.LogicalUnit(1, small.store,
                new org.vaaitarget.core.lu.LunLimits(2048, 256, 1, 1, 1, 1, 1), SbcFixture.identity(),
                new org.vaaitarget.core.lu.lock.StripedRangeLockManager());
        org.vaaitarget.core.dispatch.Task t = new org.vaaitarget.core.dispatch.Task(
                new org.vaaitarget.core.scsi.ScsiCommand(HOST_A, 0, Cdb.caw(0, 2, 0), 4 * BS,
                        org.vaaitarget.core.scsi.DataDirection.WRITE, org.vaaitarget.core.scsi.TaskAttribute.SIMPLE,
                        1, null),
                one, io.netty.buffer.UnpooledByteBufAllocator.DEFAULT);
        CommandResult r = new CompareAndWriteHandler().execute(t).toCompletableFuture().join();
        t.finish();
        assertCheck(r, SenseReason.INVALID_FIELD_IN_CDB);
        assertEquals(13, ((r.sense()[16] & 0xFF) << 8) | (r.sense()[17] & 0xFF));
    }

    @Test
    void zeroBlocksWithAnExpectedLengthOfTwoGibOrMoreIsNotGood() {
        // EDTL is unsigned 32-bit (RFC 7143 11.3.4): 2^31 announces data, which NLB 0 contradicts.
        for (long edtl : new long[] {1L << 31, 0xFFFFFFFFL}) {
            org.vaaitarget.core.dispatch.Task t = new org.vaaitarget.core.dispatch.Task(
                    new org.vaaitarget.core.scsi.ScsiCommand(HOST_A, 0, Cdb.caw(0, 0, 0), edtl,
                            org.vaaitarget.core.scsi.DataDirection.READ, org.vaaitarget.core.scsi.TaskAttribute.SIMPLE,
                            1, null),
                    f.lu, io.netty.buffer.UnpooledByteBufAllocator.DEFAULT);
            CommandResult r = new CompareAndWriteHandler().execute(t).toCompletableFuture().join();
            t.finish();
            assertCheck(r, SenseReason.INVALID_FIELD_IN_CDB);
        }
        assertEquals(0, f.store.writeCount());
    }

    @Test
    void beyondEndOfLunIsLbaOutOfRange() {
        assertCheck(f.run(Cdb.caw(256, 1, 0), new byte[2 * BS]), SenseReason.LBA_OUT_OF_RANGE);
        assertCheck(f.run(Cdb.caw(255, 2, 0), new byte[4 * BS]), SenseReason.LBA_OUT_OF_RANGE);
        assertCheck(f.run(Cdb.caw(-1L, 1, 0), new byte[2 * BS]), SenseReason.LBA_OUT_OF_RANGE);
        assertEquals(0, f.store.writeCount());
    }

    @Test
    void wrprotectIsInvalidFieldInCdb() {
        for (int p = 1; p < 8; p++) {
            assertCheck(f.run(Cdb.caw(0, 1, p << 5), new byte[2 * BS]), SenseReason.INVALID_FIELD_IN_CDB);
        }
        assertEquals(0, f.store.writeCount());
    }

    @Test
    void dataOutOfTheWrongLengthIsAnErrorAndTheMediumIsUnchanged() {
        f.store.poke(0, filled(4 * BS, 0xA6));
        // libiscsi InvalidDataOutSize: 4 blocks of Data-Out with NLB 1 (too much) and NLB 3 (too little).
        for (int nlb : new int[] {1, 3}) {
            byte[] data = concat(filled(2 * BS, 0xA6), filled(2 * BS, 0x11));
            CommandResult r = f.run(Cdb.caw(0, nlb, 0), data);
            assertCheck(r, SenseReason.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT);
            assertEquals(2L * nlb * BS, r.transferLength());
        }
        assertArrayEquals(filled(4 * BS, 0xA6), f.store.peek(0, 4));
        assertEquals(0, f.store.writeCount());
    }

    @Test
    void abortedWhileWaitingForTheLockNeverWrites() {
        f.store.poke(5, filled(BS, 'A'));
        RangeLock holder = f.lu.locks().acquire(5, 1, LockMode.EXCLUSIVE).join();
        SbcFixture.Running caw = f.start(HOST_A, Cdb.caw(5, 1, 0), concat(filled(BS, 'A'), filled(BS, 'B')));
        assertFalse(caw.stage().isDone(), "waits for the range lock");
        caw.task().abort();
        holder.close();
        CompletionException e = assertThrows(CompletionException.class, () -> caw.stage().join());
        assertTrue(e.getCause() instanceof CancellationException);
        caw.finish();
        assertArrayEquals(filled(BS, 'A'), f.store.peek(5, 1));
        assertEquals(0, f.store.writeCount());
        assertEquals(0, f.lu.ats().succeededCount());
    }

    @Test
    void miscompareNamesTheNexusThatWroteTheBlockLast() {
        f.store.poke(8, filled(BS, 0));
        // Host B takes the "lock sector" with a plain WRITE.
        byte[] owned = filled(BS, 0);
        owned[100] = (byte) 0xBB;
        assertEquals(ScsiStatus.GOOD, f.run(HOST_B, Cdb.ten(0x2A, 8, 1, 0), owned).status());
        // Host A still expects the free image.
        CommandResult r = f.run(HOST_A, Cdb.caw(8, 1, 0), concat(filled(BS, 0), filled(BS, 0xAA)));
        assertCheck(r, SenseReason.MISCOMPARE_DURING_VERIFY_OPERATION);
        assertEquals(100, information(r));

        MiscompareReport report = f.lu.ats().lastMiscompare();
        assertNotNull(report);
        assertEquals(HOST_A.initiatorName(), report.initiatorName());
        assertEquals(HOST_A.isid(), report.isid());
        assertEquals(SbcFixture.TARGET, report.target());
        assertEquals(0, report.lun());
        assertEquals(8, report.lba());
        assertEquals(1, report.blocks());
        assertEquals(100, report.offset());
        assertEquals(8, report.blockLba());
        assertEquals(92, report.windowStart());
        assertEquals("00000000000000000000000000000000", report.expectedHex());
        assertEquals("0000000000000000bb00000000000000", report.foundHex());
        assertNotNull(report.lastWriter());
        assertEquals(HOST_B.initiatorPortName(), report.lastWriter().initiatorPort());
        assertEquals("WRITE(10)", report.lastWriter().command());
        assertEquals(MiscompareCause.CONTENTION, report.cause());
        assertEquals(1, f.lu.ats().miscomparedCount());
    }

    /**
     * The cause of each miscompare: the block last written by another host (contention), by the same host
     * through another session (own-write: a retried ATS whose first attempt succeeded), or by nothing the
     * target recorded (unexplained); counted per LU and per initiator, and told to the LU's observer.
     */
    @Test
    void everyMiscompareGetsACauseFromTheBlocksLastWriter() {
        List<MiscompareCause> observed = new ArrayList<>();
        f.lu.observer(new LunObserver() {
            @Override
            public void atsCompared(MiscompareCause cause) {
                observed.add(cause);
            }
        });
        ItNexus hostAOtherPath = new ItNexus(HOST_A.initiatorName(), "00023d000009", SbcFixture.TARGET, 2);
        byte[] stale = concat(filled(BS, 7), filled(BS, 8));
        f.run(HOST_B, Cdb.ten(0x2A, 30, 1, 0), filled(BS, 1));
        assertCheck(f.run(HOST_A, Cdb.caw(30, 1, 0), stale), SenseReason.MISCOMPARE_DURING_VERIFY_OPERATION);
        assertEquals(MiscompareCause.CONTENTION, f.lu.ats().lastMiscompare().cause());
        f.run(hostAOtherPath, Cdb.caw(31, 1, 0), concat(new byte[BS], filled(BS, 2)));   // succeeds
        assertCheck(f.run(HOST_A, Cdb.caw(31, 1, 0), stale), SenseReason.MISCOMPARE_DURING_VERIFY_OPERATION);
        assertEquals(MiscompareCause.OWN_WRITE, f.lu.ats().lastMiscompare().cause());
        f.store.poke(32, filled(BS, 3));                                                  // not through the target
        assertCheck(f.run(HOST_A, Cdb.caw(32, 1, 0), stale), SenseReason.MISCOMPARE_DURING_VERIFY_OPERATION);
        assertEquals(MiscompareCause.UNEXPLAINED, f.lu.ats().lastMiscompare().cause());

        assertEquals(java.util.Arrays.asList(MiscompareCause.CONTENTION, null, MiscompareCause.OWN_WRITE,
                MiscompareCause.UNEXPLAINED), observed);
        AtsStatistics.Snapshot lu = f.lu.ats().snapshot();
        assertEquals(4, lu.attempts());
        assertEquals(1, lu.succeeded());
        assertEquals(1, lu.contention());
        assertEquals(1, lu.ownWrite());
        assertEquals(1, lu.unexplained());
        AtsStatistics.Snapshot hostA = f.lu.ats().snapshotByInitiator().get(HOST_A.initiatorName());
        assertEquals(4, hostA.attempts(), "both sessions of host A count as one initiator");
        assertEquals(3, hostA.miscompared());
        assertTrue(hostA.summary().startsWith("total=4 succeeded=1 miscompared=3 contention=1 ownWrite=1"
                + " unexplained=1 lockWaitP50Us="), hostA.summary());
        assertEquals(java.util.Set.of(HOST_A.initiatorName()), f.lu.ats().snapshotByInitiator().keySet());
        assertTrue(f.lu.ats().summary().contains("contention=1 ownWrite=1 unexplained=1"), f.lu.ats().summary());
    }

    @Test
    void aSuccessfulCompareAndWriteIsRecordedAsTheLastWriter() {
        f.run(HOST_B, Cdb.caw(3, 1, 0), concat(new byte[BS], filled(BS, 1)));
        CommandResult r = f.run(HOST_A, Cdb.caw(3, 1, 0), concat(new byte[BS], filled(BS, 2)));
        assertCheck(r, SenseReason.MISCOMPARE_DURING_VERIFY_OPERATION);
        assertEquals(0, information(r));
        assertEquals(HOST_B.initiatorPortName(), f.lu.ats().lastMiscompare().lastWriter().initiatorPort());
        assertEquals(CompareAndWriteHandler.NAME, f.lu.ats().lastMiscompare().lastWriter().command());
    }

    /**
     * N hosts increment a counter in one block with read + COMPARE AND WRITE + retry on miscompare, on
     * a store that completes on other threads. ATS atomicity means no increment is lost.
     */
    @Test
    @Timeout(120) // hang guard only
    void concurrentIncrementsThroughCompareAndWriteAreNeverLost() throws Exception {
        pool = Executors.newFixedThreadPool(4);
        SbcFixture g = new SbcFixture(BS, 64, new StoreCapabilities(true, true, true, true), pool);
        int hosts = 6;
        int increments = 150;
        AtomicInteger miscompares = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService workers = Executors.newFixedThreadPool(hosts);
        List<Future<?>> done = new ArrayList<>();
        for (int h = 0; h < hosts; h++) {
            org.vaaitarget.core.scsi.ItNexus nexus = new org.vaaitarget.core.scsi.ItNexus(
                    "iqn.1998-01.com.vmware:esx-" + h, String.format("00023d%06x", h), SbcFixture.TARGET, 1);
            done.add(workers.submit(() -> {
                go.await();
                for (int i = 0; i < increments; ) {
                    CommandResult read = g.run(nexus, Cdb.read16(7, 1, 0), null);
                    byte[] seen = SbcFixture.drain(read);
                    long value = ByteBuffer.wrap(seen).getLong();
                    byte[] next = seen.clone();
                    ByteBuffer.wrap(next).putLong(value + 1);
                    CommandResult r = g.run(nexus, Cdb.caw(7, 1, 0), concat(seen, next));
                    if (r.status() == ScsiStatus.GOOD) {
                        i++;
                    } else {
                        assertCheck(r, SenseReason.MISCOMPARE_DURING_VERIFY_OPERATION);
                        miscompares.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> d : done) {
            d.get();
        }
        workers.shutdown();
        long total = (long) hosts * increments;
        assertEquals(total, ByteBuffer.wrap(g.store.peek(7, 1)).getLong());
        assertEquals(total, g.lu.ats().succeededCount());
        assertEquals(miscompares.get(), g.lu.ats().miscomparedCount());
        assertEquals(total + miscompares.get(), g.lu.ats().total());
        assertEquals(0, g.lu.locks().outstanding());
    }

    /** A multi-block COMPARE AND WRITE racing with multi-block READs: no read ever sees two images. */
    @Test
    @Timeout(120) // hang guard only
    void multiBlockCompareAndWriteIsNeverSeenTorn() throws Exception {
        pool = Executors.newFixedThreadPool(4);
        // Small stripes so the 40-block range spans several of them.
        SbcFixture g = new SbcFixture(BS, 128, new StoreCapabilities(true, true, true, true), pool);
        int nlb = 40;
        g.store.poke(30, filled(nlb * BS, 0));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger torn = new AtomicInteger();
        AtomicInteger reads = new AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(3);
        List<Future<?>> readers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            readers.add(workers.submit(() -> {
                while (!stop.get()) {
                    byte[] b = g.read(30, nlb);
                    for (byte x : b) {
                        if (x != b[0]) {
                            torn.incrementAndGet();
                            break;
                        }
                    }
                    reads.incrementAndGet();
                }
                return null;
            }));
        }
        Future<?> writer = workers.submit(() -> {
            for (int v = 0; v < 300; v++) {
                CommandResult r = g.run(HOST_A, Cdb.caw(30, nlb, 0),
                        concat(filled(nlb * BS, v), filled(nlb * BS, v + 1)));
                assertEquals(ScsiStatus.GOOD, r.status());
            }
            return null;
        });
        writer.get();
        stop.set(true);
        for (Future<?> r : readers) {
            r.get();
        }
        workers.shutdown();
        assertEquals(0, torn.get(), "torn reads out of " + reads.get());
        assertArrayEquals(filled(nlb * BS, 300), g.store.peek(30, nlb));
        assertEquals(0, g.lu.locks().outstanding());
    }
}
