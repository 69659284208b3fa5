package org.vaaitarget.core.sbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vaaitarget.core.testkit.Harness.A;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vaaitarget.core.assembly.StandardHandlers;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.lu.LunLimits;
import org.vaaitarget.core.testkit.Harness;
import org.vaaitarget.core.testkit.Reply;

/**
 * With the standard handler set (WRITE SAME, UNMAP, GET LBA STATUS served), READ CAPACITY(16), VPD B0h and
 * VPD B2h advertise exactly what the handlers do: the combinations libiscsi's Unmap.VPD, WriteSame*.UnmapVPD
 * and Inquiry.BlockLimits check.
 */
class ProvisioningAdvertisementTest {

    @Test
    void thinUnmappingStoreAdvertisesUnmapWriteSameUnmapAndZeroReads() {
        LogicalUnit lu = Harness.lu(0, Harness.THIN_WRITE_BACK);
        Harness h = Harness.of(List.of(lu), StandardHandlers.all());
        h.run(A, 0, 0x00, 0, 0, 0, 0, 0);                      // TEST UNIT READY takes the power-on UA
        Reply rc16 = h.run(A, 0, 0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0);
        assertEquals(0xC0, rc16.u8(14) & 0xC0, "LBPME and LBPRZ");
        Reply lbp = h.run(A, 0, 0x12, 0x01, 0xB2, 0, 255, 0);
        assertEquals(0x80 | 0x40 | 0x20 | 0x04, lbp.u8(5) & 0xFF, "LBPU, LBPWS, LBPWS10, LBPRZ; ANC_SUP and DP clear");
        assertEquals(0x02, lbp.u8(6) & 0x07, "thin provisioned");
        Reply bl = h.run(A, 0, 0x12, 0x01, 0xB0, 0, 255, 0);
        LunLimits l = lu.limits();
        assertEquals(0, bl.u8(4) & 0x01, "WSNZ=0: WRITE SAME with 0 blocks runs to the end of the medium");
        assertEquals(l.maxUnmapLbaCount(), bl.u32(20));
        assertTrue(bl.u32(20) <= 1024 * 1024, "libiscsi Inquiry.BlockLimits: at most 1M blocks");
        assertTrue(bl.u32(20) >= 1L << (rc16.u8(13) & 0x0F), "at least one physical block");
        assertEquals(l.maxUnmapDescriptors(), bl.u32(24));
        assertEquals(8, bl.u32(28), "OPTIMAL UNMAP GRANULARITY: one 4 KiB physical block of 512-byte blocks");
        assertEquals(0x8000_0000L, bl.u32(32), "UGAVALID, alignment 0");
        assertEquals(l.maxWriteSameBlocks(), bl.u64(36));
        assertTrue(bl.u64(36) < 65536, "below 65536 blocks (libiscsi 1.19 WriteSame16.Unmap)");
    }

    @Test
    void thickStoreAdvertisesNoProvisioningManagement() {
        LogicalUnit lu = Harness.lu(0, Harness.THICK_WRITE_THROUGH);
        Harness h = Harness.of(List.of(lu), StandardHandlers.all());
        h.run(A, 0, 0x00, 0, 0, 0, 0, 0);                      // TEST UNIT READY takes the power-on UA
        Reply rc16 = h.run(A, 0, 0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0);
        assertEquals(0, rc16.u8(14) & 0xC0);
        Reply lbp = h.run(A, 0, 0x12, 0x01, 0xB2, 0, 255, 0);
        assertEquals(0, lbp.u8(5) & 0xE0, "no LBPU / LBPWS / LBPWS10");
        assertEquals(0, lbp.u8(6) & 0x07);
        Reply bl = h.run(A, 0, 0x12, 0x01, 0xB0, 0, 255, 0);
        assertEquals(0, bl.u32(20), "no UNMAP limits");
        assertEquals(0, bl.u32(24));
        Harness.assertCheck(h.run(A, 0, 0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0),
                org.vaaitarget.core.scsi.sense.SenseReason.INVALID_COMMAND_OPERATION_CODE);
    }
}
