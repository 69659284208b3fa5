package org.vaaitarget.core.spc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vaaitarget.core.testkit.Harness.A;
import static org.vaaitarget.core.testkit.Harness.B;
import static org.vaaitarget.core.testkit.Harness.assertCheck;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.testkit.Harness;
import org.vaaitarget.core.testkit.Reply;

/** MODE SENSE(6/10) and MODE SELECT(6/10) (SPC-5 6.12-6.15, 7.5). */
class ModeHandlersTest {
    private LogicalUnit lu;
    private LogicalUnit writeThrough;
    private Harness h;

    @BeforeEach
    void setUp() {
        lu = Harness.lu(0, Harness.THIN_WRITE_BACK);
        writeThrough = Harness.lu(1, Harness.THICK_WRITE_THROUGH);
        h = Harness.of(List.of(lu, writeThrough), SpcHandlers.all());
        h.clearUa(A, 0);
        h.clearUa(A, 1);
        h.clearUa(B, 0);
    }

    @AfterEach
    void tearDown() {
        h.assertDataOutReleasedOnce();
    }

    private Reply sense6(int lun, int dbd, int pcAndPage, int subpage, int alloc) {
        return h.run(A, lun, 0x1A, dbd, pcAndPage, subpage, alloc, 0);
    }

    @Test
    void allPagesWithBlockDescriptor() {
        Reply r = sense6(0, 0, 0x3F, 0, 255);
        assertEquals(ScsiStatus.GOOD, r.status());
        assertEquals(r.data().length - 1, r.u8(0), "MODE DATA LENGTH");
        assertEquals(0x10, r.u8(2), "WP=0, DPOFUA=1");
        assertEquals(8, r.u8(3), "BLOCK DESCRIPTOR LENGTH");
        assertEquals(1 << 20, r.u32(4), "NUMBER OF LOGICAL BLOCKS");
        assertEquals(512, r.u32(8) & 0xFFFFFF, "LOGICAL BLOCK LENGTH");
        assertEquals(List.of(0x01, 0x08, 0x0A), pageCodes(r, 12));
        assertEquals(r.data().length, 4 + 8 + 12 + 20 + 12);
    }

    private static List<Integer> pageCodes(Reply r, int from) {
        Integer[] codes = new Integer[3];
        int n = 0;
        for (int p = from; p < r.data().length; p += 2 + r.u8(p + 1)) {
            codes[n++] = r.u8(p) & 0x3F;
        }
        return Arrays.asList(Arrays.copyOf(codes, n));
    }

    @Test
    void dbdOmitsTheBlockDescriptorAndTheControlPageReadsBackTheSameDirectly() {
        Reply all = sense6(0, 0x08, 0x3F, 0, 255);
        assertEquals(0, all.u8(3));
        Reply control = sense6(0, 0x08, 0x0A, 0, 255);
        assertEquals(4 + 12, control.data().length);
        assertEquals(0x0A, control.u8(4));
        assertEquals(0x0A, control.u8(5));
        int at = 4 + 12 + 20;
        for (int i = 0; i < 12; i++) {
            assertEquals(all.u8(at + i), control.u8(4 + i), "control page byte " + i);
        }
        assertEquals(0x10, control.u8(7), "QUEUE ALGORITHM MODIFIER 1, QERR 0");
        assertEquals(0xFFFF, control.u16(12), "BUSY TIMEOUT PERIOD");
    }

    @Test
    void modeSense10WithLongLbaAccepted() {
        Reply r = h.run(A, 0, 0x5A, 0x10, 0x08, 0, 0, 0, 0, 0x01, 0x00, 0);
        assertEquals(r.data().length - 2, r.u16(0));
        assertEquals(0x01, r.u8(4), "LONGLBA");
        assertEquals(16, r.u16(6));
        assertEquals(1L << 20, r.u64(8));
        assertEquals(512, r.u32(20));
        assertEquals(0x08, r.u8(24), "caching page follows");
        assertEquals(0x04, r.u8(26) & 0x04, "WCE=1 on a write-back store");
    }

    @Test
    void changeableValues() {
        Reply control = sense6(0, 0x08, 0x40 | 0x0A, 0, 255);
        assertEquals(0x04, control.u8(6), "only D_SENSE is changeable");
        Reply cachingWb = sense6(0, 0x08, 0x40 | 0x08, 0, 255);
        assertEquals(0x04, cachingWb.u8(6), "WCE changeable with a volatile cache");
        Reply cachingWt = sense6(1, 0x08, 0x40 | 0x08, 0, 255);
        assertEquals(0x00, cachingWt.u8(6), "WCE not changeable on a write-through store");
        assertEquals(0x00, sense6(1, 0x08, 0x08, 0, 255).u8(6), "WCE=0 on a write-through store");
    }

    @Test
    void savedValuesAreNotSupportedAndBadPageOrSubpageIsInvalid() {
        assertCheck(sense6(0, 0, 0xC0 | 0x3F, 0, 255), SenseReason.SAVING_PARAMETERS_NOT_SUPPORTED);
        assertCheck(sense6(0, 0, 0x19, 0, 255), SenseReason.INVALID_FIELD_IN_CDB);
        assertCheck(sense6(0, 0, 0x3F, 0x01, 255), SenseReason.INVALID_FIELD_IN_CDB);
        assertEquals(ScsiStatus.GOOD, sense6(0, 0, 0x3F, 0xFF, 255).status());
    }

    @Test
    void allocationLengthTruncatesWithoutChangingTheHeader() {
        Reply r = sense6(0, 0, 0x3F, 0, 4);
        assertEquals(4, r.data().length);
        assertEquals(4 + 8 + 12 + 20 + 12 - 1, r.u8(0));
    }

    private static byte[] controlPage(int dsense, int qam) {
        byte[] list = new byte[4 + 12];
        list[4] = 0x0A;
        list[5] = 0x0A;
        list[6] = (byte) dsense;
        list[7] = (byte) qam;
        list[9] = 0x40;                                  // TAS=1, the current (and only) value
        list[12] = (byte) 0xFF;
        list[13] = (byte) 0xFF;
        return list;
    }

    private Reply select6(int lun, int flags, byte[] list) {
        return h.run(A, lun, Harness.cdb(0x15, flags, 0, 0, list.length, 0), list);
    }

    @Test
    void selectChangingDSenseRaisesModeParametersChangedForTheOtherNexusOnly() {
        assertEquals(ScsiStatus.GOOD, select6(0, 0x10, controlPage(0x04, 0x10)).status());
        assertTrue(lu.mode().descriptorSense());
        assertEquals(ScsiStatus.GOOD, h.run(A, 0, 0, 0, 0, 0, 0, 0).status());
        Reply b = h.run(B, 0, 0, 0, 0, 0, 0, 0);
        assertCheck(b, SenseReason.MODE_PARAMETERS_CHANGED);
        assertEquals(0x72, b.sense()[0] & 0x7F, "the UA itself follows D_SENSE");
        assertEquals(0x04, sense6(0, 0x08, 0x0A, 0, 255).u8(6), "D_SENSE reads back");
    }

    @Test
    void selectChangingANonChangeableFieldIsRejectedWithAFieldPointer() {
        Reply r = select6(0, 0x10, controlPage(0x04, 0x00));
        assertCheck(r, SenseReason.INVALID_FIELD_IN_PARAMETER_LIST);
        assertEquals(0x80, r.sense()[15] & 0xC0, "SKSV=1, C/D=0 (parameter list)");
        assertEquals(7, ((r.sense()[16] & 0xFF) << 8) | (r.sense()[17] & 0xFF), "byte 7 of the list");
        assertFalse(lu.mode().descriptorSense(), "nothing applied");
    }

    /**
     * SPC-5 7.5.8 / SAM-5 5.6: TAS=1 (TASK ABORTED for tasks aborted by another I_T nexus) in the current
     * and default values, not changeable; MODE SELECT echoing the page as read (TAS=1) is accepted, TAS=0
     * is a change of a non-changeable bit (SPC-5 7.5.4).
     */
    @Test
    void controlPageReportsTasOneNotChangeableAndModeSelectAcceptsItBack() {
        assertEquals(0x40, sense6(0, 0x08, 0x0A, 0, 255).u8(9) & 0x40, "current TAS=1");
        assertEquals(0x40, sense6(0, 0x08, 0x80 | 0x0A, 0, 255).u8(9) & 0x40, "default TAS=1");
        assertEquals(0x00, sense6(0, 0x08, 0x40 | 0x0A, 0, 255).u8(9), "TAS not changeable");
        assertEquals(ScsiStatus.GOOD, select6(0, 0x10, controlPage(0x00, 0x10)).status());
        byte[] tasZero = controlPage(0x00, 0x10);
        tasZero[9] = 0;
        Reply r = select6(0, 0x10, tasZero);
        assertCheck(r, SenseReason.INVALID_FIELD_IN_PARAMETER_LIST);
        assertEquals(9, ((r.sense()[16] & 0xFF) << 8) | (r.sense()[17] & 0xFF), "byte 9 of the list");
        assertEquals(0x80 | 0x08 | 6, r.sense()[15] & 0xFF, "SKSV=1, BPV=1, bit 6");
    }

    @Test
    void selectWceOnlyWhereTheStoreHasAVolatileCache() {
        byte[] caching = new byte[4 + 20];
        caching[4] = 0x08;
        caching[5] = 0x12;
        assertEquals(ScsiStatus.GOOD, select6(0, 0x10, caching).status());
        assertFalse(lu.mode().writeCacheEnabled());
        caching[6] = 0x04;
        assertCheck(select6(1, 0x10, caching), SenseReason.INVALID_FIELD_IN_PARAMETER_LIST);
        assertFalse(writeThrough.mode().writeCacheEnabled());
    }

    @Test
    void selectCdbAndLengthChecks() {
        byte[] list = controlPage(0x04, 0x10);
        assertCheck(select6(0, 0x11, list), SenseReason.INVALID_FIELD_IN_CDB);          // SP=1
        assertCheck(select6(0, 0x00, list), SenseReason.INVALID_FIELD_IN_CDB);          // PF=0
        assertCheck(h.run(A, 0, Harness.cdb(0x15, 0x10, 0, 0, 40, 0), list),
                SenseReason.PARAMETER_LIST_LENGTH_ERROR);                            // longer than sent
        assertCheck(select6(0, 0x10, Arrays.copyOf(list, 10)), SenseReason.PARAMETER_LIST_LENGTH_ERROR);
        assertEquals(ScsiStatus.GOOD, h.run(A, 0, 0x15, 0x10, 0, 0, 0, 0).status());    // zero length
        assertFalse(lu.mode().descriptorSense());
    }

    @Test
    void selectTenWithBlockDescriptorMatchingTheLu() {
        byte[] list = new byte[8 + 8 + 12];
        list[7] = 8;
        System.arraycopy(ModeSenseHandler.blockDescriptor(lu, false, false), 0, list, 8, 8);
        System.arraycopy(controlPage(0x04, 0x10), 4, list, 16, 12);
        Reply ok = h.run(A, 0, Harness.cdb(0x55, 0x10, 0, 0, 0, 0, 0, 0, list.length, 0), list);
        assertEquals(ScsiStatus.GOOD, ok.status());
        list[14] = 0x10;                                    // block length 4096: not changeable
        Reply bad = h.run(A, 0, Harness.cdb(0x55, 0x10, 0, 0, 0, 0, 0, 0, list.length, 0), list);
        assertCheck(bad, SenseReason.INVALID_FIELD_IN_PARAMETER_LIST);
    }
}
