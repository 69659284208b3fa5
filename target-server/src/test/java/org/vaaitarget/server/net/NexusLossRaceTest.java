package org.vaaitarget.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.core.config.LunConfig.WriteCacheMode;
import org.vaaitarget.core.dispatch.TargetDevice;
import org.vaaitarget.core.assembly.LogicalUnits;
import org.vaaitarget.server.codec.DigestPolicy;
import org.vaaitarget.server.pdu.Opcode;
import org.vaaitarget.server.pdu.Pdu;
import org.vaaitarget.server.login.ServerContext;
import org.vaaitarget.server.session.ServerTarget;
import org.vaaitarget.server.session.Session;
import org.vaaitarget.server.session.SessionRegistry;
import org.vaaitarget.server.session.TargetOffer;
import org.vaaitarget.core.assembly.StandardDevice;

/**
 * I_T nexus loss that the kernel knows of but the connection's event loop has not processed yet
 * (libiscsi PreventAllow.ITNexusLoss and Reserve6.ITNexusLoss under load): initiator A takes a
 * medium-removal prevention or a SCSI-2 reservation and closes its socket without a Logout; initiator B,
 * served by another event loop, then sends a command that only that state of A's would refuse. A's event
 * loop is held busy by the test, so A's FIN sits in the kernel (the socket in CLOSE_WAIT) while B's
 * command is decided. SPC-5 6.16 / SPC-2 5.5.1: the loss of A's nexus ended its prevention and
 * reservation, and the target had the FIN before B's command, so B must get GOOD.
 */
class NexusLossRaceTest {
    private static final String TARGET = "iqn.2026-12.org.vaaitarget:race";
    private static final String INITIATOR = "iqn.2026-12.org.vaaitarget:race-initiator";
    private static final int TCP_ESTABLISHED = 1;
    private static final byte[] PREVENT = {0x1E, 0, 0, 0, 0x01, 0};
    private static final byte[] EJECT = {0x1B, 0, 0, 0, 0x02, 0};        // LOEJ=1 START=0
    private static final byte[] RESERVE6 = {0x16, 0, 0, 0, 0, 0};
    private static final byte[] TEST_UNIT_READY = {0, 0, 0, 0, 0, 0};

    @TempDir
    Path dir;
    private TargetDevice device;
    private SessionRegistry sessions;
    private IscsiServer server;

    @BeforeEach
    void start() throws IOException {
        assumeTrue(Epoll.isAvailable(), "needs the epoll transport to see the kernel's TCP state");
        device = StandardDevice.of(TARGET, List.of(LogicalUnits.open(0, new LunConfig(dir.resolve("lun0.img"),
                1 << 20, 512, WriteCacheMode.WRITE_BACK, "RACE", 0, true))));
        sessions = new SessionRegistry();
        server = IscsiServer.start(new ServerContext(Map.of(TARGET, new ServerTarget(TARGET, null, 1, device)),
                List.of(new InetSocketAddress("127.0.0.1", 0)), TargetOffer.defaults(), sessions));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (device != null) {
            device.close();
        }
    }

    @Test
    void anEjectRightAfterThePreventingConnectionClosedIsGood() throws Exception {
        Result r = afterAbruptClose(PREVENT, EJECT);
        assertEquals(0, r.status, "START STOP UNIT eject: sense " + HexFormat.of().formatHex(r.sense));
    }

    @Test
    void aCommandRightAfterTheReservingConnectionClosedIsGood() throws Exception {
        Result r = afterAbruptClose(RESERVE6, TEST_UNIT_READY);
        assertEquals(0, r.status, "TEST UNIT READY: status 0x" + Integer.toHexString(r.status));
    }

    /**
     * A and B log in (on two event loops), A sends {@code holderCdb} (GOOD), A's event loop is held busy, A's
     * socket is closed, and once the server's kernel has A's FIN, B sends {@code otherCdb}. A's event loop
     * is released once B's answer has come or the target has queued work on A's loop (asking about A).
     */
    private Result afterAbruptClose(byte[] holderCdb, byte[] otherCdb) throws Exception {
        InetSocketAddress address = server.boundAddresses().get(0);
        try (Client a = Client.login(address, 1); Client b = Client.login(address, 2)) {
            assertEquals(0, b.command(TEST_UNIT_READY).status, "B's unit attention consumed");
            assertEquals(0, a.command(holderCdb).status);
            Session sessionA = session(1);
            EventLoop loopA = sessionA.channel().eventLoop();
            assumeTrue(loopA != session(2).channel().eventLoop(), "needs two event loops (two CPUs)");
            CountDownLatch busy = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            loopA.execute(() -> {
                busy.countDown();
                awaitQuietly(release);
            });
            CompletableFuture<Result> answer;
            try {
                assertTrue(busy.await(10, TimeUnit.SECONDS));
                a.close();                                   // FIN, no Logout
                EpollSocketChannel channelA = (EpollSocketChannel) sessionA.channel();
                waitFor(() -> channelA.tcpInfo().state() != TCP_ESTABLISHED, "A's FIN in the server's kernel");
                answer = CompletableFuture.supplyAsync(() -> {
                    try {
                        return b.command(otherCdb);
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                });
                waitFor(() -> answer.isDone() || ((SingleThreadEventExecutor) loopA).pendingTasks() > 0,
                        "B answered, or the target asked A's event loop about A");
            } finally {
                release.countDown();
            }
            return answer.get(30, TimeUnit.SECONDS);
        }
    }

    private Session session(int isidQualifier) {
        String isid = String.format("00023d%06x", isidQualifier);
        return sessions.all().stream().filter(s -> s.isid().equals(isid)).findFirst()
                .orElseThrow(() -> new AssertionError("no session with ISID " + isid));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Polls {@code condition} until it holds; fails after a minute (a hang, not a slow machine). */
    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("gave up waiting for: " + what);
            }
            Thread.sleep(1);
        }
    }

    /** SCSI status and sense bytes. */
    private record Result(int status, byte[] sense) {
        boolean unitAttention() {
            return status == 2 && sense.length > 2 && (sense[2] & 0x0F) == 6;
        }
    }

    /** A logged-in initiator sending one command at a time (no Data-Out). */
    private static final class Client implements AutoCloseable {
        private final TinyInitiator wire;
        private int cmdSn = 1;
        private int expStatSn;
        private int itt = 1;
        private boolean closed;

        private Client(TinyInitiator wire) {
            this.wire = wire;
        }

        static Client login(InetSocketAddress address, int isidQualifier) throws IOException {
            TinyInitiator wire = new TinyInitiator(address);
            String text = "InitiatorName=" + INITIATOR + "\0TargetName=" + TARGET + "\0SessionType=Normal\0"
                    + "HeaderDigest=None\0DataDigest=None\0ErrorRecoveryLevel=0\0";
            Pdu p = Pdu.create(Opcode.LOGIN_REQUEST).setImmediate(true);
            p.setFlags(0x80 | (1 << 2) | 3);                         // T=1, CSG=1 -> NSG=3
            p.setU16(8, 0x0002).setU32(10, 0x3d000000 | isidQualifier);
            p.setItt(0).setU32(24, 1).setU32(28, 0);
            p.setData(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
            wire.send(p);
            Pdu rsp = wire.receive();
            Client c = new Client(wire);
            try {
                assertEquals(Opcode.LOGIN_RESPONSE, rsp.opcode());
                assertEquals(0, rsp.u16(36), "login status");
                c.expStatSn = rsp.u32(24) + 1;
            } finally {
                rsp.release();
            }
            wire.useDigests(DigestPolicy.NONE);
            return c;
        }

        /** Sends {@code cdb} again after a UNIT ATTENTION (a new nexus starts with POWER ON, RESET). */
        Result command(byte[] cdb) throws IOException {
            Result r = once(cdb);
            for (int i = 0; i < 3 && r.unitAttention(); i++) {
                r = once(cdb);
            }
            return r;
        }

        private Result once(byte[] cdb) throws IOException {
            int tag = itt++;
            Pdu p = Pdu.create(Opcode.SCSI_COMMAND).setFlags(0x80 | 0x01);   // F, SIMPLE
            p.setItt(tag).setU32(20, 0).setU32(24, cmdSn++).setU32(28, expStatSn);
            for (int i = 0; i < cdb.length; i++) {
                p.setU8(32 + i, cdb[i]);
            }
            wire.send(p);
            while (true) {
                Pdu r = wire.receive();
                if (r == null) {
                    throw new IOException("connection closed before the response");
                }
                try {
                    if (r.opcode() == Opcode.SCSI_RESPONSE && r.itt() == tag) {
                        expStatSn = r.u32(24) + 1;
                        ByteArrayOutputStream sense = new ByteArrayOutputStream();
                        if (r.data().readableBytes() >= 2) {
                            r.data().skipBytes(2).readBytes(sense, r.data().readableBytes());
                        }
                        return new Result(r.u8(3), sense.toByteArray());
                    }
                } finally {
                    r.release();
                }
            }
        }

        /** Closes the socket (FIN) without a Logout; idempotent. */
        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                wire.close();
            }
        }
    }
}
