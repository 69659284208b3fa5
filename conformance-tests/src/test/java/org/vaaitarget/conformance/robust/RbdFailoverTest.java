package org.vaaitarget.conformance.robust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vaaitarget.conformance.support.CephCluster;
import org.vaaitarget.conformance.support.TestTarget;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.core.store.rbd.RbdLocation;
import org.vaaitarget.server.app.ServerConfig;
import org.vaaitarget.server.pdu.Opcode;
import org.vaaitarget.server.pdu.Pdu;

/**
 * Issue 18, phase 4: failover without stale writes. Gateway A (its own JVM) owns an RBD image and has writes of
 * stale data in flight when it is frozen with SIGSTOP (some inside it, more in its socket); the host writes newer
 * data through gateway B, which takes the image over; A resumes. With exclusive ownership B fenced A first, so A's
 * stale writes are refused (NOT READY, TARGET PORT IN UNAVAILABLE STATE: the host retries on another path) and
 * the newer data stays. A, fenced, ends its connection (the stale writes still in it die with it), reconnects with
 * a new RADOS client and serves again: a new session through A reads the newer data and can write (taking the image
 * back), and none of A's stale writes ever lands. The same scenario on a shared image shows the hazard (the stale
 * data lands), which is what makes the first case a real test. Finally A is killed: B reports it UNAVAILABLE once
 * the OSDs have dropped its watch.
 */
class RbdFailoverTest {
    private static final int LBA = 100;
    private static final int IN_FLIGHT = 32;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 240, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aFrozenOwnerIsFencedAndItsStaleWritesNeverLand() throws Exception {
        Outcome o = scenario(true);
        assertArrayEquals(block(0x33), o.finalBlock(), "the newer data written through B stays");
        assertTrue(o.refused() + o.unanswered() > 0, "A's writes after the take-over are refused or die with the"
                + " connection: " + o);
        assertEquals(0, o.other(), "every answer A sent is GOOD (before the freeze) or NOT READY / TARGET PORT IN"
                + " UNAVAILABLE STATE, nothing else: " + o);
        assertEquals(IN_FLIGHT * 2, o.good() + o.refused() + o.unanswered(), o.toString());
    }

    @Test
    @Timeout(value = 240, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void withoutFencingTheStaleWritesLandOverTheNewerData() throws Exception {
        Outcome o = scenario(false);
        assertArrayEquals(block(0x22), o.finalBlock(), "a shared image has no fencing: " + o);
    }

    private record Outcome(int good, int refused, int other, int unanswered, byte[] finalBlock) {
        @Override
        public String toString() {
            return "good=" + good + " refused=" + refused + " other=" + other + " unanswered=" + unanswered;
        }
    }

    private Outcome scenario(boolean exclusive) throws Exception {
        LunConfig lun = CephCluster.newLun(exclusive ? "fence" : "nofence", 64L << 20);
        RbdLocation image = ((RbdLocation) lun.backend()).withExclusive(exclusive);
        Path yaml = dir.resolve((exclusive ? "fence" : "nofence") + "-a.yaml");
        Files.writeString(yaml, "portals: [\"127.0.0.1:0\"]\ngateway: {id: 1}\ntargets:\n  - iqn: " + TestTarget.IQN
                + "\n    luns:\n      - rbd: {pool: rbd, image: " + image.image() + ", conf: " + image.conf()
                + ", ownership: " + (exclusive ? "exclusive" : "shared") + "}\n        size: 64M\n");
        CrashSafetyTest.ServerProcess a = CrashSafetyTest.ServerProcess.start(List.of("--config", yaml.toString()),
                dir.resolve((exclusive ? "fence" : "nofence") + "-a.log"));
        LunConfig onB = new LunConfig(null, lun.sizeBytes(), 512, lun.writeCache(), lun.productId(), 0, false,
                image.onGateway(2));
        boolean stopped = false;
        try (TestTarget b = TestTarget.serve(CephCluster.server(List.of(onB)).withGateway(2));
             IscsiClient viaA = IscsiClient.loggedIn(a.address(), TestTarget.IQN, 1);
             IscsiClient viaB = IscsiClient.loggedIn(new InetSocketAddress(b.host(), b.port()), TestTarget.IQN, 2)) {
            assertEquals(0, viaA.write(LBA, block(0x11), false).status(), "A owns the image after its first write");
            List<Integer> itts = new ArrayList<>();
            for (int i = 0; i < IN_FLIGHT; i++) {
                itts.add(viaA.sendCommand(IscsiClient.write16(LBA, 1, false), 512, false, block(0x22)));
            }
            a.signal("STOP");
            stopped = true;
            for (int i = 0; i < IN_FLIGHT; i++) {  // these wait in A's socket: certainly in flight
                itts.add(viaA.sendCommand(IscsiClient.write16(LBA, 1, false), 512, false, block(0x22)));
            }
            assertEquals(0, viaB.write(LBA, block(0x33), false).status(), "the host fails over to B and writes newer data");
            assertArrayEquals(block(0x33), viaB.read(LBA, 1).dataIn());
            a.signal("CONT");
            stopped = false;
            Map<Integer, IscsiClient.Result> results = collect(viaA, itts, exclusive);
            int good = 0;
            int refused = 0;
            int other = 0;
            for (IscsiClient.Result r : results.values()) {
                if (r.status() == 0) {
                    good++;
                } else if (r.status() == 2 && r.senseKey() == 0x02 && asc(r) == 0x040C) {
                    refused++;
                } else {
                    other++;
                }
            }
            Thread.sleep(1000); // anything A still had queued has had time to land
            byte[] last = viaB.read(LBA, 1).dataIn();
            Outcome o = new Outcome(good, refused, other, itts.size() - results.size(), last);
            if (exclusive) {
                afterTheFence(a, b, o);
            }
            System.out.println("RbdFailoverTest " + (exclusive ? "exclusive" : "shared") + ": A's writes " + o
                    + ", block now 0x" + Integer.toHexString(last[0] & 0xFF));
            return o;
        } finally {
            if (stopped) {
                a.signal("CONT");
            }
            a.kill();
        }
    }

    /**
     * A, fenced, ended its connection and reconnected: a new session through A reads the newer data written through B,
     * and a write through A succeeds (A takes the image back, fencing B, which reconnects in turn); none of A's stale
     * writes lands, ever. Then A is killed, and B reports it UNAVAILABLE (after the OSDs' watch timeout).
     */
    private void afterTheFence(CrashSafetyTest.ServerProcess a, TestTarget b, Outcome o) throws Exception {
        assertArrayEquals(block(0x33), o.finalBlock(), o.toString());
        byte[] newest = null;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (newest == null && System.nanoTime() < deadline) { // A serves again once it has reconnected
            try (IscsiClient fresh = IscsiClient.loggedIn(a.address(), TestTarget.IQN, 3)) {
                IscsiClient.Result r = fresh.read(LBA, 1);
                if (r.status() == 0) {
                    newest = r.dataIn();
                }
            } catch (IOException e) {
                // still ending its connections or reconnecting
            }
            if (newest == null) {
                Thread.sleep(200);
            }
        }
        assertArrayEquals(block(0x33), newest, "a new session through the reconnected A reads the newer data");
        try (IscsiClient fresh = IscsiClient.loggedIn(a.address(), TestTarget.IQN, 4)) {
            assertEquals(0, fresh.write(LBA + 1, block(0x44), false).status(), "A writes again: it took the image back");
            assertArrayEquals(block(0x44), fresh.read(LBA + 1, 1).dataIn());
            Thread.sleep(1000);
            assertArrayEquals(block(0x33), fresh.read(LBA, 1).dataIn(), "none of A's stale writes landed after the"
                    + " reconnect: " + o);
        }
        byte[] groups = RbdTwoGatewaysTest.awaitGroups(b, 5, g -> (g[4] & 0x0F) == 0x00);
        assertEquals(0x01, groups[16] & 0x0F, "B, fenced by A's take-back and reconnected, is active/non-optimized");
        a.kill();
        long killed = System.nanoTime();
        groups = RbdTwoGatewaysTest.awaitGroups(b, 6, g -> (g[4] & 0x0F) == 0x03);
        System.out.println("RbdFailoverTest: A killed, UNAVAILABLE through B after "
                + (System.nanoTime() - killed) / 1_000_000 + " ms");
        assertEquals(0x00, groups[16] & 0x0F, "A killed: UNAVAILABLE, B (the only live gateway) active/optimized");
    }

    /**
     * The responses to {@code itts}, in whatever order they come; with {@code mayClose}, those that came before A
     * closed the connection (a fenced gateway ends its connections: what was still in them dies with them).
     */
    private static Map<Integer, IscsiClient.Result> collect(IscsiClient c, List<Integer> itts, boolean mayClose)
            throws IOException {
        Map<Integer, IscsiClient.Result> out = new HashMap<>();
        while (out.size() < itts.size()) {
            Pdu r = c.receiveSkippingPings();
            if (r == null && mayClose) {
                return out;
            }
            if (r == null) {
                throw new IOException("A closed the connection after " + out.size() + " of " + itts.size() + " answers");
            }
            try {
                if (r.opcode() == Opcode.SCSI_RESPONSE && itts.contains(r.itt())) {
                    byte[] sense = new byte[0];
                    if (r.data().readableBytes() >= 2) {
                        int len = r.data().getUnsignedShort(r.data().readerIndex());
                        sense = new byte[Math.min(len, r.data().readableBytes() - 2)];
                        r.data().getBytes(r.data().readerIndex() + 2, sense);
                    }
                    out.put(r.itt(), new IscsiClient.Result(r.u8(3), sense, new byte[0]));
                }
            } finally {
                r.release();
            }
        }
        return out;
    }

    private static int asc(IscsiClient.Result r) {
        byte[] s = r.sense();
        boolean descriptor = s.length > 0 && (s[0] & 0x7F) >= 0x72;
        int at = descriptor ? 2 : 12;
        return s.length < at + 2 ? -1 : ((s[at] & 0xFF) << 8) | (s[at + 1] & 0xFF);
    }

    private static byte[] block(int fill) {
        byte[] b = new byte[512];
        Arrays.fill(b, (byte) fill);
        return b;
    }
}
