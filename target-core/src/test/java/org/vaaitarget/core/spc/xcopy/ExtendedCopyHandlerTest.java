package org.vaaitarget.core.spc.xcopy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vaaitarget.core.spc.xcopy.XcopyFixture.BS;
import static org.vaaitarget.core.spc.xcopy.XcopyFixture.naa;
import static org.vaaitarget.core.spc.xcopy.XcopyFixture.pattern;
import static org.vaaitarget.core.spc.xcopy.XcopyFixture.store;
import static org.vaaitarget.core.spc.xcopy.XcopyFixture.xcopyCdb;
import static org.vaaitarget.core.testkit.Harness.A;
import static org.vaaitarget.core.testkit.Harness.assertCheck;

import io.netty.buffer.Unpooled;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vaaitarget.core.dispatch.TargetDevice;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.lu.lock.LockMode;
import org.vaaitarget.core.lu.lock.RangeLock;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.TaskHandle;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.spc.xcopy.XcopyFixture.ListBuilder;
import org.vaaitarget.core.testkit.Harness;
import org.vaaitarget.core.testkit.Reply;
import org.vaaitarget.core.assembly.StandardDevice;

/** EXTENDED COPY (LID1): parameter list errors, copies within and across LUs, locks, abort. */
class ExtendedCopyHandlerTest {
    /** 8-block chunks so that small copies take several locked steps. */
    static final CopyLimits SMALL_CHUNKS = new CopyLimits(8, 8, 1024, 32L << 20, 0, 16, 16, 9, 8 * BS);

    private final LogicalUnit lu0 = XcopyFixture.lu(0, 4096);
    private final LogicalUnit lu1 = XcopyFixture.lu(1, 4096);
    private Harness h;

    @BeforeEach
    void setUp() {
        h = XcopyFixture.harness(SMALL_CHUNKS, lu0, lu1);
        h.clearUa(A, 0);
        h.clearUa(A, 1);
    }

    @AfterEach
    void released() {
        h.assertDataOutReleasedOnce();
        assertEquals(0, lu0.locks().outstanding(), "no range lock left on LUN 0");
        assertEquals(0, lu1.locks().outstanding(), "no range lock left on LUN 1");
    }

    private Reply xcopy(byte[] list) {
        return h.run(A, 0, xcopyCdb(list.length), list);
    }

    @Test
    void copiesWithinOneLuInSeveralChunks() {
        byte[] data = pattern(20, 1);
        store(lu0).poke(100, data);
        Reply r = xcopy(new ListBuilder().cscd(naa(0)).segment(0, 0, 20, 100, 2000).build());
        assertEquals(ScsiStatus.GOOD, r.status());
        assertArrayEquals(data, store(lu0).peek(2000, 20));
        assertEquals(lu0.writerHistory().lastWriter(2000).command(), CopyEngine.COMMAND_NAME);
    }

    @Test
    void copiesAcrossLusOfTheTargetInBothDirections() {
        byte[] a = pattern(16, 2);
        byte[] b = pattern(16, 3);
        store(lu0).poke(0, a);
        store(lu1).poke(500, b);
        Reply r = xcopy(new ListBuilder().cscd(naa(0)).cscd(naa(1))
                .segment(0, 1, 16, 0, 10)
                .segment(1, 0, 16, 500, 3000).build());
        assertEquals(ScsiStatus.GOOD, r.status());
        assertArrayEquals(a, store(lu1).peek(10, 16));
        assertArrayEquals(b, store(lu0).peek(3000, 16));
    }

    @Test
    void aWriteProtectedLuIsACopySourceButNotADestination() {
        byte[] a = pattern(16, 4);
        store(lu1).poke(0, a);
        lu1.mode().softwareWriteProtect(true);
        Reply from = xcopy(new ListBuilder().cscd(naa(0)).cscd(naa(1)).segment(1, 0, 16, 0, 10).build());
        assertEquals(ScsiStatus.GOOD, from.status());
        assertArrayEquals(a, store(lu0).peek(10, 16));
        Reply to = xcopy(new ListBuilder().cscd(naa(0)).cscd(naa(1)).segment(0, 1, 16, 10, 100).build());
        Harness.assertCheck(to, org.vaaitarget.core.scsi.sense.SenseReason.WRITE_PROTECTED);
        assertArrayEquals(new byte[16 * BS], store(lu1).peek(100, 16), "nothing copied");
    }

    @Test
    void overlappingCopyUpwardsWithinOneLuBehavesLikeMemmove() {
        byte[] data = pattern(30, 4);
        store(lu0).poke(100, data);
        Reply r = xcopy(new ListBuilder().cscd(naa(0)).segment(0, 0, 30, 100, 105).build());
        assertEquals(ScsiStatus.GOOD, r.status());
        assertArrayEquals(data, store(lu0).peek(105, 30));
    }

    @Test
    void overlappingCopyDownwardsWithinOneLuBehavesLikeMemmove() {
        byte[] data = pattern(30, 5);
        store(lu0).poke(100, data);
        Reply r = xcopy(new ListBuilder().cscd(naa(0)).segment(0, 0, 30, 100, 97).build());
        assertEquals(ScsiStatus.GOOD, r.status());
        assertArrayEquals(data, store(lu0).peek(97, 30));
    }

    @Test
    void truncatedLongerDesignatorIsAccepted() {
        byte[] data = pattern(4, 6);
        store(lu0).poke(0, data);
        byte[] designator = new byte[20];
        System.arraycopy(naa(0), 0, designator, 0, 16);
        // DESIGNATOR LENGTH 32 announced, only the 20 bytes that fit sent (ESXI-NOTES 2.3.5).
        Reply r = xcopy(new ListBuilder().cscd(0xE4, designator, 32, 0).segment(0, 0, 4, 0, 64).build());
        assertEquals(ScsiStatus.GOOD, r.status());
        assertArrayEquals(data, store(lu0).peek(64, 4));
    }

    @Test
    void lunOfAnotherTargetIsNotReachable() {
        LogicalUnit foreign = XcopyFixture.lu(0, 77, 4096, null);
        store(foreign).poke(0, pattern(4, 7));
        try (TargetDevice other = StandardDevice.of("iqn.2024-01.org.vaaitarget:other", List.of(foreign))) {
            Reply r = xcopy(new ListBuilder().cscd(naa(77)).cscd(naa(0)).segment(0, 1, 4, 0, 0).build());
            assertCheck(r, SenseReason.COPY_TARGET_DEVICE_NOT_REACHABLE);
            assertArrayEquals(new byte[4 * BS], store(lu0).peek(0, 4), "nothing copied");
            // and not the other way round either
            r = xcopy(new ListBuilder().cscd(naa(0)).cscd(naa(77)).segment(0, 1, 4, 0, 0).build());
            assertCheck(r, SenseReason.COPY_TARGET_DEVICE_NOT_REACHABLE);
            assertArrayEquals(pattern(4, 7), store(foreign).peek(0, 4), "foreign LU untouched");
        }
    }

    @Test
    void parameterListLengthZeroIsGoodAndCopiesNothing() {
        Reply r = h.run(A, 0, xcopyCdb(0), null);
        assertEquals(ScsiStatus.GOOD, r.status());
    }

    @Test
    void listErrorsGetTheirOwnSense() {
        byte[] ok = new ListBuilder().cscd(naa(0)).segment(0, 0, 1, 0, 1).build();
        // shorter than the header
        assertCheck(h.run(A, 0, xcopyCdb(15), Arrays.copyOf(ok, 15)), SenseReason.PARAMETER_LIST_LENGTH_ERROR);
        // the CDB's length truncates the segment descriptor (libiscsi ExtendedCopy.ParamHdr)
        assertCheck(h.run(A, 0, xcopyCdb(ok.length - 1), Arrays.copyOf(ok, ok.length - 1)),
                SenseReason.PARAMETER_LIST_LENGTH_ERROR);
        ListBuilder tooManyCscds = new ListBuilder();
        for (int i = 0; i < 9; i++) {
            tooManyCscds.cscd(naa(0));
        }
        assertCheck(xcopy(tooManyCscds.segment(0, 0, 1, 0, 1).build()), SenseReason.TOO_MANY_TARGET_DESCRIPTORS);
        ListBuilder tooManySegments = new ListBuilder().cscd(naa(0));
        for (int i = 0; i < 9; i++) {
            tooManySegments.segment(0, 0, 1, 0, 1);
        }
        assertCheck(xcopy(tooManySegments.build()), SenseReason.TOO_MANY_SEGMENT_DESCRIPTORS);
        assertCheck(xcopy(new ListBuilder().cscd(0xE0, naa(0), 16, 0).segment(0, 0, 1, 0, 1).build()),
                SenseReason.UNSUPPORTED_TARGET_DESCRIPTOR_TYPE_CODE);
        assertCheck(xcopy(new ListBuilder().cscd(naa(0)).segment(0x03, 0x10, 0, 0, 0, 0, 0).build()),
                SenseReason.UNSUPPORTED_SEGMENT_DESCRIPTOR_TYPE_CODE);
        assertCheck(xcopy(new ListBuilder().cscd(naa(0)).segment(0, 0, 1, 0, 1).inline(4).build()),
                SenseReason.INLINE_DATA_LENGTH_EXCEEDED);
        assertCheck(xcopy(new ListBuilder().cscd(0xE4, naa(0), 16, 0x01).segment(0, 0, 1, 0, 1).build()),
                SenseReason.INVALID_COPY_TARGET_DEVICE_TYPE);
        // a segment naming a CSCD index past the list (libiscsi ExtendedCopy.ValidSegDescr)
        assertCheck(xcopy(new ListBuilder().cscd(naa(0)).segment(0, 1, 1, 0, 1).build()),
                SenseReason.COPY_TARGET_DEVICE_NOT_REACHABLE);
    }

    @Test
    void descriptorListLongerThanTheMaximumIsALengthErrorEvenWithTooManyDescriptors() {
        ListBuilder b = new ListBuilder();
        for (int i = 0; i < 9; i++) {
            b.cscd(naa(0));
        }
        for (int i = 0; i < 27; i++) {
            b.segment(0, 0, 1, 0, 1);                   // 9*32 + 27*28 = 1044 > 1024
        }
        assertCheck(xcopy(b.build()), SenseReason.PARAMETER_LIST_LENGTH_ERROR);
    }

    @Test
    void segmentBeyondTheEndIsCopyAbortedPointingAtTheLbaAndCopiesNothing() {
        store(lu0).poke(0, pattern(8, 8));
        byte[] list = new ListBuilder().cscd(naa(0))
                .segment(0, 0, 8, 0, 100)                   // valid, must not run either
                .segment(0, 0, 8, 0, 4090).build();         // 4090 + 8 > 4096
        Reply r = xcopy(list);
        assertCheck(r, SenseReason.COPY_ABORTED_NO_ADDITIONAL_SENSE);
        assertEquals(0x80, r.sense()[15] & 0xC0, "SKSV=1, pointer into the parameter list");
        assertEquals(16 + 32 + 28 + BlockSegment.DESTINATION_LBA, ((r.sense()[16] & 0xFF) << 8) | (r.sense()[17] & 0xFF));
        assertArrayEquals(new byte[8 * BS], store(lu0).peek(100, 8), "no segment ran");
    }

    @Test
    void copyWaitsForAConflictingLockOnTheDestination() throws Exception {
        store(lu0).poke(0, pattern(8, 9));
        RangeLock held = lu1.locks().acquire(4, 1, LockMode.EXCLUSIVE).join();
        byte[] list = new ListBuilder().cscd(naa(0)).cscd(naa(1)).segment(0, 1, 8, 0, 0).build();
        TaskHandle t = h.device.submit(Harness.command(A, 0, xcopyCdb(list.length),
                Unpooled.wrappedBuffer(list)));
        assertFalse(t.result().toCompletableFuture().isDone(), "the copy waits for the writer's lock");
        assertArrayEquals(new byte[8 * BS], store(lu1).peek(0, 8));
        held.close();
        assertEquals(ScsiStatus.GOOD, Harness.await(t).status());
        assertArrayEquals(pattern(8, 9), store(lu1).peek(0, 8));
    }

    @Test
    void abortStopsTheCopyBetweenChunks() {
        ArrayDeque<Runnable> queue = new ArrayDeque<>();
        LogicalUnit src = XcopyFixture.lu(0, 10, 1024, queue::add);
        LogicalUnit dst = XcopyFixture.lu(1, 11, 1024, queue::add);
        Harness hh = XcopyFixture.harness(SMALL_CHUNKS, src, dst);
        store(src).poke(0, pattern(32, 10));
        byte[] list = new ListBuilder().cscd(naa(10)).cscd(naa(11)).segment(0, 1, 32, 0, 0).build();
        // skip the power-on unit attention without running I/O
        hh.device.submit(Harness.command(A, 0, Harness.cdb(0, 0, 0, 0, 0, 0), null));
        TaskHandle t = hh.device.submit(Harness.command(A, 0, xcopyCdb(list.length),
                Unpooled.wrappedBuffer(list)));
        queue.poll().run();                                   // read of chunk 0
        queue.poll().run();                                   // write of chunk 0, then chunk 1's read is queued
        t.abort();
        while (!queue.isEmpty()) {
            queue.poll().run();
        }
        Reply r = Harness.await(t);
        assertTrue(r.aborted(), "aborted task");
        assertArrayEquals(pattern(32, 10), concat(store(dst).peek(0, 16), store(src).peek(16, 16)),
                "chunks 0 and 1 were copied");
        assertArrayEquals(new byte[16 * BS], store(dst).peek(16, 16), "no chunk after the abort");
        assertEquals(0, src.locks().outstanding());
        assertEquals(0, dst.locks().outstanding());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
