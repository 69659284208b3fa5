package org.vaaitarget.conformance.robust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vaaitarget.conformance.support.TestTarget;
import org.vaaitarget.server.pdu.Opcode;
import org.vaaitarget.server.pdu.Pdu;
import org.vaaitarget.server.session.ResourceLimits;
import org.vaaitarget.server.session.TargetOffer;

/**
 * Many idle or slow clients at once: 200 TCP connections that never send a byte, 50 that stop halfway
 * through login (half of them inside a BHS, half after a non-final Login Request) and 10 sessions that
 * never answer a NOP-In. With short timeouts configured, a normal client is served throughout, and every
 * idle connection is eventually dropped by the server (login timeout, NOP-In timeout). Only eventual
 * outcomes are asserted, within generous bounds.
 */
class IdleClientsTest {
    private static final int IDLE = 200;
    private static final int HALF_LOGGED_IN = 50;
    private static final int SILENT_SESSIONS = 10;
    /** Generous: the server's timeouts are 2 s (login) and 1 + 1 s (NOP-In). */
    private static final int DROP_BOUND_MILLIS = 90_000;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void idleAndSlowClientsAreDroppedWhileANormalClientIsServed() throws Exception {
        ResourceLimits limits = ResourceLimits.defaults().withLoginTimeout(Duration.ofSeconds(2));
        TargetOffer d = TargetOffer.defaults();
        TargetOffer offer = new TargetOffer(d.maxRecvDataSegmentLength(), d.maxBurstLength(), d.firstBurstLength(),
                d.maxOutstandingR2T(), d.queueDepth(), 1, 1);
        List<Socket> sockets = new ArrayList<>();
        List<IscsiClient> silent = new ArrayList<>();
        try (TestTarget target = TestTarget.start(dir, 16L << 20, c -> c.withLimits(limits).withOffer(offer))) {
            InetSocketAddress address = new InetSocketAddress(target.host(), target.port());
            for (int i = 0; i < IDLE; i++) {
                sockets.add(connect(address));
            }
            for (int i = 0; i < HALF_LOGGED_IN; i++) {
                Socket s = connect(address);
                sockets.add(s);
                byte[] login = nonFinalLogin(target.iqn(), 5000 + i);
                // half stop inside the BHS (slowloris), half after a whole Login Request with T=0
                s.getOutputStream().write(i % 2 == 0 ? Arrays.copyOf(login, 20) : login);
                s.getOutputStream().flush();
            }
            for (int i = 0; i < SILENT_SESSIONS; i++) {
                silent.add(IscsiClient.loggedIn(address, target.iqn(), 6000 + i));
            }

            roundTrip(address, target.iqn(), 1);

            for (Socket s : sockets) {
                assertTrue(closedByServer(s), "an idle or half-logged-in connection was dropped");
            }
            for (IscsiClient c : silent) {
                assertTrue(c.closedByTarget(), "a session that ignores NOP-In was dropped");
            }
            roundTrip(address, target.iqn(), 2);
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
            silent.forEach(IscsiClient::close);
        }
    }

    private static Socket connect(InetSocketAddress address) throws IOException {
        Socket s = new Socket();
        s.connect(address, 10_000);
        s.setSoTimeout(DROP_BOUND_MILLIS);
        return s;
    }

    /** A Login Request in the security stage with T=0 (the initiator would continue; it never does). */
    private static byte[] nonFinalLogin(String iqn, int isid) {
        Pdu p = Pdu.create(Opcode.LOGIN_REQUEST).setImmediate(true).setFlags(0);
        p.setU16(8, 2).setU32(10, isid).setU32(24, 1);
        byte[] text = ("InitiatorName=" + IscsiClient.INITIATOR + "\0TargetName=" + iqn + "\0AuthMethod=None\0\0")
                .getBytes(StandardCharsets.US_ASCII);
        int padded = (text.length + 3) & ~3;
        p.setU24(5, text.length);
        byte[] all = Arrays.copyOf(p.bhsCopy(), 48 + padded);
        System.arraycopy(text, 0, all, 48, text.length);
        p.release();
        return all;
    }

    /** Reads until the server closes the connection; false if it stays open past the bound. */
    private static boolean closedByServer(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        byte[] buf = new byte[4096];
        try {
            while (in.read(buf) >= 0) {
                // a Login Response to the non-final request: keep reading until the close
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;                                    // reset by the server
        }
    }

    private static void roundTrip(InetSocketAddress address, String iqn, int seed) throws IOException {
        byte[] data = new byte[64 * 512];
        new Random(seed).nextBytes(data);
        byte[] next = new byte[8 * 512];
        new Random(seed + 100).nextBytes(next);
        try (IscsiClient c = IscsiClient.loggedIn(address, iqn, seed)) {
            assertEquals(0, c.write(256, data, true).status());
            assertArrayEquals(data, c.read(256, 64).dataIn());
            IscsiClient.Result caw = c.compareAndWrite(256, Arrays.copyOf(data, 8 * 512), next, false);
            assertEquals(0, caw.status());
            assertArrayEquals(next, c.read(256, 8).dataIn());
        }
    }
}
