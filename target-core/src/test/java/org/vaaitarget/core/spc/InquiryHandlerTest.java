package org.vaaitarget.core.spc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.vaaitarget.core.testkit.Harness.A;
import static org.vaaitarget.core.testkit.Harness.B;
import static org.vaaitarget.core.testkit.Harness.assertCheck;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vaaitarget.core.dispatch.CommandHandler;
import org.vaaitarget.core.dispatch.CommandSpec;
import org.vaaitarget.core.dispatch.CommandSpec.Scsi2;
import org.vaaitarget.core.dispatch.CommandSpec.PrClass;
import org.vaaitarget.core.dispatch.CommandSpec.Medium;
import org.vaaitarget.core.dispatch.DataAccess;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.store.StoreCapabilities;
import org.vaaitarget.core.testkit.Harness;
import org.vaaitarget.core.testkit.Reply;

/** INQUIRY standard data and VPD pages (SPC-5 6.7, 7.7; SBC-4 6.6). */
class InquiryHandlerTest {
    private final LogicalUnit lu = Harness.lu(0, Harness.THIN_WRITE_BACK);
    private final Harness h = Harness.of(List.of(lu), SpcHandlers.all());

    private Reply vpd(int page, int alloc) {
        return h.run(A, 0, 0x12, 0x01, page, alloc >>> 8, alloc & 0xFF, 0);
    }

    @Test
    void standardData() {
        Reply r = h.run(A, 0, 0x12, 0, 0, 0, 255, 0);
        assertEquals(ScsiStatus.GOOD, r.status());
        assertEquals(96, r.data().length);
        assertEquals(0x00, r.u8(0), "qualifier 0, direct access block device");
        assertEquals(0x00, r.u8(1) & 0x80, "RMB=0");
        assertEquals(0x06, r.u8(2), "VERSION SPC-4");
        assertEquals(0x12, r.u8(3), "HISUP=1, RESPONSE DATA FORMAT=2");
        assertEquals(r.data().length - 5, r.u8(4), "ADDITIONAL LENGTH");
        assertEquals(0x00, r.u8(5), "3PC=0 and TPGS=0 until they exist");
        assertEquals(0x02, r.u8(7) & 0x02, "CMDQUE=1");
        assertEquals("VAAITGT FILEDISK        0001", new String(r.data(), 8, 28, java.nio.charset.StandardCharsets.US_ASCII));
        List<Integer> descriptors = new ArrayList<>();
        for (int i = 58; i < 74; i += 2) {
            descriptors.add(r.u16(i));
        }
        assertEquals(List.of(0x00A0, 0x0960, 0x0460, 0x04C0, 0, 0, 0, 0), descriptors);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 5, 36, 95, 96, 255, 256, 1000})
    void allocationLengthTruncates(int alloc) {
        Reply r = h.run(A, 0, 0x12, 0, 0, alloc >>> 8, alloc & 0xFF, 0);
        assertEquals(ScsiStatus.GOOD, r.status());
        assertEquals(Math.min(96, alloc), r.data().length);
        if (alloc >= 5) {
            assertEquals(91, r.u8(4), "ADDITIONAL LENGTH is not truncated");
        }
    }

    @Test
    void evpdZeroWithPageCodeIsInvalid() {
        assertCheck(h.run(A, 0, 0x12, 0, 0x80, 0, 255, 0), SenseReason.INVALID_FIELD_IN_CDB);
    }

    @Test
    void unsupportedPageIsInvalid() {
        assertCheck(vpd(0x8F, 255), SenseReason.INVALID_FIELD_IN_CDB);
        assertCheck(vpd(0xC0, 255), SenseReason.INVALID_FIELD_IN_CDB);
    }

    @Test
    void vpdOfAnUnknownLunIsNotSupported() {
        assertCheck(h.run(A, 3, 0x12, 1, 0x00, 0, 255, 0), SenseReason.LOGICAL_UNIT_NOT_SUPPORTED);
    }

    @Test
    void supportedPagesListsExactlyThePagesServedAndEachHasAConsistentLength() {
        Reply r = vpd(0x00, 255);
        int n = r.u16(2);
        byte[] pages = Arrays.copyOfRange(r.data(), 4, 4 + n);
        assertArrayEquals(Harness.cdb(0x00, 0x80, 0x83, 0x86, 0xB0, 0xB1, 0xB2), pages);
        for (byte p : pages) {
            Reply page = vpd(p & 0xFF, 1024);
            assertEquals(ScsiStatus.GOOD, page.status());
            assertEquals(p & 0xFF, page.u8(1), "PAGE CODE");
            assertEquals(page.data().length - 4, page.u16(2), "PAGE LENGTH of page " + (p & 0xFF));
            Reply cut = vpd(p & 0xFF, 3);
            assertEquals(3, cut.data().length, "allocation length truncates page " + (p & 0xFF));
        }
    }

    @Test
    void unitSerialNumber() {
        Reply r = vpd(0x80, 255);
        assertEquals("SER0", new String(r.data(), 4, r.u16(2), java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Test
    void deviceIdentificationHasTheNaaFirstAndTheSameLuDesignatorsOnEveryPath() {
        h.clearUa(A, 0);
        Reply a = vpd(0x83, 1024);
        Reply b = h.run(B, 0, 0x12, 0x01, 0x83, 4, 0, 0);
        assertEquals(0x01, a.u8(4), "code set binary");
        assertEquals(0x03, a.u8(5), "association LU, type NAA");
        assertEquals(16, a.u8(7));
        assertArrayEquals(lu.identity().naa(), Arrays.copyOfRange(a.data(), 8, 24));
        // designators by association
        List<byte[]> luA = designators(a, 0);
        List<byte[]> luB = designators(b, 0);
        assertEquals(2, luA.size());
        for (int i = 0; i < luA.size(); i++) {
            assertArrayEquals(luA.get(i), luB.get(i), "LU designators identical on every path");
        }
        byte[] portA = designators(a, 1).get(0);
        byte[] portB = designators(b, 1).get(0);
        assertEquals(0x94, portA[1] & 0xFF, "PIV, target port, relative target port");
        assertEquals(1, ((portA[6] & 0xFF) << 8) | (portA[7] & 0xFF));
        assertEquals(2, ((portB[6] & 0xFF) << 8) | (portB[7] & 0xFF));
        byte[] name = designators(a, 2).get(0);
        assertEquals(0x08, name[1] & 0x0F, "SCSI name string");
        assertEquals(0, name[3] % 4, "length a multiple of 4");
        assertEquals(Harness.TARGET, new String(name, 4, Harness.TARGET.length(), java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(0, name[4 + Harness.TARGET.length()], "null terminated");
    }

    private static List<byte[]> designators(Reply r, int association) {
        List<byte[]> out = new ArrayList<>();
        int end = 4 + r.u16(2);
        for (int p = 4; p < end; p += 4 + r.u8(p + 3)) {
            if (((r.u8(p + 1) >>> 4) & 0x03) == association) {
                out.add(Arrays.copyOfRange(r.data(), p, p + 4 + r.u8(p + 3)));
            }
        }
        return out;
    }

    @Test
    void extendedInquiry() {
        Reply r = vpd(0x86, 255);
        assertEquals(0x3C, r.u16(2));
        assertEquals(0x01, r.u8(6) & 0x01, "V_SUP: the store has a volatile cache");
        assertEquals(0x01, r.u8(7) & 0x01, "LUICLR");
    }

    @Test
    void blockLimitsAdvertiseOnlyWhatIsServed() {
        Reply r = vpd(0xB0, 255);
        assertEquals(0x3C, r.u16(2), "SBC-3 page length");
        assertEquals(0, r.u8(5), "no COMPARE AND WRITE handler, no CAW length");
        assertEquals(lu.limits().maxTransferBlocks(), r.u32(8));
        assertEquals(lu.limits().optimalTransferBlocks(), r.u32(12));
        assertEquals(0, r.u32(20), "MAXIMUM UNMAP LBA COUNT without UNMAP");
        assertEquals(0, r.u32(24), "MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT without UNMAP");
        assertEquals(0, r.u64(36), "MAXIMUM WRITE SAME LENGTH without WRITE SAME");

        List<CommandHandler> more = new ArrayList<>(SpcHandlers.all());
        more.add(fake(0x89, 16));
        more.add(fake(0x42, 10));
        Harness withCaw = Harness.of(List.of(lu), more);
        Reply r2 = withCaw.run(A, 0, 0x12, 0x01, 0xB0, 0, 255, 0);
        assertEquals(lu.limits().maxCompareAndWriteBlocks(), r2.u8(5));
        assertEquals(lu.limits().maxUnmapDescriptors(), r2.u32(24));
        Reply lbp = withCaw.run(A, 0, 0x12, 0x01, 0xB2, 0, 255, 0);
        assertEquals(0x80, lbp.u8(5) & 0x80, "LBPU once UNMAP is served on an unmapping store");
    }

    private static CommandHandler fake(int opcode, int length) {
        String usage = String.format("%02X", opcode) + " 00".repeat(length - 1);
        CommandSpec spec = CommandSpec.command("FAKE", usage, DataAccess.WRITE, Medium.CHANGED, PrClass.WRITE, Scsi2.HELD);
        return Harness.goodHandler(spec);
    }

    @Test
    void blockDeviceCharacteristicsSayNonRotating() {
        assertEquals(0x0001, vpd(0xB1, 255).u16(4));
    }

    /**
     * libiscsi checks that READ CAPACITY(16) LBPME and LBPRZ agree with B2h. The SBC side derives LBPME
     * from unmapSupported and LBPRZ from unmapReadsZeros; B2h must say the same for every capability set.
     */
    @Test
    void logicalBlockProvisioningAgreesWithReadCapacity16ForEveryCapabilitySet() {
        for (int bits = 0; bits < 16; bits++) {
            StoreCapabilities caps = new StoreCapabilities((bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0,
                    (bits & 8) != 0);
            Harness one = Harness.of(List.of(Harness.lu(0, caps)), SpcHandlers.all());
            Reply r = one.run(A, 0, 0x12, 0x01, 0xB2, 0, 255, 0);
            boolean lbpme = caps.unmapSupported();              // what READ CAPACITY(16) reports
            boolean lbprz = caps.unmapReadsZeros();
            int type = r.u8(6) & 0x07;
            assertEquals(lbpme, type != 0, "PROVISIONING TYPE vs LBPME for " + caps);
            if (lbpme) {
                assertEquals(caps.thinProvisioned() ? 2 : 1, type);
            }
            assertEquals(lbprz, (r.u8(5) & 0x1C) == 0x04, "LBPRZ for " + caps);
            assertEquals(0, r.u8(5) & 0xE0, "LBPU/LBPWS/LBPWS10 stay 0 until UNMAP and WRITE SAME are served");
            assertNotEquals(0, r.data().length);
        }
    }
}
