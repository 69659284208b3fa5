package org.vaaitarget.conformance.robust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.vaaitarget.conformance.support.CephCluster;
import org.vaaitarget.conformance.support.TestTarget;

/**
 * Two gateways (two servers, gateway ids 1 and 2) in front of one RBD image: one device (the same logical-unit
 * designators and serial), each gateway its own target port group, the same REPORT TARGET PORT GROUPS answer
 * through both, data written through one read through the other, and COMPARE AND WRITE atomic across them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RbdTwoGatewaysTest {
    private List<TestTarget> gateways;

    @BeforeAll
    void start() throws Exception {
        gateways = CephCluster.gateways(CephCluster.newLun("twogw", 64L << 20), 2);
    }

    @AfterAll
    void stop() {
        if (gateways != null) {
            gateways.forEach(TestTarget::close);
        }
    }

    private IscsiClient login(int gateway, int isid) throws Exception {
        TestTarget t = gateways.get(gateway - 1);
        return IscsiClient.loggedIn(new InetSocketAddress(t.host(), t.port()), t.iqn(), isid);
    }

    private static byte[] data(IscsiClient c, byte[] cdb, int length) throws Exception {
        IscsiClient.Result r = c.command(cdb, length, true, null);
        assertEquals(0, r.status(), "status of " + Integer.toHexString(cdb[0] & 0xFF));
        return r.dataIn();
    }

    /** The designators of one association (0 LU, 1 port) of a VPD 83h page, back to back. */
    private static byte[] designators(byte[] page, int association) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int off = 4; off + 4 <= page.length; off += 4 + (page[off + 3] & 0xFF)) {
            if (((page[off + 1] >>> 4) & 0x03) == association) {
                out.write(page, off, 4 + (page[off + 3] & 0xFF));
            }
        }
        return out.toByteArray();
    }

    private static int targetPortGroup(byte[] page) {
        for (int off = 4; off + 4 <= page.length; off += 4 + (page[off + 3] & 0xFF)) {
            if ((page[off + 1] & 0x3F) == 0x15) {
                return ((page[off + 6] & 0xFF) << 8) | (page[off + 7] & 0xFF);
            }
        }
        return -1;
    }

    @Test
    void bothGatewaysReportOneDeviceWithTheirOwnPortGroupsAndTheSameGroupList() throws Exception {
        byte[] vpd83 = {0x12, 0x01, (byte) 0x83, 0x01, 0x00, 0x00};
        byte[] rtpg = {(byte) 0xA3, 0x0A, 0, 0, 0, 0, 0, 0, 0x04, 0, 0, 0};
        byte[] inquiry = {0x12, 0, 0, 0, 96, 0};
        try (IscsiClient a = login(1, 1); IscsiClient b = login(2, 2)) {
            byte[] pageA = data(a, vpd83, 256);
            byte[] pageB = data(b, vpd83, 256);
            assertArrayEquals(designators(pageA, 0), designators(pageB, 0), "the logical-unit designators (NAA, T10)");
            assertNotEquals(0, designators(pageA, 0).length);
            assertArrayEquals(data(a, new byte[] {0x12, 1, (byte) 0x80, 0, (byte) 255, 0}, 255),
                    data(b, new byte[] {0x12, 1, (byte) 0x80, 0, (byte) 255, 0}, 255), "unit serial number");
            assertEquals(1, targetPortGroup(pageA));
            assertEquals(2, targetPortGroup(pageB));
            assertEquals(0x10, data(a, inquiry, 96)[5] & 0x30, "TPGS=01b");
            byte[] groupsA = data(a, rtpg, 1024);
            assertArrayEquals(groupsA, data(b, rtpg, 1024), "REPORT TARGET PORT GROUPS is the same through both");
            assertEquals(2 * 12, ((groupsA[2] & 0xFF) << 8) | (groupsA[3] & 0xFF), "two groups of one port each");
            assertEquals(1, groupsA[4 + 3]);
            assertEquals(2, groupsA[4 + 12 + 3]);
        }
    }

    /**
     * Reservations are one state for the image: RESERVE(6) racing through both gateways, many times, has exactly
     * one winner each time, and the loser gets RESERVATION CONFLICT until the winner releases.
     */
    @Test
    void reserveRacingThroughBothGatewaysHasExactlyOneWinner() throws Exception {
        byte[] reserve = {0x16, 0, 0, 0, 0, 0};
        byte[] release = {0x17, 0, 0, 0, 0, 0};
        try (IscsiClient a = login(1, 7); IscsiClient b = login(2, 8)) {
            for (int round = 0; round < 20; round++) {
                int ia = a.sendCommand(reserve, 0, false, null);
                int ib = b.sendCommand(reserve, 0, false, null);
                int sa = a.awaitResult(ia).status();
                int sb = b.awaitResult(ib).status();
                assertEquals(1, (sa == 0 ? 1 : 0) + (sb == 0 ? 1 : 0), "round " + round + ": statuses " + sa + ", " + sb);
                assertEquals(0x18, sa == 0 ? sb : sa, "the loser gets RESERVATION CONFLICT");
                IscsiClient winner = sa == 0 ? a : b;
                IscsiClient loser = sa == 0 ? b : a;
                assertEquals(0x18, loser.command(new byte[] {0x00, 0, 0, 0, 0, 0}, 0, false, null).status(),
                        "TEST UNIT READY through the other gateway conflicts while reserved");
                assertEquals(0, winner.command(release, 0, false, null).status());
            }
        }
    }

    /**
     * Exclusive ownership: the preferred (lowest) gateway is active/optimized until someone owns the image; a write
     * through gateway 2 makes it the owner and its group the active/optimized one, the other active/non-optimized.
     */
    @Test
    void withExclusiveOwnershipTheOwnersGroupIsTheOptimizedOne() throws Exception {
        org.vaaitarget.core.config.LunConfig lun = CephCluster.newLun("owned", 64L << 20);
        org.vaaitarget.core.store.rbd.RbdLocation image = ((org.vaaitarget.core.store.rbd.RbdLocation) lun.backend())
                .withExclusive(true);
        lun = new org.vaaitarget.core.config.LunConfig(null, lun.sizeBytes(), 512, lun.writeCache(), lun.productId(), 0,
                false, image);
        List<TestTarget> owned = CephCluster.gateways(lun, 2);
        byte[] rtpg = {(byte) 0xA3, 0x0A, 0, 0, 0, 0, 0, 0, 0x04, 0, 0, 0};
        try (IscsiClient one = IscsiClient.loggedIn(new InetSocketAddress(owned.get(0).host(), owned.get(0).port()),
                owned.get(0).iqn(), 5);
             IscsiClient two = IscsiClient.loggedIn(new InetSocketAddress(owned.get(1).host(), owned.get(1).port()),
                     owned.get(1).iqn(), 6)) {
            byte[] before = data(two, rtpg, 1024);
            assertEquals(0x00, before[4] & 0x0F, "no owner yet: gateway 1 (the lowest) active/optimized");
            assertEquals(0x01, before[16] & 0x0F, "gateway 2 active/non-optimized");
            assertArrayEquals(before, data(one, rtpg, 1024));
            assertEquals(0, one.write(8, new byte[512], false).status(), "gateway 1 owns the image after a write");
            assertArrayEquals(before, data(two, rtpg, 1024), "the owner, gateway 1, is the optimized one");
            assertEquals(0, two.write(8, new byte[512], false).status(), "a write through 2 takes the image over");
            byte[] after = data(two, rtpg, 1024);
            assertEquals(0x01, after[4] & 0x0F, "gateway 1 active/non-optimized");
            assertEquals(0x00, after[16] & 0x0F, "gateway 2, the owner, active/optimized");
            IscsiClient.Result fenced = one.write(8, new byte[512], false);
            assertEquals(2, fenced.status(), "gateway 1 was fenced by the take-over");
            assertEquals(0x02, fenced.senseKey(), "NOT READY (TARGET PORT IN UNAVAILABLE STATE): the host retries elsewhere");
            byte[] fromFenced = data(one, rtpg, 1024);
            assertEquals(0x03, fromFenced[4] & 0x0F, "the fenced gateway reports its own group unavailable");
        } finally {
            owned.forEach(TestTarget::close);
        }
    }

    @Test
    void writesThroughOneGatewayAreReadThroughTheOtherAndCompareAndWriteIsAtomicAcrossThem() throws Exception {
        byte[] block = new byte[512];
        Arrays.fill(block, (byte) 0x11);
        byte[] one = block.clone();
        Arrays.fill(one, (byte) 0x22);
        byte[] two = block.clone();
        Arrays.fill(two, (byte) 0x33);
        try (IscsiClient a = login(1, 3); IscsiClient b = login(2, 4)) {
            assertEquals(0, a.write(100, block, false).status());
            assertArrayEquals(block, b.read(100, 1).dataIn());
            assertEquals(0, b.compareAndWrite(100, block, one, false).status(), "B's ATS sees A's write");
            IscsiClient.Result lost = a.compareAndWrite(100, block, two, false);
            assertEquals(2, lost.status(), "A's ATS with the old value miscompares: CHECK CONDITION");
            assertEquals(0x0E, lost.senseKey(), "MISCOMPARE");
            assertArrayEquals(one, a.read(100, 1).dataIn());
        }
    }
}
