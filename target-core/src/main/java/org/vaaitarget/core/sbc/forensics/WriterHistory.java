package org.vaaitarget.core.sbc.forensics;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import org.vaaitarget.core.scsi.ItNexus;

/**
 * A bounded per-LU memory of who last wrote which block, so that a COMPARE AND WRITE miscompare can
 * name the other party (VMFS "ATS miscompare" investigations always start with "who wrote that
 * sector?").
 *
 * <p><b>What is recorded.</b> Every block of every completed write of at most
 * {@link #DEFAULT_MAX_RECORDED_BLOCKS} blocks (WRITE family, WRITE AND VERIFY, COMPARE AND WRITE).
 * VMFS on-disk locks and heartbeat slots are single sectors written by ATS or by small WRITEs, so small
 * writes are the ones that matter; larger writes are guest data and are skipped, which keeps the cost
 * of the hot path at zero for them and at a few cache puts for the rest. Nothing was measured; the
 * bound is a judgement. Entries are evicted by Caffeine's size bound (least recently/frequently used).
 *
 * <p>Thread-safe; callers record after the store write completed, while still holding the range lock.
 */
public final class WriterHistory {
    public static final int DEFAULT_MAX_ENTRIES = 16_384;
    public static final int DEFAULT_MAX_RECORDED_BLOCKS = 16;

    private final Cache<Long, WriteRecord> lastWriter;
    private final int maxRecordedBlocks;
    private final Clock clock;

    public WriterHistory() {
        this(DEFAULT_MAX_ENTRIES, DEFAULT_MAX_RECORDED_BLOCKS, Clock.systemUTC());
    }

    public WriterHistory(long maxEntries, int maxRecordedBlocks, Clock clock) {
        this.lastWriter = Caffeine.newBuilder().maximumSize(maxEntries).build();
        this.maxRecordedBlocks = maxRecordedBlocks;
        this.clock = clock;
    }

    /** Records a completed write of [lba, lba + blocks) by {@code nexus}; larger writes are skipped. */
    public void recordWrite(long lba, long blocks, ItNexus nexus, String command) {
        if (blocks <= 0 || blocks > maxRecordedBlocks) {
            return;
        }
        WriteRecord r = new WriteRecord(nexus.initiatorPortName(), command, lba, blocks, clock.instant());
        for (long b = lba; b < lba + blocks; b++) {
            lastWriter.put(b, r);
        }
    }

    /** The last recorded writer of a block, or null when none is remembered. */
    public WriteRecord lastWriter(long lba) {
        return lastWriter.getIfPresent(lba);
    }
}
