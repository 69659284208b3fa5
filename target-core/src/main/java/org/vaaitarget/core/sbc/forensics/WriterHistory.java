package org.vaaitarget.core.sbc.forensics;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.vaaitarget.core.scsi.ItNexus;

/**
 * A bounded per-LU memory of who last wrote which block, so that a COMPARE AND WRITE miscompare can
 * name the other party (VMFS "ATS miscompare" investigations always start with "who wrote that
 * sector?").
 *
 * <p><b>What is recorded.</b> Every block of every completed write of at most
 * {@link #DEFAULT_MAX_RECORDED_BLOCKS} blocks (WRITE family, WRITE AND VERIFY, COMPARE AND WRITE, small
 * WRITE SAME and UNMAP ranges). VMFS on-disk locks and heartbeat slots are single sectors written by ATS
 * or by small WRITEs, so small writes are the ones that matter; larger writes are guest data and are
 * skipped.
 *
 * <p><b>How.</b> A direct-mapped table: block {@code b} lives in slot {@code b mod size}, and a later
 * write of a block with the same slot replaces it. Consecutive blocks never collide, so a VMFS lock or
 * heartbeat region (far smaller than the table) is remembered until guest writes elsewhere land on the
 * same slots. Recording is one allocation and a few array stores, with no locks and no background
 * maintenance: it runs for every small write, so it must cost next to nothing (the strings of the
 * {@link WriteRecord} are made only when one is asked for). (A Caffeine cache did
 * this before; its per-put eviction work was 12 % of the target's CPU under 4 KiB writes, measured with
 * async-profiler.)
 *
 * <p>Thread-safe; callers record after the store write completed, while still holding the range lock,
 * so the last record stored for a block is the last write of it.
 */
public final class WriterHistory {
    public static final int DEFAULT_SLOTS = 16_384;
    public static final int DEFAULT_MAX_RECORDED_BLOCKS = 16;

    private final AtomicReferenceArray<Entry> slots;
    private final int maxRecordedBlocks;
    private final Clock clock;

    public WriterHistory() {
        this(DEFAULT_SLOTS, DEFAULT_MAX_RECORDED_BLOCKS, Clock.systemUTC());
    }

    /**
     * @param slots             table size (blocks remembered at most); at least {@code maxRecordedBlocks}
     * @param maxRecordedBlocks writes of more blocks are not recorded
     */
    public WriterHistory(int slots, int maxRecordedBlocks, Clock clock) {
        if (slots < Math.max(1, maxRecordedBlocks)) {
            throw new IllegalArgumentException("slots (" + slots + ") must be at least maxRecordedBlocks ("
                    + maxRecordedBlocks + ")");
        }
        this.slots = new AtomicReferenceArray<>(slots);
        this.maxRecordedBlocks = maxRecordedBlocks;
        this.clock = clock;
    }

    /** Records a completed write of [lba, lba + blocks) by {@code nexus}; larger writes are skipped. */
    public void recordWrite(long lba, long blocks, ItNexus nexus, String command) {
        if (lba < 0 || blocks <= 0 || blocks > maxRecordedBlocks) {
            return;
        }
        // One small object and no strings: this runs under the range lock of every small write. The
        // initiator port name and the Instant are made only when a miscompare asks (lastWriter).
        Entry r = new Entry(nexus, command, lba, blocks, clock.millis());
        for (long b = lba; b < lba + blocks; b++) {
            slots.set(slotOf(b), r);
        }
    }

    /** The last recorded writer of a block, or null when none is remembered. */
    public WriteRecord lastWriter(long lba) {
        if (lba < 0) {
            return null;
        }
        Entry r = slots.get(slotOf(lba));
        return r != null && lba >= r.lba && lba - r.lba < r.blocks ? r.record() : null;
    }

    /** What a slot holds: the write as recorded, and its {@link WriteRecord} once one was asked for. */
    private static final class Entry {
        final ItNexus nexus;
        final String command;
        final long lba;
        final long blocks;
        final long millis;
        /** Made at the first lookup (racing lookups may each make one: equal values, either may stay). */
        private WriteRecord record;

        Entry(ItNexus nexus, String command, long lba, long blocks, long millis) {
            this.nexus = nexus;
            this.command = command;
            this.lba = lba;
            this.blocks = blocks;
            this.millis = millis;
        }

        WriteRecord record() {
            WriteRecord r = record;
            if (r == null) {
                // hosts racing for one block look up the same winner's entry many times: one record for all
                r = new WriteRecord(nexus.initiatorPortName(), command, lba, blocks, Instant.ofEpochMilli(millis));
                record = r;
            }
            return r;
        }
    }

    private int slotOf(long lba) {
        return (int) Long.remainderUnsigned(lba, slots.length());
    }
}
