package org.vaaitarget.conformance.robust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety: the server runs as its own JVM; several sessions storm it with writes (FUA, or plain
 * followed by SYNCHRONIZE CACHE) and 8-block COMPARE AND WRITEs (FUA); at a random moment it is killed
 * with SIGKILL; a fresh server on the same files must show every write acknowledged as durable (a
 * later, unacknowledged one to the same blocks may have landed too), and every COMPARE AND WRITE range
 * all-old or all-new, never half applied. Rounds: {@code -Drobust.crashRounds=N} (default 5).
 */
class CrashSafetyTest {
    private static final String IQN = "iqn.2026-11.org.vaaitarget:crash";
    private static final int SESSIONS = 4;
    private static final int BLOCK = 512;
    /** Per session: 100 write slots of 8 blocks, then 28 COMPARE AND WRITE ranges of 8 blocks. */
    private static final int REGION_BLOCKS = 1024;
    private static final int SLOT_BLOCKS = 8;
    private static final int WRITE_SLOTS = 100;
    private static final int CAW_RANGES = 28;
    private static final byte[] MAGIC = "ROBUSTv1".getBytes(StandardCharsets.US_ASCII);
    private static final Pattern LISTENING = Pattern.compile("listening on /127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path dir;

    /** What each session knows: the last acknowledged-durable value of each slot and range, and the op in flight. */
    static final class Model {
        final int session;
        /** Per block of the write slots: the last durable write's sequence number; -1: never written (zeros). */
        final long[] blockSeq = new long[WRITE_SLOTS * SLOT_BLOCKS];
        final long[] rangeGen = new long[CAW_RANGES];
        long nextSeq = 1;
        volatile int inflightSlot = -1;
        volatile long inflightSeq;
        volatile int inflightRange = -1;
        volatile long acknowledged;

        Model(int session) {
            this.session = session;
            Arrays.fill(blockSeq, -1);
        }

        long slotLba(int slot) {
            return (long) session * REGION_BLOCKS + (long) slot * SLOT_BLOCKS;
        }

        long rangeLba(int range) {
            return (long) session * REGION_BLOCKS + (long) WRITE_SLOTS * SLOT_BLOCKS + (long) range * SLOT_BLOCKS;
        }
    }

    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void durableWritesSurviveKillMinus9AndCompareAndWriteIsNeverHalfApplied() throws Exception {
        int rounds = Integer.getInteger("robust.crashRounds", 5);
        Random random = new Random(Long.getLong("robust.crashSeed", System.nanoTime()));
        Path lun = dir.resolve("crash.img");
        List<Model> models = new ArrayList<>();
        for (int s = 0; s < SESSIONS; s++) {
            models.add(new Model(s));
        }
        long acknowledged = 0;
        for (int round = 0; round <= rounds; round++) {
            ServerProcess server = ServerProcess.start(lun, dir.resolve("server-" + round + ".log"));
            try {
                if (round == 0) {
                    initializeRanges(server.address(), models);
                } else {
                    verifyAndAdopt(server.address(), models, round);
                }
                if (round == rounds) {
                    break;
                }
                List<Thread> writers = new ArrayList<>();
                for (Model m : models) {
                    Thread t = new Thread(() -> storm(server.address(), m, new Random(random.nextLong())),
                            "storm-" + m.session);
                    t.start();
                    writers.add(t);
                }
                Thread.sleep(300 + random.nextInt(1500));
                server.kill();
                for (Thread t : writers) {
                    t.join(60_000);
                    assertTrue(!t.isAlive(), "a writer did not notice the kill");
                }
            } finally {
                server.kill();
            }
        }
        for (Model m : models) {
            acknowledged += m.acknowledged;
        }
        System.out.println("CrashSafetyTest: " + rounds + " kill -9 rounds, " + acknowledged
                + " acknowledged durable writes and COMPARE AND WRITEs verified");
        assertTrue(acknowledged > 0, "the storms got some writes acknowledged");
    }

    /** One session's storm: sequential ops until the connection dies. */
    private static void storm(InetSocketAddress address, Model m, Random random) {
        try (IscsiClient c = IscsiClient.loggedIn(address, IQN, 100 + m.session)) {
            while (true) {
                if (random.nextInt(10) < 7) {
                    int slot = random.nextInt(WRITE_SLOTS);
                    long seq = m.nextSeq++;
                    m.inflightSeq = seq;
                    m.inflightSlot = slot;
                    boolean fua = random.nextBoolean();
                    IscsiClient.Result r = c.write(m.slotLba(slot), blocks(m.session, seq, m.slotLba(slot)), fua);
                    check(r, "WRITE");
                    if (!fua) {
                        check(c.command(new byte[] {0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 0, false, null),
                                "SYNCHRONIZE CACHE");
                    }
                    Arrays.fill(m.blockSeq, slot * SLOT_BLOCKS, (slot + 1) * SLOT_BLOCKS, seq); // durable now
                    m.inflightSlot = -1;
                } else {
                    int range = random.nextInt(CAW_RANGES);
                    long gen = m.rangeGen[range];
                    long lba = m.rangeLba(range);
                    m.inflightRange = range;
                    IscsiClient.Result r = c.compareAndWrite(lba, blocks(m.session, gen, lba),
                            blocks(m.session, gen + 1, lba), true);
                    check(r, "COMPARE AND WRITE");
                    m.rangeGen[range] = gen + 1;
                    m.inflightRange = -1;
                }
                m.acknowledged++;
            }
        } catch (IOException expected) {
            // the server was killed
        }
    }

    private static void check(IscsiClient.Result r, String what) throws IOException {
        if (r.status() != 0) {
            throw new AssertionError(what + " failed with status " + r.status() + " sense key " + r.senseKey());
        }
    }

    private static void initializeRanges(InetSocketAddress address, List<Model> models) throws IOException {
        try (IscsiClient c = IscsiClient.loggedIn(address, IQN, 99)) {
            for (Model m : models) {
                for (int r = 0; r < CAW_RANGES; r++) {
                    check(c.write(m.rangeLba(r), blocks(m.session, 0, m.rangeLba(r)), true), "initial WRITE");
                }
            }
        }
    }

    /** Checks the medium against the models, then adopts what is there (resolving the ops in flight). */
    private static void verifyAndAdopt(InetSocketAddress address, List<Model> models, int round) throws IOException {
        try (IscsiClient c = IscsiClient.loggedIn(address, IQN, 98)) {
            for (Model m : models) {
                for (int slot = 0; slot < WRITE_SLOTS; slot++) {
                    byte[] data = c.read(m.slotLba(slot), SLOT_BLOCKS).dataIn();
                    for (int b = 0; b < SLOT_BLOCKS; b++) {
                        long lba = m.slotLba(slot) + b;
                        long acked = m.blockSeq[slot * SLOT_BLOCKS + b];
                        long seq = seqOf(data, b, m.session, lba);
                        boolean inflight = m.inflightSlot == slot && seq == m.inflightSeq;
                        if (seq != acked && !inflight) {
                            fail("round " + round + ": session " + m.session + " LBA " + lba + " holds write " + seq
                                    + " but the last durable write there was " + acked);
                        }
                        // a plain WRITE is not atomic: some blocks of the one in flight may have landed
                        m.blockSeq[slot * SLOT_BLOCKS + b] = seq;
                    }
                }
                for (int r = 0; r < CAW_RANGES; r++) {
                    byte[] data = c.read(m.rangeLba(r), SLOT_BLOCKS).dataIn();
                    long gen = m.rangeGen[r];
                    long first = seqOf(data, 0, m.session, m.rangeLba(r));
                    for (int b = 1; b < SLOT_BLOCKS; b++) {
                        assertEquals(first, seqOf(data, b, m.session, m.rangeLba(r) + b), "round " + round
                                + ": COMPARE AND WRITE range at LBA " + m.rangeLba(r) + " is half applied");
                    }
                    boolean inflight = m.inflightRange == r;
                    if (first != gen && !(inflight && first == gen + 1)) {
                        fail("round " + round + ": COMPARE AND WRITE range at LBA " + m.rangeLba(r) + " holds generation "
                                + first + ", acknowledged " + gen + (inflight ? " (+1 in flight)" : ""));
                    }
                    m.rangeGen[r] = first;
                }
                m.inflightSlot = -1;
                m.inflightRange = -1;
            }
        }
    }

    /**
     * The write sequence number stamped in block {@code b} of {@code data}, after checking the whole block
     * is exactly what that write put there (never torn, never another block's data); -1 for a zero block.
     */
    private static long seqOf(byte[] data, int b, int session, long lba) {
        byte[] block = Arrays.copyOfRange(data, b * BLOCK, (b + 1) * BLOCK);
        if (Arrays.equals(block, new byte[BLOCK])) {
            return -1;
        }
        long seq = ByteBuffer.wrap(block, 16, 8).getLong();
        assertTrue(Arrays.equals(block, block(session, seq, lba)), () -> "LBA " + lba + " is torn or foreign");
        return seq;
    }

    /** {@link #SLOT_BLOCKS} stamped blocks starting at {@code lba}. */
    static byte[] blocks(int session, long seq, long lba) {
        byte[] all = new byte[SLOT_BLOCKS * BLOCK];
        for (int b = 0; b < SLOT_BLOCKS; b++) {
            System.arraycopy(block(session, seq, lba + b), 0, all, b * BLOCK, BLOCK);
        }
        return all;
    }

    /** One block: magic, session, seq, LBA, then bytes derived from all three. */
    static byte[] block(int session, long seq, long lba) {
        ByteBuffer b = ByteBuffer.allocate(BLOCK);
        b.put(MAGIC).putInt(session).putInt(0).putLong(seq).putLong(lba);
        Random fill = new Random(seq * 1_000_003L + lba * 31 + session);
        byte[] rest = new byte[BLOCK - b.position()];
        fill.nextBytes(rest);
        b.put(rest);
        return b.array();
    }

    /** The server as a separate JVM on 127.0.0.1 (a free port, read from its log). */
    static final class ServerProcess {
        private final Process process;
        private final int port;

        private ServerProcess(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        static ServerProcess start(Path lun, Path log) throws Exception {
            return start(List.of("--portal", "127.0.0.1:0", "--iqn", IQN, "--lun", lun + ":16M"), log);
        }

        /** A server JVM with the given command-line arguments, its output in {@code log}; waits until it listens. */
        static ServerProcess start(List<String> args, Path log) throws Exception {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> cmd = new java.util.ArrayList<>(List.of(java, "-Xmx256m", "-cp",
                    System.getProperty("java.class.path"), "org.vaaitarget.server.app.Main"));
            cmd.addAll(args);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            CompletableFuture<Integer> port = new CompletableFuture<>();
            Thread pump = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8));
                     PrintWriter w = new PrintWriter(Files.newBufferedWriter(log))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        w.println(line);
                        w.flush();
                        Matcher m = LISTENING.matcher(line);
                        if (m.find()) {
                            port.complete(Integer.parseInt(m.group(1)));
                        }
                    }
                } catch (IOException ignored) {
                    // the process is gone
                }
                port.completeExceptionally(new IOException("server exited without listening; see " + log));
            }, "server-log");
            pump.setDaemon(true);
            pump.start();
            try {
                return new ServerProcess(p, port.get(120, TimeUnit.SECONDS));
            } catch (Exception e) {
                p.destroyForcibly();
                throw new AssertionError("the server did not start; its output is in " + log, e);
            }
        }

        InetSocketAddress address() {
            return new InetSocketAddress("127.0.0.1", port);
        }

        /** Sends a signal (STOP, CONT, ...) with kill(1). */
        void signal(String name) throws Exception {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IOException("kill -" + name + " " + process.pid() + " failed");
            }
        }

        /** SIGKILL (Process.destroyForcibly on Unix), then wait for it to be gone. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(60, TimeUnit.SECONDS);
        }
    }
}
