package org.vaaitarget.core.store.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Power loss at every point of an atomic write, with unflushed writes torn at 512-byte sectors: the blocks
 * afterwards hold all the old data or all the new, and all the new once the write had returned.
 */
class AtomicWriteJournalTest {
    private static final int SECTOR = 512;
    private static final int LUN_BYTES = 64 * SECTOR;
    private static final int OFFSET = 5 * SECTOR;
    private static final int LENGTH = 8 * SECTOR;
    private static final int SEEDS = 24;

    /** Thrown by a file when the simulated power fails. */
    static final class PowerLoss extends RuntimeException {
        PowerLoss() {
            super("power lost", null, false, false);
        }
    }

    /** Counts I/O steps across files and cuts the power at one of them. */
    static final class Power {
        private int stepsLeft;

        Power(int stepsLeft) {
            this.stepsLeft = stepsLeft;
        }

        void step() {
            if (stepsLeft-- == 0) {
                throw new PowerLoss();
            }
        }
    }

    /**
     * A file whose writes reach stable storage only at force(); a power loss keeps any subset of the pending
     * 512-byte sector writes (and of a pending truncate), each independently. Every sector write, force and
     * truncate is one step of {@link Power}.
     */
    static final class CrashableFile implements PositionalFile {
        private byte[] durable;
        private final List<Object> pending = new ArrayList<>();   // Piece or Long (truncate)
        private final Power power;

        record Piece(long position, byte[] bytes) {
        }

        CrashableFile(byte[] durable, Power power) {
            this.durable = durable.clone();
            this.power = power;
        }

        private static byte[] apply(byte[] image, Object op) {
            if (op instanceof Long size) {
                return Arrays.copyOf(image, (int) (long) size);
            }
            Piece p = (Piece) op;
            int end = (int) p.position() + p.bytes().length;
            byte[] out = end > image.length ? Arrays.copyOf(image, end) : image;
            System.arraycopy(p.bytes(), 0, out, (int) p.position(), p.bytes().length);
            return out;
        }

        /** What a reader sees now: the durable image with every pending write applied. */
        byte[] current() {
            byte[] image = durable.clone();
            for (Object op : pending) {
                image = apply(image, op);
            }
            return image;
        }

        @Override
        public void write(ByteBuffer src, long position) {
            long at = position;
            while (src.hasRemaining()) {
                int n = (int) Math.min(src.remaining(), SECTOR - at % SECTOR);
                byte[] b = new byte[n];
                src.get(b);
                power.step();
                pending.add(new Piece(at, b));
                at += n;
            }
        }

        @Override
        public int read(ByteBuffer dst, long position) {
            byte[] image = current();
            int n = (int) Math.max(0, Math.min(dst.remaining(), image.length - position));
            dst.put(image, (int) position, n);
            return n;
        }

        @Override
        public void force() {
            power.step();
            durable = current();
            pending.clear();
        }

        @Override
        public void truncate(long size) {
            power.step();
            pending.add(size);
        }

        @Override
        public long size() {
            return current().length;
        }

        /** The power fails: each pending write survives or not; returns the image on the disk. */
        byte[] crash(Random random) {
            byte[] image = durable.clone();
            for (Object op : pending) {
                if (random.nextBoolean()) {
                    image = apply(image, op);
                }
            }
            return image;
        }
    }

    private static byte[] filled(int length, int value) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        return b;
    }

    /** Runs one atomic write with the power failing at {@code step}; returns [lun, journal] images and whether it returned. */
    private static Object[] writeAndCrash(byte[] lunImage, byte[] journalImage, int step, Random random) {
        Power power = new Power(step);
        CrashableFile lun = new CrashableFile(lunImage, power);
        CrashableFile journal = new CrashableFile(journalImage, power);
        boolean returned;
        try {
            new AtomicWriteJournal(journal, lun, LUN_BYTES, 1 << 20).write(OFFSET, ByteBuffer.wrap(filled(LENGTH, 0x22)));
            returned = true;
        } catch (PowerLoss | IOException e) {
            returned = false;
        }
        return new Object[] {lun.crash(random), journal.crash(random), returned};
    }

    private static void assertWholeOldOrWholeNew(byte[] lun, boolean mustBeNew, String where) {
        byte[] range = Arrays.copyOfRange(lun, OFFSET, OFFSET + LENGTH);
        boolean allNew = Arrays.equals(range, filled(LENGTH, 0x22));
        boolean allOld = Arrays.equals(range, filled(LENGTH, 0x11));
        assertTrue(allNew || (allOld && !mustBeNew), where + ": " + (mustBeNew ? "a completed write is lost or torn"
                : "the blocks are torn"));
        assertArrayEquals(filled(OFFSET, 0x11), Arrays.copyOf(lun, OFFSET), where + ": blocks before changed");
        assertArrayEquals(filled(LUN_BYTES - OFFSET - LENGTH, 0x11), Arrays.copyOfRange(lun, OFFSET + LENGTH, LUN_BYTES),
                where + ": blocks after changed");
    }

    @Test
    void aPowerLossAtAnyStepLeavesAllOldOrAllNewAfterRecovery() throws IOException {
        int steps = 0;
        boolean sawOld = false;
        boolean sawNew = false;
        for (int step = 0; ; step++) {
            boolean finished = false;
            for (int seed = 0; seed < SEEDS; seed++) {
                Random random = new Random(step * 1000L + seed);
                Object[] r = writeAndCrash(filled(LUN_BYTES, 0x11), new byte[0], step, random);
                boolean returned = (Boolean) r[2];
                finished = returned;
                // Recovery itself may lose power, at any of its steps; then it runs again on what survived.
                byte[] lun = (byte[]) r[0];
                byte[] journal = (byte[]) r[1];
                int recoveryCrash = random.nextInt(12);
                Power power = new Power(recoveryCrash);
                CrashableFile lunFile = new CrashableFile(lun, power);
                CrashableFile journalFile = new CrashableFile(journal, power);
                try {
                    new AtomicWriteJournal(journalFile, lunFile, LUN_BYTES, 1 << 20).recover("test");
                    lun = lunFile.crash(random);
                    journal = journalFile.crash(random);
                } catch (PowerLoss e) {
                    lun = lunFile.crash(random);
                    journal = journalFile.crash(random);
                }
                CrashableFile again = new CrashableFile(lun, new Power(Integer.MAX_VALUE));
                CrashableFile againJournal = new CrashableFile(journal, new Power(Integer.MAX_VALUE));
                new AtomicWriteJournal(againJournal, again, LUN_BYTES, 1 << 20).recover("test");
                byte[] after = again.current();
                assertWholeOldOrWholeNew(after, returned, "power lost at step " + step + " seed " + seed);
                assertEquals(0, againJournal.size(), "the journal is empty after recovery");
                byte[] range = Arrays.copyOfRange(after, OFFSET, OFFSET + LENGTH);
                sawNew |= range[0] == 0x22;
                sawOld |= range[0] == 0x11;
            }
            if (finished) {
                steps = step;
                break;
            }
        }
        assertTrue(steps > LENGTH / SECTOR, "the write went through many steps: " + steps);
        assertTrue(sawOld && sawNew, "crashes left both outcomes");
    }

    /** The simulation really tears: the same crashes on a plain in-place write leave mixed blocks. */
    @Test
    void withoutTheJournalTheSameCrashesTearTheWrite() {
        boolean torn = false;
        for (int seed = 0; seed < SEEDS && !torn; seed++) {
            Power power = new Power(4);                   // after four of the eight sectors
            CrashableFile lun = new CrashableFile(filled(LUN_BYTES, 0x11), power);
            try {
                lun.write(ByteBuffer.wrap(filled(LENGTH, 0x22)), OFFSET);
                lun.force();
            } catch (PowerLoss e) {
                // expected
            }
            byte[] range = Arrays.copyOfRange(lun.crash(new Random(seed)), OFFSET, OFFSET + LENGTH);
            torn = !Arrays.equals(range, filled(LENGTH, 0x11)) && !Arrays.equals(range, filled(LENGTH, 0x22));
        }
        assertTrue(torn);
    }

    @Test
    void aRecordCorruptedInTheMiddleIsNotReplayed() throws IOException {
        // The record takes 9 sector writes and a force; the power fails as the in-place write begins.
        Power power = new Power(10);
        CrashableFile lun = new CrashableFile(filled(LUN_BYTES, 0x11), power);
        CrashableFile journal = new CrashableFile(new byte[0], power);
        try {
            new AtomicWriteJournal(journal, lun, LUN_BYTES, 1 << 20).write(OFFSET, ByteBuffer.wrap(filled(LENGTH, 0x22)));
        } catch (PowerLoss e) {
            // expected
        }
        assertArrayEquals(filled(LUN_BYTES, 0x11), lun.current(), "the in-place write had not begun");
        CrashableFile survivingJournal = new CrashableFile(journal.current(), new Power(Integer.MAX_VALUE));
        // One data sector of the record holds other bytes (an older record's, say): the CRC no longer matches.
        survivingJournal.write(ByteBuffer.wrap(filled(SECTOR, 0x33)), AtomicWriteJournal.HEADER + 3 * SECTOR);
        CrashableFile survivingLun = new CrashableFile(lun.current(), new Power(Integer.MAX_VALUE));
        new AtomicWriteJournal(survivingJournal, survivingLun, LUN_BYTES, 1 << 20).recover("test");
        assertArrayEquals(filled(LUN_BYTES, 0x11), survivingLun.current(), "a corrupt record is not replayed");
        assertEquals(0, survivingJournal.size());
    }
}
