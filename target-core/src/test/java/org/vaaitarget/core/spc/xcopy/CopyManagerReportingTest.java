package org.vaaitarget.core.spc.xcopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vaaitarget.core.spc.xcopy.XcopyFixture.BS;
import static org.vaaitarget.core.spc.xcopy.XcopyFixture.naa;
import static org.vaaitarget.core.spc.xcopy.XcopyFixture.rcrCdb;
import static org.vaaitarget.core.spc.xcopy.XcopyFixture.xcopyCdb;
import static org.vaaitarget.core.testkit.Harness.A;
import static org.vaaitarget.core.testkit.Harness.B;
import static org.vaaitarget.core.testkit.Harness.assertCheck;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vaaitarget.core.assembly.StandardHandlers;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.spc.SpcHandlers;
import org.vaaitarget.core.spc.xcopy.XcopyFixture.ListBuilder;
import org.vaaitarget.core.testkit.Harness;
import org.vaaitarget.core.testkit.Reply;

/** RECEIVE COPY RESULTS, the Third-party Copy VPD page and 3PC: all from the enforced limits. */
class CopyManagerReportingTest {
    /** Deliberately not the defaults, so that a value taken from anywhere else shows. */
    static final CopyLimits LIMITS = new CopyLimits(5, 7, 1000, 1L << 20, 0, 12, 9, 9, 64 * 1024);

    private final LogicalUnit lu0 = XcopyFixture.lu(0, 4096);
    private Harness h;

    @BeforeEach
    void setUp() {
        h = XcopyFixture.harness(LIMITS, lu0);
        h.clearUa(A, 0);
        h.clearUa(B, 0);
    }

    @AfterEach
    void released() {
        h.assertDataOutReleasedOnce();
    }

    @Test
    void operatingParametersAreTheEnforcedLimits() {
        Reply r = h.run(A, 0, rcrCdb(0x03, 0, 255), null);
        assertEquals(ScsiStatus.GOOD, r.status());
        assertEquals(r.data().length - 4, r.u32(0), "AVAILABLE DATA");
        assertEquals(5, r.u16(8), "MAXIMUM CSCD DESCRIPTOR COUNT");
        assertEquals(7, r.u16(10), "MAXIMUM SEGMENT DESCRIPTOR COUNT");
        assertEquals(1000, r.u32(12), "MAXIMUM DESCRIPTOR LIST LENGTH");
        assertEquals(1L << 20, r.u32(16), "MAXIMUM SEGMENT LENGTH");
        assertEquals(0, r.u32(20), "MAXIMUM INLINE DATA LENGTH");
        assertEquals(12, r.u16(34), "TOTAL CONCURRENT COPIES");
        assertEquals(9, r.u8(36), "MAXIMUM CONCURRENT COPIES");
        assertEquals(9, r.u8(37), "DATA SEGMENT GRANULARITY");
        assertEquals(2, r.u8(43), "IMPLEMENTED DESCRIPTOR LIST LENGTH");
        assertEquals(0x02, r.u8(44));
        assertEquals(0xE4, r.u8(45));
        // and the parser enforces exactly these counts
        ListBuilder six = new ListBuilder();
        for (int i = 0; i < 6; i++) {
            six.cscd(naa(0));
        }
        byte[] list = six.segment(0, 0, 1, 0, 1).build();
        assertCheck(h.run(A, 0, xcopyCdb(list.length), list), SenseReason.TOO_MANY_TARGET_DESCRIPTORS);
        ListBuilder eight = new ListBuilder().cscd(naa(0));
        for (int i = 0; i < 8; i++) {
            eight.segment(0, 0, 1, 0, 1);
        }
        list = eight.build();
        assertCheck(h.run(A, 0, xcopyCdb(list.length), list), SenseReason.TOO_MANY_SEGMENT_DESCRIPTORS);
        // a segment longer than MAXIMUM SEGMENT LENGTH (1 MiB = 2048 blocks)
        list = new ListBuilder().cscd(naa(0)).segment(0, 0, 2049, 0, 3000).build();
        assertCheck(h.run(A, 0, xcopyCdb(list.length), list), SenseReason.INVALID_FIELD_IN_PARAMETER_LIST);
    }

    @Test
    void allocationLengthTruncates() {
        Reply r = h.run(A, 0, rcrCdb(0x03, 0, 10), null);
        assertEquals(10, r.data().length);
    }

    @Test
    void copyStatusOfAHeldCopyThenDiscarded() {
        assertCheck(h.run(A, 0, rcrCdb(0x00, 7, 255), null), SenseReason.INVALID_FIELD_IN_CDB);
        byte[] list = new ListBuilder().id(7, CopyParameterList.USAGE_HOLD).cscd(naa(0))
                .segment(0, 0, 4, 0, 8).segment(0, 0, 2, 0, 100).build();
        assertEquals(ScsiStatus.GOOD, h.run(A, 0, xcopyCdb(list.length), list).status());
        // another nexus does not see it
        assertCheck(h.run(B, 0, rcrCdb(0x00, 7, 255), null), SenseReason.INVALID_FIELD_IN_CDB);
        Reply r = h.run(A, 0, rcrCdb(0x00, 7, 255), null);
        assertEquals(ScsiStatus.GOOD, r.status());
        assertEquals(8, r.u32(0), "AVAILABLE DATA");
        assertEquals(0x01, r.u8(4), "COPY MANAGER STATUS: completed without errors");
        assertEquals(2, r.u16(5), "SEGMENTS PROCESSED");
        assertEquals(0x00, r.u8(7), "TRANSFER COUNT UNITS: bytes");
        assertEquals(6L * BS, r.u32(8), "TRANSFER COUNT");
        assertCheck(h.run(A, 0, rcrCdb(0x00, 7, 255), null), SenseReason.INVALID_FIELD_IN_CDB);
    }

    @Test
    void failedSegmentDetailsOfAFailedHeldCopy() {
        byte[] list = new ListBuilder().id(3, CopyParameterList.USAGE_HOLD).cscd(naa(0))
                .segment(0, 0, 4, 0, 8).build();
        // make the copy fail in execution: a store that fails is simplest through a closed store
        lu0.store().close();
        Reply x = h.run(A, 0, xcopyCdb(list.length), list);
        assertEquals(ScsiStatus.CHECK_CONDITION, x.status());
        Reply s = h.run(A, 0, rcrCdb(0x00, 3, 255), null);
        assertEquals(0x02, s.u8(4), "COPY MANAGER STATUS: completed with errors");
        Reply d = h.run(A, 0, rcrCdb(0x04, 3, 255), null);
        assertEquals(ScsiStatus.GOOD, d.status());
        assertEquals(ScsiStatus.CHECK_CONDITION.code(), d.u8(56));
        assertEquals(x.sense().length, d.u16(58));
        assertEquals(d.data().length - 4, d.u32(0));
        assertEquals(x.sense()[2], d.data()[60 + 2], "the copy's sense key");
        assertCheck(h.run(A, 0, rcrCdb(0x04, 3, 255), null), SenseReason.INVALID_FIELD_IN_CDB);
    }

    @Test
    void sameListIdWhileUnheldIsNotKept() {
        byte[] list = new ListBuilder().id(9, CopyParameterList.USAGE_NO_HOLD).cscd(naa(0))
                .segment(0, 0, 1, 0, 8).build();
        assertEquals(ScsiStatus.GOOD, h.run(A, 0, xcopyCdb(list.length), list).status());
        assertCheck(h.run(A, 0, rcrCdb(0x00, 9, 255), null), SenseReason.INVALID_FIELD_IN_CDB);
    }

    @Test
    void thirdPartyCopyPageMatchesTheLimitsAndIsListed() {
        Reply supported = h.run(A, 0, 0x12, 0x01, 0x00, 0, 255, 0);
        boolean listed = false;
        for (int i = 4; i < supported.data().length; i++) {
            listed |= supported.u8(i) == 0x8F;
        }
        assertTrue(listed, "00h lists 8Fh");
        Reply p = h.run(A, 0, 0x12, 0x01, 0x8F, 4, 0, 0);
        assertEquals(ScsiStatus.GOOD, p.status());
        assertEquals(0x8F, p.u8(1));
        assertEquals(p.data().length - 4, p.u16(2));
        Map<Integer, Integer> at = new LinkedHashMap<>();
        for (int off = 4; off < p.data().length; off += 4 + p.u16(off + 2)) {
            assertEquals(0, p.u16(off + 2) % 4, "descriptor length multiple of 4");
            at.put(p.u16(off), off);
        }
        assertEquals(java.util.List.of(0x0001, 0x0004, 0x0008, 0x000C, 0x8001), java.util.List.copyOf(at.keySet()));
        int c = at.get(0x0001);
        assertEquals(8, p.u8(c + 4), "COMMANDS SUPPORTED LIST LENGTH");
        assertEquals(0x83, p.u8(c + 5));
        assertEquals(1, p.u8(c + 6));
        assertEquals(0x00, p.u8(c + 7));
        assertEquals(0x84, p.u8(c + 8));
        assertEquals(3, p.u8(c + 9));
        assertEquals(0x00, p.u8(c + 10));
        assertEquals(0x03, p.u8(c + 11));
        assertEquals(0x04, p.u8(c + 12));
        int d = at.get(0x0004);
        assertEquals(0x1C, p.u16(d + 2));
        // Offsets from the descriptor start, as sg_vpd decodes them (SPC-5 7.7.18.4).
        assertEquals(0, p.u32(d + 4), "reserved");
        assertEquals(5, p.u16(d + 8));
        assertEquals(7, p.u16(d + 10));
        assertEquals(1000, p.u32(d + 12));
        assertEquals(0, p.u32(d + 16));
        int s = at.get(0x0008);
        assertEquals(2, p.u8(s + 4));
        assertEquals(0x02, p.u8(s + 5));
        assertEquals(0xE4, p.u8(s + 6));
        int ids = at.get(0x000C);
        assertEquals(4, p.u16(ids + 2));
        assertEquals(0, p.u16(ids + 4), "no CSCD descriptor IDs beyond indexes");
        int g = at.get(0x8001);
        assertEquals(0x20, p.u16(g + 2));
        assertEquals(12, p.u32(g + 4), "TOTAL CONCURRENT COPIES");
        assertEquals(9, p.u32(g + 8), "MAXIMUM IDENTIFIED CONCURRENT COPIES");
        assertEquals(1L << 20, p.u32(g + 12), "MAXIMUM SEGMENT LENGTH");
        assertEquals(9, p.u8(g + 16));
    }

    @Test
    void threePcIsSetOnlyWhenExtendedCopyIsServed() {
        Reply with = h.run(A, 0, 0x12, 0, 0, 0, 96, 0);
        assertEquals(0x08, with.u8(5) & 0x08, "3PC");
        Harness withoutCopy = Harness.of(java.util.List.of(XcopyFixture.lu(0, 64)), SpcHandlers.all());
        Reply without = withoutCopy.run(A, 0, 0x12, 0, 0, 0, 96, 0);
        assertEquals(0, without.u8(5) & 0x08, "no 3PC without EXTENDED COPY");
        assertCheck(withoutCopy.run(A, 0, 0x12, 0x01, 0x8F, 0, 255, 0), SenseReason.INVALID_FIELD_IN_CDB);
    }

    @Test
    void theStandardHandlerSetServesTheCopyManager() {
        Harness std = Harness.of(java.util.List.of(XcopyFixture.lu(0, 64)), StandardHandlers.all());
        std.clearUa(A, 0);
        Reply r = std.run(A, 0, rcrCdb(0x03, 0, 255), null);
        assertEquals(ScsiStatus.GOOD, r.status());
        assertEquals(CopyLimits.DEFAULT.maxCscdDescriptors(), r.u16(8));
    }

    @Test
    void runningCopyReportsInProgressAndItsListIdIsBusyForThatNexusOnly() {
        org.vaaitarget.core.lu.lock.RangeLock held =
                lu0.locks().acquire(200, 1, org.vaaitarget.core.lu.lock.LockMode.EXCLUSIVE).join();
        byte[] list = new ListBuilder().id(5, CopyParameterList.USAGE_HOLD).cscd(naa(0))
                .segment(0, 0, 4, 0, 200).build();
        org.vaaitarget.core.scsi.TaskHandle running = h.device.submit(Harness.command(A, 0, xcopyCdb(list.length),
                io.netty.buffer.Unpooled.wrappedBuffer(list)));
        Reply status = h.run(A, 0, rcrCdb(0x00, 5, 255), null);
        assertEquals(0x00, status.u8(4), "COPY MANAGER STATUS: in progress");
        Reply details = h.run(A, 0, rcrCdb(0x04, 5, 255), null);
        assertEquals(0, details.u32(0), "no failed segment details while running");
        assertCheck(h.run(A, 0, xcopyCdb(list.length), list), SenseReason.OPERATION_IN_PROGRESS);
        org.vaaitarget.core.scsi.TaskHandle other = h.device.submit(Harness.command(B, 0, xcopyCdb(list.length),
                io.netty.buffer.Unpooled.wrappedBuffer(list)));
        held.close();
        assertEquals(ScsiStatus.GOOD, Harness.await(running).status());
        assertEquals(ScsiStatus.GOOD, Harness.await(other).status(), "another nexus may use the same list id");
        assertEquals(0x01, h.run(A, 0, rcrCdb(0x00, 5, 255), null).u8(4));
    }
}
