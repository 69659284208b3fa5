package org.vaaitarget.conformance.robust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vaaitarget.conformance.support.TestTarget;
import org.vaaitarget.server.pdu.Opcode;
import org.vaaitarget.server.pdu.Pdu;

/**
 * Issue 12's probe, through real sockets on loopback: three sessions (three I_T nexuses) share LUN 0.
 * A and B queue WRITE SAME and READ commands on one range, so that they wait for each other's range
 * locks, and C sends a task management function while they are in flight. Whatever C does, every one of
 * A's and B's commands is answered: untouched (ABORT TASK SET, SAM-5 7.3), or with TASK ABORTED (LOGICAL
 * UNIT RESET and CLEAR TASK SET with TAS=1, SAM-5 5.6) or the reset's unit attention if it came after.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SharedLunTaskManagementTest {
    private static final long LUN_BYTES = 16L << 20;
    private static final int RANGE_BLOCKS = 2048;          // 1 MiB: every command of A and B overlaps
    private static final int PER_SESSION = 16;
    private static final int ABORT_TASK_SET = 2;
    private static final int CLEAR_TASK_SET = 4;
    private static final int LOGICAL_UNIT_RESET = 5;
    private static final int GOOD = 0x00;
    private static final int CHECK_CONDITION = 0x02;
    private static final int TASK_ABORTED = 0x40;

    @TempDir
    static Path dir;
    private static TestTarget target;
    private static int isid = 300;

    @BeforeAll
    static void start() throws Exception {
        target = TestTarget.start(dir, LUN_BYTES, c -> c);
    }

    @AfterAll
    static void stop() {
        if (target != null) {
            target.close();
        }
    }

    /** A logged-in session whose POWER ON unit attention is consumed; reads time out after 20 s. */
    private static IscsiClient session() throws IOException {
        IscsiClient c = new IscsiClient(new InetSocketAddress(target.host(), target.port()), 20_000);
        try {
            assertEquals(0, c.login(target.iqn(), isid++), "login");
            assertEquals(GOOD, c.command(new byte[16], 0, false, null).status(), "TEST UNIT READY");
            return c;
        } catch (IOException | RuntimeException | AssertionError e) {
            c.close();
            throw e;
        }
    }

    private static byte[] writeSame16(long lba, int blocks) {
        ByteBuffer b = ByteBuffer.allocate(16);
        b.put((byte) 0x93).put((byte) 0).putLong(lba).putInt(blocks);
        return b.array();
    }

    /** Sends one SCSI command without waiting for its answer; returns its ITT. */
    private static int sendCommand(IscsiClient c, byte[] cdb, int edtl, boolean read, byte[] immediate, boolean last) throws IOException {
        int itt = c.newItt();
        Pdu p = Pdu.create(Opcode.SCSI_COMMAND);
        p.setFlags((last ? 0x80 : 0) | (read ? 0x40 : 0) | (immediate != null || !read && edtl > 0 ? 0x20 : 0) | 0x01);
        p.setItt(itt).setU32(20, edtl).setU32(24, c.takeCmdSn()).setU32(28, c.expStatSn());
        for (int i = 0; i < cdb.length; i++) {
            p.setU8(32 + i, cdb[i]);
        }
        if (immediate != null) {
            p.setData(Unpooled.wrappedBuffer(immediate));
        }
        c.send(p);
        return itt;
    }

    /** A and B: PER_SESSION commands each, WRITE SAME and READ alternately, all on blocks 0..RANGE_BLOCKS. */
    private static Map<Integer, Integer> queueOverlappingCommands(IscsiClient c, int seed) throws IOException {
        Map<Integer, Integer> answers = new LinkedHashMap<>();
        for (int i = 0; i < PER_SESSION; i++) {
            int itt;
            if ((i + seed) % 2 == 0) {
                byte[] block = new byte[512];
                block[0] = (byte) (seed * 100 + i);
                itt = sendCommand(c, writeSame16(0, RANGE_BLOCKS), 512, false, block, true);
            } else {
                itt = sendCommand(c, IscsiClient.read16(0, RANGE_BLOCKS / 8), RANGE_BLOCKS / 8 * 512, true, null, true);
            }
            answers.put(itt, null);
        }
        return answers;
    }

    private static int sendTmf(IscsiClient c, int function, int referencedTag) throws IOException {
        int itt = c.newItt();
        Pdu p = Pdu.create(Opcode.TASK_MGMT_REQUEST).setImmediate(true).setFlags(0x80 | function);
        p.setItt(itt).setU32(20, referencedTag).setU32(24, c.nextCmdSn()).setU32(28, c.expStatSn());
        c.send(p);
        return itt;
    }

    /** Reads until every ITT in {@code answers} has a status (Data-In with S, or a SCSI Response). */
    private static void collect(IscsiClient c, String who, Map<Integer, Integer> answers) throws IOException {
        // The target's NOP-In pings keep the socket busy, so the read timeout alone would not end the wait.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (answers.containsValue(null)) {
            Pdu r;
            try {
                if (System.nanoTime() > deadline) {
                    throw new java.net.SocketTimeoutException();
                }
                r = c.receiveSkippingPings();
            } catch (java.net.SocketTimeoutException e) {
                long missing = answers.values().stream().filter(v -> v == null).count();
                fail(who + ": " + missing + " of " + answers.size() + " commands never answered");
                return;
            }
            assertNotNull(r, who + ": the target closed the connection");
            try {
                assertTrue(r.opcode() != Opcode.REJECT, () -> who + ": Reject " + r);
                boolean status = r.opcode() == Opcode.SCSI_RESPONSE
                        || r.opcode() == Opcode.DATA_IN && (r.flags() & 0x01) != 0;
                if (status && answers.containsKey(r.itt())) {
                    answers.put(r.itt(), r.u8(3));
                }
            } finally {
                r.release();
            }
        }
    }

    private static int awaitTmfResponse(IscsiClient c, int itt) throws IOException {
        while (true) {
            Pdu r = c.receiveSkippingPings();
            assertNotNull(r, "C: closed before the TMF response");
            try {
                if (r.opcode() == Opcode.TASK_MGMT_RESPONSE && r.itt() == itt) {
                    return r.u8(2);
                }
            } finally {
                r.release();
            }
        }
    }

    /** Runs the probe with {@code function} from C; returns A's and B's statuses. */
    private Map<Integer, Integer> race(int function) throws IOException {
        try (IscsiClient a = session(); IscsiClient b = session(); IscsiClient c = session()) {
            Map<Integer, Integer> fromA = queueOverlappingCommands(a, 0);
            Map<Integer, Integer> fromB = queueOverlappingCommands(b, 1);
            int tmf = sendTmf(c, function, 0xFFFFFFFF);
            assertEquals(0, awaitTmfResponse(c, tmf), "C: FUNCTION COMPLETE");
            collect(a, "A", fromA);
            collect(b, "B", fromB);
            Map<Integer, Integer> all = new LinkedHashMap<>();
            fromA.forEach((k, v) -> all.put(k, v));
            fromB.forEach((k, v) -> all.put(0x10000 + k, v));
            // Both sessions still serve (a unit attention of a reset first, then GOOD).
            assertEquals(GOOD, a.command(new byte[16], 0, false, null).status());
            assertEquals(GOOD, b.command(new byte[16], 0, false, null).status());
            return all;
        }
    }

    /** SAM-5 7.3: ABORT TASK SET of C aborts C's tasks only: A's and B's all complete GOOD. */
    @Test
    void abortTaskSetFromAThirdSessionLeavesTheOthersCommandsAlone() throws IOException {
        Map<Integer, Integer> statuses = race(ABORT_TASK_SET);
        statuses.forEach((itt, status) -> assertEquals(GOOD, status, "command " + itt));
    }

    /** SAM-5 7.7 and 5.6 (TAS=1): a LOGICAL UNIT RESET of C answers every command of A and B. */
    @Test
    void logicalUnitResetFromAThirdSessionAnswersEveryCommandOfTheOthers() throws IOException {
        Map<Integer, Integer> statuses = race(LOGICAL_UNIT_RESET);
        statuses.forEach((itt, status) -> assertTrue(status == GOOD || status == TASK_ABORTED
                || status == CHECK_CONDITION, "command " + itt + " status " + status));
    }

    /** SAM-5 7.4 and 5.6 (TAS=1): CLEAR TASK SET of C answers every command of A and B. */
    @Test
    void clearTaskSetFromAThirdSessionAnswersEveryCommandOfTheOthers() throws IOException {
        Map<Integer, Integer> statuses = race(CLEAR_TASK_SET);
        statuses.forEach((itt, status) -> assertTrue(status == GOOD || status == TASK_ABORTED,
                "command " + itt + " status " + status));
    }

    /**
     * A's write waits for Data-Out (an R2T is outstanding) when C resets the LU: A gets TASK ABORTED for
     * it at once (TAS=1), the Data-Out A sends afterwards is absorbed without a Reject, and A's session
     * goes on (RFC 7143 4.2.3.3: the target need not wait for a third party's Data-Out).
     */
    @Test
    void aWriteWaitingForDataOutIsAbortedAndItsLateDataAbsorbed() throws IOException {
        try (IscsiClient a = session(); IscsiClient c = session()) {
            byte[] first = new byte[4096];
            int write = sendCommand(a, IscsiClient.write16(8192, 16, false), 8192, false, first, true);
            Pdu r2t = a.receiveSkippingPings();
            assertNotNull(r2t);
            int ttt;
            try {
                assertEquals(Opcode.R2T, r2t.opcode(), () -> "expected an R2T, got " + r2t);
                ttt = r2t.u32(20);
                assertEquals(4096, r2t.u32(40), "R2T for the second half");
            } finally {
                r2t.release();
            }
            int tmf = sendTmf(c, LOGICAL_UNIT_RESET, 0xFFFFFFFF);
            assertEquals(0, awaitTmfResponse(c, tmf));
            Map<Integer, Integer> answer = new LinkedHashMap<>();
            answer.put(write, null);
            collect(a, "A", answer);
            assertEquals(TASK_ABORTED, answer.get(write), "A's write: TASK ABORTED");
            Pdu late = Pdu.create(Opcode.DATA_OUT).setFlags(0x80).setItt(write);
            late.setU32(20, ttt).setU32(28, a.expStatSn()).setU32(36, 0).setU32(40, 4096);
            late.setData(Unpooled.wrappedBuffer(new byte[4096]));
            a.send(late);
            IscsiClient.Result tur = a.commandOnce(new byte[16], 0, false, null);   // throws on a Reject
            assertEquals(CHECK_CONDITION, tur.status(), "the reset's unit attention comes first");
            assertEquals(0x06, tur.senseKey());
            assertEquals(GOOD, a.command(new byte[16], 0, false, null).status(), "A's session goes on");
        }
    }
}
