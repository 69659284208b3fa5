package org.vaaitarget.core.store.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.core.config.LunConfig.WriteCacheMode;
import org.vaaitarget.core.dispatch.TargetDevice;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.lu.LunIdentity;
import org.vaaitarget.core.lu.LunLimits;
import org.vaaitarget.core.lu.lock.StripedRangeLockManager;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.DataDirection;
import org.vaaitarget.core.scsi.ItNexus;
import org.vaaitarget.core.scsi.LunAddress;
import org.vaaitarget.core.scsi.ScsiCommand;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.TaskAttribute;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.store.BlockStore;
import org.vaaitarget.core.store.CompareOutcome;
import org.vaaitarget.core.testkit.ForwardingBlockStore;
import org.vaaitarget.core.testkit.Harness;
import org.vaaitarget.core.testkit.Reply;
import org.vaaitarget.core.assembly.StandardDevice;

/**
 * Power-loss simulation. A recording layer under the file store ({@link MediumIo}) stamps every write, hole
 * punch and sync with one clock that also stamps when each command was submitted and answered. A concurrent
 * mixed load (WRITE, WRITE AND VERIFY, COMPARE AND WRITE on own and on one contended block, WRITE SAME with
 * and without UNMAP, UNMAP, EXTENDED COPY, SYNCHRONIZE CACHE) runs from several I_T nexuses through the
 * core's {@link TargetDevice}. Then, for each of {@value #CRASH_POINTS} random crash instants, the image a
 * power cut would leave is built: everything a <em>completed</em> sync covered (the ops stamped before that
 * sync started), plus, at random, none, some whole, or some 512-byte sectors of the later ops (a disk may
 * persist any of them, torn); the LUN file is replaced by that image and reopened.
 *
 * <p>The promise checked: in {@code through} every command answered GOOD before the crash is present, and in
 * {@code back} every FUA command, and every command answered before a SYNCHRONIZE CACHE was submitted that
 * was answered GOOD before the crash. "Present", per sector: the sector holds what this command or a later op
 * on it wrote (the command's own op is found in the log by its content, between its submission and answer;
 * for EXTENDED COPY any op on the destination in that window counts, as the copied content is not known).
 *
 * <p>The check must be able to fail: the same load on a store that answers before its flush (a deliberately
 * lying wrapper) must produce violations, and the test asserts that it does. The seed (system property
 * {@code powerloss.seed}, else random) fixes the load and the crash points; the thread interleaving is the
 * machine's. The seed is printed with every failure.
 */
class PowerLossSimulationTest {
    private static final int BS = 512;
    private static final int BLOCKS = 2048;
    private static final int THREADS = 8;
    private static final int NEXUSES = 4;
    private static final int COMMANDS_PER_THREAD = 60;
    private static final int CRASH_POINTS = 200;
    /** Blocks [0, THREADS) are each thread's own ATS heartbeat; SHARED_ATS is the contended one. */
    private static final int SHARED_ATS = 63;
    private static final int GENERAL_FROM = 64;
    private static final byte[] NAA = {0x60, 0x01, 0x40, 0x55, 0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0, 0, 0, 0x0D, 0x13};

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(WriteCacheMode.class)
    void everyCommandThePromiseCoversSurvivesEveryCrashPoint(WriteCacheMode mode) throws Exception {
        long seed = seed();
        List<String> violations = simulate(mode, false, seed);
        assertTrue(violations.isEmpty(), "seed " + seed + " (rerun with -Dpowerloss.seed=" + seed + "), " + mode + ": "
                + violations.size() + " violations, first: " + violations.subList(0, Math.min(5, violations.size())));
    }

    /** The same with up to four fdatasyncs at once per LUN ({@code -Dvaaitarget.groupCommit.maxSyncs=4}). */
    @ParameterizedTest
    @EnumSource(WriteCacheMode.class)
    void withFourConcurrentSyncsEveryCommandThePromiseCoversSurvivesEveryCrashPoint(WriteCacheMode mode)
            throws Exception {
        System.setProperty(GroupCommit.MAX_SYNCS_PROPERTY, "4");
        try {
            everyCommandThePromiseCoversSurvivesEveryCrashPoint(mode);
        } finally {
            System.clearProperty(GroupCommit.MAX_SYNCS_PROPERTY);
        }
    }

    @ParameterizedTest
    @EnumSource(WriteCacheMode.class)
    void aStoreThatAnswersBeforeItsFlushIsCaught(WriteCacheMode mode) throws Exception {
        long seed = seed();
        List<String> violations = simulate(mode, true, seed);
        assertFalse(violations.isEmpty(), "seed " + seed + ", " + mode
                + ": the simulation did not catch a store that answers GOOD before its flush");
    }

    /** A failed fdatasync fails every command waiting for it with MEDIUM ERROR / WRITE ERROR, and all later ones. */
    @Test
    void aFailedFlushFailsItsCommandsAndEveryLaterFlushUntilReopened() throws Exception {
        Recorder recorder = new Recorder();
        LunConfig config = new LunConfig(dir.resolve("eio.img"), (long) BLOCKS * BS, BS, WriteCacheMode.WRITE_THROUGH, null);
        TargetDevice device = device(FileBlockStore.open(config, recorder));
        try {
            Harness h = new Harness(device);
            ItNexus a = nexus(0);
            h.clearUa(a, 0);
            assertEquals(ScsiStatus.GOOD, h.run(a, 0, write16(0x8A, 100, 1, 0), block(1)).status());
            recorder.failSyncs = true;
            Harness.assertCheck(h.run(a, 0, write16(0x8A, 101, 1, 0), block(2)), SenseReason.WRITE_ERROR);
            recorder.failSyncs = false; // the disk "recovers": a later fdatasync would succeed, but proves nothing
            Harness.assertCheck(h.run(a, 0, write16(0x8A, 102, 1, 0), block(3)), SenseReason.WRITE_ERROR);
            Harness.assertCheck(h.run(a, 0, caw(SHARED_ATS, false), concat(new byte[BS], block(4))),
                    SenseReason.WRITE_ERROR);
            Harness.assertCheck(h.run(a, 0, 0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0), SenseReason.WRITE_ERROR);
            Harness.assertCheck(h.run(a, 0, unmapCdb(), unmapList(200, 4)), SenseReason.WRITE_ERROR);
        } finally {
            device.close();
        }
        assertEquals(2, recorder.syncCount(), "one good fdatasync, one failed, then none: not even at close");
    }

    private static long seed() {
        String s = System.getProperty("powerloss.seed");
        return s != null ? Long.parseLong(s) : new Random().nextLong();
    }

    // ---------------------------------------------------------------- the simulation

    /** One command answered GOOD: what it changed and when (clock stamps). */
    private record Done(String what, long submitted, long answered, boolean fua, boolean syncCache,
                        long lba, int blocks, byte[] expected) {
    }

    private List<String> simulate(WriteCacheMode mode, boolean lying, long seed) throws Exception {
        Recorder recorder = new Recorder();
        Path file = dir.resolve(mode + (lying ? "-lying" : "") + ".img");
        LunConfig config = new LunConfig(file, (long) BLOCKS * BS, BS, mode, null);
        BlockStore store = FileBlockStore.open(config, recorder);
        TargetDevice device = device(lying ? new AnswersBeforeFlush(store) : store);
        ConcurrentLinkedQueue<Done> done = new ConcurrentLinkedQueue<>();
        try {
            Harness h = new Harness(device);
            for (int n = 0; n < NEXUSES; n++) {
                h.clearUa(nexus(n), 0);
            }
            List<Thread> threads = new ArrayList<>();
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            for (int t = 0; t < THREADS; t++) {
                Load load = new Load(device, recorder.clock, nexus(t % NEXUSES), t, new Random(seed * 31 + t), done);
                Thread thread = new Thread(() -> {
                    try {
                        load.run();
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }, "load-" + t);
                threads.add(thread);
                thread.start();
            }
            for (Thread t : threads) {
                t.join(TimeUnit.MINUTES.toMillis(2));
            }
            assertTrue(failures.isEmpty(), "seed " + seed + ": the load failed: " + failures);
        } finally {
            device.close();
        }
        return crashAndCheck(config, recorder, List.copyOf(done), new Random(seed));
    }

    private List<String> crashAndCheck(LunConfig config, Recorder recorder, List<Done> done, Random random)
            throws Exception {
        List<Op> ops = recorder.ops();
        List<Flush> flushes = recorder.flushes();
        long end = recorder.clock.get();
        Map<Integer, List<Op>> bySector = new HashMap<>();
        for (Op op : ops) {
            for (long s = op.offset / BS; s < (op.offset + op.length) / BS; s++) {
                bySector.computeIfAbsent((int) s, k -> new ArrayList<>()).add(op);
            }
        }
        List<Done> syncs = done.stream().filter(Done::syncCache).toList();
        boolean writeBack = config.writeCache() == WriteCacheMode.WRITE_BACK;
        // The images are rebuilt and reopened 200 times: in RAM where there is a tmpfs (the reopened store's
        // close syncs, which costs nothing there), so the check adds no disk I/O to a shared machine.
        Path shm = Path.of("/dev/shm");
        Path imageDir = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "powerloss") : dir;
        LunConfig crashed = new LunConfig(imageDir.resolve("crashed.img"), config.sizeBytes(), BS, config.writeCache(), null);
        try {
            return crashPoints(ops, flushes, end, bySector, syncs, writeBack, crashed, done, random);
        } finally {
            Files.deleteIfExists(crashed.file());
            if (!imageDir.equals(dir)) {
                try (var left = Files.list(imageDir)) {
                    for (Path p : left.toList()) {
                        Files.deleteIfExists(p);
                    }
                }
                Files.deleteIfExists(imageDir);
            }
        }
    }

    private List<String> crashPoints(List<Op> ops, List<Flush> flushes, long end, Map<Integer, List<Op>> bySector,
                                     List<Done> syncs, boolean writeBack, LunConfig crashed, List<Done> done,
                                     Random random) throws Exception {
        List<String> violations = new ArrayList<>();
        for (int point = 0; point < CRASH_POINTS; point++) {
            long crash = (long) (random.nextDouble() * (end + 1));
            long covered = 0; // ops stamped before this were covered by a sync completed before the crash
            for (Flush f : flushes) {
                if (f.end < crash) {
                    covered = Math.max(covered, f.start);
                }
            }
            int tear = random.nextInt(3); // 0: no later op, 1: some later ops whole, 2: some of their sectors
            byte[] image = new byte[BLOCKS * BS];
            for (Op op : ops) {
                if (op.seq < covered) {
                    op.applyTo(image, s -> true);
                } else if (op.seq < crash && tear == 1 && random.nextBoolean()) {
                    op.applyTo(image, s -> true);
                } else if (op.seq < crash && tear == 2) {
                    op.applyTo(image, s -> random.nextBoolean());
                }
            }
            byte[] reopened = reopen(crashed, image);
            assertArrayEquals(image, reopened, "the reopened LUN reads the crash image");
            for (Done c : done) {
                if (c.answered >= crash || c.blocks == 0) {
                    continue;
                }
                boolean promised = !writeBack || c.fua
                        || syncs.stream().anyMatch(s -> s.submitted > c.answered && s.answered < crash);
                if (promised) {
                    check(c, bySector, crash, reopened, point, violations);
                }
            }
        }
        return violations;
    }

    /** Every sector of {@code c} holds what {@code c} or a later op wrote there. */
    private static void check(Done c, Map<Integer, List<Op>> bySector, long crash, byte[] image, int point,
                              List<String> violations) {
        for (int b = 0; b < c.blocks; b++) {
            int sector = (int) (c.lba + b);
            List<Op> touching = bySector.getOrDefault(sector, List.of());
            long own = Long.MAX_VALUE;
            for (Op op : touching) {
                if (op.seq > c.submitted && op.seq < c.answered
                        && (c.expected == null || Arrays.equals(op.sector(sector), slice(c.expected, b)))) {
                    own = Math.min(own, op.seq);
                }
            }
            if (own == Long.MAX_VALUE) {
                violations.add("crash point " + point + ": " + c.what + ": no op of its own on sector " + sector
                        + " in the log (test error)");
                return;
            }
            byte[] actual = slice(image, sector);
            long from = own;
            boolean present = touching.stream().anyMatch(op -> op.seq >= from && op.seq < crash
                    && Arrays.equals(op.sector(sector), actual));
            if (!present) {
                violations.add("crash point " + point + " (clock " + crash + "): " + c.what + " answered GOOD at "
                        + c.answered + " but sector " + sector + " lost it");
                return;
            }
        }
    }

    private static byte[] slice(byte[] data, int block) {
        return Arrays.copyOfRange(data, block * BS, (block + 1) * BS);
    }

    /** Replaces the LUN file with {@code image}, opens the store on it and reads every block. */
    private static byte[] reopen(LunConfig config, byte[] image) throws Exception {
        Files.write(config.file(), image);
        FileBlockStore store = FileBlockStore.open(config);
        try {
            ByteBuf all = store.read(0, BLOCKS).get(30, TimeUnit.SECONDS);
            try {
                byte[] bytes = new byte[all.readableBytes()];
                all.getBytes(all.readerIndex(), bytes);
                return bytes;
            } finally {
                all.release();
            }
        } finally {
            store.close();
        }
    }

    private static TargetDevice device(BlockStore store) {
        LunIdentity id = new LunIdentity(NAA, "PWRLOSS0", "VAAITGT", "FILEDISK", "0001");
        LogicalUnit lu = new LogicalUnit(0, store, LunLimits.defaults(BS), id, new StripedRangeLockManager());
        return StandardDevice.of(Harness.TARGET, List.of(lu));
    }

    private static ItNexus nexus(int n) {
        return new ItNexus("iqn.1998-01.com.vmware:powerloss-" + n, String.format("4000013700%02d", n), Harness.TARGET, 1);
    }

    /** One thread's commands, all on one nexus, each awaited before the next. */
    private static final class Load {
        private final TargetDevice device;
        private final AtomicLong clock;
        private final ItNexus nexus;
        private final int thread;
        private final Random random;
        private final ConcurrentLinkedQueue<Done> done;
        private byte[] heartbeat = new byte[BS]; // this thread's ATS block holds zeros at first
        private long tags;

        Load(TargetDevice device, AtomicLong clock, ItNexus nexus, int thread, Random random,
             ConcurrentLinkedQueue<Done> done) {
            this.device = device;
            this.clock = clock;
            this.nexus = nexus;
            this.thread = thread;
            this.random = random;
            this.done = done;
        }

        void run() throws Exception {
            for (int i = 0; i < COMMANDS_PER_THREAD; i++) {
                int pick = random.nextInt(100);
                String id = "t" + thread + "#" + i;
                if (pick < 30) {
                    int blocks = 1 + random.nextInt(16);
                    long lba = general(blocks);
                    boolean verify = random.nextInt(5) == 0;
                    boolean fua = verify || random.nextInt(3) == 0;
                    byte[] data = unique(id, blocks);
                    run(id + " " + (verify ? "WRITE AND VERIFY" : "WRITE") + (fua ? " FUA" : "") + " " + lba + "+" + blocks,
                            write16(verify ? 0x8E : 0x8A, lba, blocks, fua && !verify ? 0x08 : 0), data, fua, false,
                            lba, blocks, data);
                } else if (pick < 45) {
                    boolean fua = random.nextBoolean();
                    byte[] next = unique(id, 1);
                    Reply r = run(id + " COMPARE AND WRITE own " + thread, caw(thread, fua),
                            concat(heartbeat, next), fua, false, thread, 1, next);
                    heartbeat = r.status() == ScsiStatus.GOOD ? next : readBlock(thread);
                } else if (pick < 55) {
                    byte[] seen = readBlock(SHARED_ATS); // another nexus may win the race: a miscompare is fine
                    byte[] next = unique(id, 1);
                    run(id + " COMPARE AND WRITE shared", caw(SHARED_ATS, false), concat(seen, next),
                            false, false, SHARED_ATS, 1, next);
                } else if (pick < 67) {
                    int blocks = 1 + random.nextInt(64);
                    long lba = general(blocks);
                    boolean unmap = random.nextBoolean();
                    byte[] block = unmap ? new byte[BS] : unique(id, 1);
                    byte[] expected = new byte[blocks * BS];
                    for (int b = 0; b < blocks; b++) {
                        System.arraycopy(block, 0, expected, b * BS, BS);
                    }
                    byte[] cdb = new byte[16];
                    cdb[0] = (byte) 0x93;
                    cdb[1] = (byte) (unmap ? 0x08 : 0);
                    put(cdb, 2, 8, lba);
                    put(cdb, 10, 4, blocks);
                    run(id + " WRITE SAME" + (unmap ? " UNMAP" : "") + " " + lba + "+" + blocks, cdb, block, false, false,
                            lba, blocks, expected);
                } else if (pick < 77) {
                    int blocks = 1 + random.nextInt(64);
                    long lba = general(blocks);
                    run(id + " UNMAP " + lba + "+" + blocks, unmapCdb(), unmapList(lba, blocks), false, false,
                            lba, blocks, new byte[blocks * BS]);
                } else if (pick < 90) {
                    int blocks = 1 + random.nextInt(32);
                    long src = general(blocks);
                    long dst;
                    do {
                        dst = general(blocks);
                    } while (dst < src + blocks && src < dst + blocks);
                    byte[] list = xcopyList(src, dst, blocks);
                    byte[] cdb = new byte[16];
                    cdb[0] = (byte) 0x83;
                    put(cdb, 10, 4, list.length);
                    run(id + " EXTENDED COPY " + src + "->" + dst + "+" + blocks, cdb, list, false, false, dst, blocks, null);
                } else {
                    run(id + " SYNCHRONIZE CACHE", Harness.cdb(0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0), null, false, true, 0, 0,
                            null);
                }
            }
        }

        private long general(int blocks) {
            return GENERAL_FROM + random.nextInt(BLOCKS - GENERAL_FROM - blocks + 1);
        }

        private byte[] readBlock(long lba) throws Exception {
            Reply r = submit(write16(0x88, lba, 1, 0), null, BS).get(30, TimeUnit.SECONDS); // READ(16)
            assertEquals(ScsiStatus.GOOD, r.status(), "READ of block " + lba);
            return r.data();
        }

        /** Runs a command; a GOOD answer is recorded with its clock stamps. */
        private Reply run(String what, byte[] cdb, byte[] dataOut, boolean fua, boolean syncCache, long lba,
                          int blocks, byte[] expected) throws Exception {
            long submitted = clock.getAndIncrement();
            long[] answered = new long[1];
            Reply r = submit(cdb, dataOut, 0, answered).get(30, TimeUnit.SECONDS);
            if (r.status() == ScsiStatus.GOOD) {
                done.add(new Done(what, submitted, answered[0], fua, syncCache, lba, blocks, expected));
            } else if (r.status() == ScsiStatus.CHECK_CONDITION && r.senseKey() != 0x0E) { // 0Eh: MISCOMPARE
                throw new AssertionError(what + ": unexpected CHECK CONDITION " + r);
            }
            return r;
        }

        private CompletableFuture<Reply> submit(byte[] cdb, byte[] dataOut, int readLength) {
            return submit(cdb, dataOut, readLength, new long[1]);
        }

        /** Stamps the answer on the thread that completes the task, the moment it completes. */
        private CompletableFuture<Reply> submit(byte[] cdb, byte[] dataOut, int readLength, long[] answered) {
            ByteBuf out = dataOut == null ? null : Unpooled.wrappedBuffer(dataOut);
            ScsiCommand command = new ScsiCommand(nexus, LunAddress.encode(0), cdb,
                    dataOut == null ? readLength : dataOut.length,
                    dataOut == null ? (readLength > 0 ? DataDirection.READ : DataDirection.NONE) : DataDirection.WRITE,
                    TaskAttribute.SIMPLE, ++tags, out);
            return device.submit(command).result().toCompletableFuture().thenApply((CommandResult result) -> {
                answered[0] = clock.getAndIncrement();
                return Harness.toReply(result);
            });
        }
    }

    /** Content unique to the command and block: its name, the block index, then random bytes. */
    private static byte[] unique(String id, int blocks) {
        byte[] data = new byte[blocks * BS];
        Random r = new Random(id.hashCode());
        r.nextBytes(data);
        for (int b = 0; b < blocks; b++) {
            byte[] name = (id + "/" + b).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            System.arraycopy(name, 0, data, b * BS, Math.min(name.length, 64));
        }
        return data;
    }

    private static byte[] block(int fill) {
        byte[] b = new byte[BS];
        Arrays.fill(b, (byte) fill);
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static void put(byte[] c, int off, int len, long v) {
        for (int i = 0; i < len; i++) {
            c[off + i] = (byte) (v >>> (8 * (len - 1 - i)));
        }
    }

    private static byte[] write16(int opcode, long lba, int blocks, int byte1) {
        byte[] c = new byte[16];
        c[0] = (byte) opcode;
        c[1] = (byte) byte1;
        put(c, 2, 8, lba);
        put(c, 10, 4, blocks);
        return c;
    }

    private static byte[] caw(long lba, boolean fua) {
        byte[] c = new byte[16];
        c[0] = (byte) 0x89;
        c[1] = (byte) (fua ? 0x08 : 0);
        put(c, 2, 8, lba);
        c[13] = 1;
        return c;
    }

    private static byte[] unmapCdb() {
        byte[] c = new byte[10];
        c[0] = 0x42;
        c[8] = 24;
        return c;
    }

    private static byte[] unmapList(long lba, int blocks) {
        byte[] p = new byte[24];
        put(p, 0, 2, 22);
        put(p, 2, 2, 16);
        put(p, 8, 8, lba);
        put(p, 16, 4, blocks);
        return p;
    }

    /** EXTENDED COPY (LID1, no list ID): one E4h CSCD naming the LU, one block-to-block segment. */
    private static byte[] xcopyList(long src, long dst, int blocks) {
        byte[] p = new byte[16 + 32 + 28];
        p[1] = (byte) (0b11 << 3); // LIST ID USAGE 11b: no list ID
        put(p, 2, 2, 32);
        put(p, 8, 4, 28);
        int d = 16;
        p[d] = (byte) 0xE4;
        p[d + 4] = 0x01; // binary
        p[d + 5] = 0x03; // LU association, NAA
        p[d + 7] = (byte) NAA.length;
        System.arraycopy(NAA, 0, p, d + 8, NAA.length);
        put(p, d + 29, 3, BS);
        int s = 16 + 32;
        p[s] = 0x02; // block to block
        put(p, s + 2, 2, 0x18);
        put(p, s + 10, 2, blocks);
        put(p, s + 12, 8, src);
        put(p, s + 20, 8, dst);
        return p;
    }

    // ---------------------------------------------------------------- the fault-injecting layer

    /** One change of the medium, stamped by the clock; {@code data} null for a deallocation (zeros). */
    private record Op(long seq, long offset, long length, byte[] data) {
        byte[] sector(int sector) {
            if (data == null) {
                return new byte[BS];
            }
            int from = (int) ((long) sector * BS - offset);
            return Arrays.copyOfRange(data, from, from + BS);
        }

        void applyTo(byte[] image, java.util.function.IntPredicate keepSector) {
            for (long s = offset / BS; s < (offset + length) / BS; s++) {
                if (keepSector.test((int) s)) {
                    System.arraycopy(sector((int) s), 0, image, (int) s * BS, BS);
                }
            }
        }
    }

    /** A sync that covered every op stamped before {@code start} and completed at {@code end}. */
    private record Flush(long start, long end) {
    }

    /** Passes every call to the real file and records it; can fail syncs (EIO). */
    static final class Recorder implements UnaryOperator<MediumIo> {
        final AtomicLong clock = new AtomicLong(1);
        private final List<Op> ops = new ArrayList<>();
        private final List<Flush> flushes = new ArrayList<>();
        private int syncs;
        volatile boolean failSyncs;

        @Override
        public MediumIo apply(MediumIo real) {
            return new MediumIo() {
                @Override
                public void write(ByteBuffer src, long position) throws IOException {
                    byte[] copy = new byte[src.remaining()];
                    src.duplicate().get(copy);
                    synchronized (Recorder.this) { // the op happens and is stamped atomically
                        real.write(src, position);
                        ops.add(new Op(clock.getAndIncrement(), position, copy.length, copy));
                    }
                }

                @Override
                public void deallocate(long offset, long length) throws IOException {
                    synchronized (Recorder.this) {
                        real.deallocate(offset, length);
                        ops.add(new Op(clock.getAndIncrement(), offset, length, null));
                    }
                }

                @Override
                public void sync() throws IOException {
                    long start;
                    synchronized (Recorder.this) {
                        start = clock.getAndIncrement(); // every op stamped before this has completed
                        syncs++;
                    }
                    if (failSyncs) {
                        throw new IOException("Input/output error");
                    }
                    real.sync();
                    synchronized (Recorder.this) {
                        flushes.add(new Flush(start, clock.getAndIncrement()));
                    }
                }
            };
        }

        synchronized List<Op> ops() {
            return List.copyOf(ops);
        }

        synchronized List<Flush> flushes() {
            return List.copyOf(flushes);
        }

        synchronized int syncCount() {
            return syncs;
        }
    }

    /**
     * The liar: answers a flush (and a FUA write) as soon as the data is in the page cache and only then
     * starts the real flush, as a store without group commit's "complete after the sync" would.
     */
    private static final class AnswersBeforeFlush extends ForwardingBlockStore {
        AnswersBeforeFlush(BlockStore inner) {
            super(inner);
        }

        @Override
        public CompletableFuture<Void> flush() {
            inner.flush();
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> write(long lba, ByteBuf data, boolean fua) {
            return inner.write(lba, data, false).thenApply(v -> {
                if (fua) {
                    inner.flush();
                }
                return v;
            });
        }

        @Override
        public CompletableFuture<CompareOutcome> compareAndWrite(long lba, ByteBuf verify, ByteBuf write, boolean fua) {
            return inner.compareAndWrite(lba, verify, write, false).thenApply(o -> {
                if (fua) {
                    inner.flush();
                }
                return o;
            });
        }
    }
}
