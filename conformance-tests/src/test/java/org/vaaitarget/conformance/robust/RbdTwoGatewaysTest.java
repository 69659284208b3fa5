package org.vaaitarget.conformance.robust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    private static final byte[] RTPG = {(byte) 0xA3, 0x0A, 0, 0, 0, 0, 0, 0, 0x04, 0, 0, 0};
    private static final byte[] VPD83 = {0x12, 0x01, (byte) 0x83, 0x01, 0x00, 0x00};
    private static final byte[] INQUIRY = {0x12, 0, 0, 0, 96, 0};

    private static org.vaaitarget.core.config.LunConfig exclusiveLun(String test) {
        org.vaaitarget.core.config.LunConfig lun = CephCluster.newLun(test, 64L << 20);
        org.vaaitarget.core.store.rbd.RbdLocation image = ((org.vaaitarget.core.store.rbd.RbdLocation) lun.backend())
                .withExclusive(true);
        return new org.vaaitarget.core.config.LunConfig(null, lun.sizeBytes(), 512, lun.writeCache(), lun.productId(), 0,
                false, image);
    }

    private static IscsiClient login(TestTarget t, int isid) throws Exception {
        return IscsiClient.loggedIn(new InetSocketAddress(t.host(), t.port()), t.iqn(), isid);
    }

    /** The state (low nibble) of the {@code n}th (0-based) group of a REPORT TARGET PORT GROUPS answer. */
    private static int state(byte[] groups, int n) {
        return groups[4 + 12 * n] & 0x0F;
    }

    /**
     * REPORT TARGET PORT GROUPS through a new session on {@code gateway}, asked again (every 200 ms, at most 90 s: a
     * killed gateway's watch lapses after the OSDs' 30 s) until {@code until} holds; that answer.
     */
    static byte[] awaitGroups(TestTarget gateway, int isid, java.util.function.Predicate<byte[]> until) throws Exception {
        long deadline = System.nanoTime() + 90_000_000_000L;
        byte[] last = null;
        Exception failure = null;
        while (System.nanoTime() < deadline) {
            try (IscsiClient c = login(gateway, isid)) {
                IscsiClient.Result r = c.command(RTPG, 1024, true, null);
                if (r.status() == 0) {
                    last = r.dataIn();
                    if (until.test(last)) {
                        return last;
                    }
                }
            } catch (java.io.IOException e) {
                failure = e; // a gateway ending its connections (fenced) or not serving yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("REPORT TARGET PORT GROUPS never showed the expected states; last answer "
                + (last == null ? "none" : java.util.HexFormat.of().formatHex(last)), failure);
    }

    /**
     * Exclusive ownership: the preferred (lowest) gateway is active/optimized until someone owns the image; a write
     * through gateway 2 makes it the owner and its group the active/optimized one, the other active/non-optimized.
     * Gateway 1, fenced by the take-over, ends its connections (its writes never succeed any more), reconnects with a
     * new client and serves again as active/non-optimized; a write through it takes the image back.
     */
    @Test
    void withExclusiveOwnershipTheOwnersGroupIsTheOptimizedOne() throws Exception {
        List<TestTarget> owned = CephCluster.gateways(exclusiveLun("owned"), 2);
        try (IscsiClient one = login(owned.get(0), 5); IscsiClient two = login(owned.get(1), 6)) {
            byte[] before = data(two, RTPG, 1024);
            assertEquals(0x00, state(before, 0), "no owner yet: gateway 1 (the lowest) active/optimized");
            assertEquals(0x01, state(before, 1), "gateway 2 active/non-optimized");
            assertArrayEquals(before, data(one, RTPG, 1024));
            assertEquals(0, one.write(8, new byte[512], false).status(), "gateway 1 owns the image after a write");
            assertArrayEquals(before, data(two, RTPG, 1024), "the owner, gateway 1, is the optimized one");
            assertEquals(0, two.write(8, new byte[512], false).status(), "a write through 2 takes the image over");
            byte[] after = data(two, RTPG, 1024);
            assertEquals(0x00, state(after, 1), "gateway 2, the owner, active/optimized");
            try {
                IscsiClient.Result fenced = one.write(8, new byte[512], false);
                assertEquals(2, fenced.status(), "gateway 1 was fenced by the take-over");
                assertEquals(0x02, fenced.senseKey(), "NOT READY (TARGET PORT IN UNAVAILABLE STATE): the host retries elsewhere");
            } catch (java.io.IOException e) {
                // or gateway 1 had already ended the connection: the write died with it
            }
            byte[] back = awaitGroups(owned.get(0), 15, g -> state(g, 0) == 0x01);
            one.readTimeout(2000); // closed before the reconnect, so its end is already there to read
            assertTrue(one.closedByTarget(), "the fenced gateway ended its connections before it reconnected");
            assertEquals(0x00, state(back, 1), "gateway 2 still owns the image");
            assertArrayEquals(back, data(two, RTPG, 1024), "the same answer through both");
            try (IscsiClient again = login(owned.get(0), 16)) {
                assertEquals(0, again.write(8, new byte[512], false).status(), "the reconnected gateway takes the image back");
                byte[] retaken = data(again, RTPG, 1024);
                assertEquals(0x00, state(retaken, 0));
                assertTrue(state(retaken, 1) == 0x01 || state(retaken, 1) == 0x03, "gateway 2, fenced by the take-back,"
                        + " is unavailable until it has reconnected, then active/non-optimized");
            }
            byte[] settled = awaitGroups(owned.get(0), 17, g -> state(g, 1) == 0x01);
            assertEquals(0x00, state(settled, 0));
            assertArrayEquals(settled, awaitGroups(owned.get(1), 18, g -> state(g, 1) == 0x01), "the same answer through both");
        } finally {
            owned.forEach(TestTarget::close);
        }
    }

    /**
     * Liveness: a gateway that stopped is reported UNAVAILABLE by the others (the lowest live gateway becomes the
     * optimized one), and is back, with the same device identity, when it serves again.
     */
    @Test
    void aStoppedGatewayIsUnavailableUntilItIsBack() throws Exception {
        org.vaaitarget.core.config.LunConfig lun = exclusiveLun("alive");
        List<TestTarget> gws = new java.util.ArrayList<>(CephCluster.gateways(lun, 2));
        try {
            byte[] before;
            byte[] page;
            byte[] inquiry;
            try (IscsiClient one = login(gws.get(0), 1); IscsiClient two = login(gws.get(1), 2)) {
                before = data(two, RTPG, 1024);
                assertArrayEquals(before, data(one, RTPG, 1024));
                assertEquals(0x00, state(before, 0));
                assertEquals(0x01, state(before, 1));
                page = data(two, VPD83, 256);
                assertArrayEquals(designators(page, 0), designators(data(one, VPD83, 256), 0));
                inquiry = data(two, INQUIRY, 96);
                assertArrayEquals(inquiry, data(one, INQUIRY, 96), "standard INQUIRY data");
            }
            gws.get(0).close();
            byte[] stopped = awaitGroups(gws.get(1), 3, g -> state(g, 0) == 0x03);
            assertEquals(0x00, state(stopped, 1), "gateway 2, the only live one, active/optimized");
            assertEquals(2 * 12, ((stopped[2] & 0xFF) << 8) | (stopped[3] & 0xFF), "gateway 1 is still listed");
            gws.set(0, CephCluster.gateway(lun, 1));
            byte[] back = awaitGroups(gws.get(1), 4, g -> state(g, 0) == 0x00);
            assertArrayEquals(before, back, "gateway 1 is back as it was");
            try (IscsiClient one = login(gws.get(0), 5); IscsiClient two = login(gws.get(1), 6)) {
                assertArrayEquals(back, data(one, RTPG, 1024), "the same answer through both");
                assertArrayEquals(designators(page, 0), designators(data(one, VPD83, 256), 0), "the same device");
                assertEquals(1, targetPortGroup(data(one, VPD83, 256)));
                assertArrayEquals(page, data(two, VPD83, 256));
                assertArrayEquals(inquiry, data(one, INQUIRY, 96));
            }
        } finally {
            gws.forEach(TestTarget::close);
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
