package org.vaaitarget.core.lu;

import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.core.lu.ua.UnitAttentions;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.store.BlockStore;

/**
 * The thin-provisioning soft threshold of one LU (SBC-4 4.7.3.7, ESXI-NOTES 2.6): when the store's
 * allocated space reaches the configured percentage of the LU's capacity, every I_T nexus gets one
 * UNIT ATTENTION / THIN PROVISIONING SOFT THRESHOLD REACHED (38h/07h); ESXi raises a datastore alarm.
 * The condition re-arms when a later measurement finds the allocation below the threshold again (after
 * UNMAP), so each upward crossing is reported once.
 *
 * <p><b>Cost.</b> Measuring walks the file's extents on the store's executor, so it runs at most once at a
 * time, and only after writes: when {@code checkEveryBytes} have been written since the last measurement,
 * or when {@code checkEveryNanos} have passed since it and anything was written.
 *
 * <p><b>Deviation (documented):</b> SBC-4 configures thresholds through the Logical Block Provisioning mode
 * page (1Ch/02h) threshold descriptors and advertises them with a non-zero THRESHOLD EXPONENT in VPD B2h.
 * Here the threshold is set by the operator (per-LUN {@code softThresholdPercent}); the mode page is not
 * offered and THRESHOLD EXPONENT stays 0, so initiators cannot change it. The unit attention itself is the
 * one SBC-4 defines, established for all I_T nexuses as with SITUA=0.
 */
public final class SoftThresholdMonitor {
    private static final Logger LOG = LoggerFactory.getLogger(SoftThresholdMonitor.class);
    public static final long DEFAULT_CHECK_EVERY_BYTES = 64L << 20;
    public static final long DEFAULT_CHECK_EVERY_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final BlockStore store;
    private final UnitAttentions unitAttentions;
    private final int percent;
    private final long checkEveryBytes;
    private final long checkEveryNanos;
    private final LongSupplier nanoClock;
    private final AtomicLong writtenSinceCheck = new AtomicLong();
    private final AtomicBoolean measuring = new AtomicBoolean();
    private volatile long lastCheckNanos;
    private volatile boolean reached;

    /** @param percent 0 disables the monitor; 1..100 */
    public SoftThresholdMonitor(BlockStore store, UnitAttentions unitAttentions, int percent) {
        this(store, unitAttentions, percent, DEFAULT_CHECK_EVERY_BYTES, DEFAULT_CHECK_EVERY_NANOS, System::nanoTime);
    }

    public SoftThresholdMonitor(BlockStore store, UnitAttentions unitAttentions, int percent,
                                long checkEveryBytes, long checkEveryNanos, LongSupplier nanoClock) {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("soft threshold percent out of range: " + percent);
        }
        this.store = store;
        this.unitAttentions = unitAttentions;
        this.percent = percent;
        this.checkEveryBytes = checkEveryBytes;
        this.checkEveryNanos = checkEveryNanos;
        this.nanoClock = nanoClock;
        this.lastCheckNanos = nanoClock.getAsLong();
    }

    public boolean enabled() {
        return percent > 0;
    }

    /** The configured percentage (0 = off). */
    public int percent() {
        return percent;
    }

    /** Whether the last measurement found the allocation at or above the threshold. */
    public boolean reached() {
        return reached;
    }

    /** Called after a completed write of {@code bytes}; starts a measurement when one is due. Never blocks. */
    public void written(long bytes) {
        if (!enabled() || bytes <= 0) {
            return;
        }
        long pending = writtenSinceCheck.addAndGet(bytes);
        if (pending < checkEveryBytes && nanoClock.getAsLong() - lastCheckNanos < checkEveryNanos) {
            return;
        }
        checkNow();
    }

    /**
     * Measures now unless a measurement is already running.
     *
     * @return completes when the measurement (if any) has been evaluated; never fails
     */
    public CompletableFuture<Void> checkNow() {
        if (!enabled() || !measuring.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(null);
        }
        writtenSinceCheck.set(0);
        lastCheckNanos = nanoClock.getAsLong();
        CompletableFuture<OptionalLong> measured;
        try {
            measured = store.allocatedBlocks();
        } catch (RuntimeException e) {
            measured = CompletableFuture.failedFuture(e);
        }
        return measured.handle((allocated, error) -> {
            try {
                if (error != null) {
                    LOG.debug("soft threshold: measuring the allocation failed: {}", error.toString());
                } else if (allocated.isPresent()) {
                    evaluate(allocated.getAsLong());
                }
            } finally {
                measuring.set(false);
            }
            return null;
        });
    }

    private void evaluate(long allocatedBlocks) {
        boolean over = allocatedBlocks * 100 >= (long) percent * store.blockCount();
        if (over && !reached) {
            reached = true;
            LOG.warn("thin provisioning soft threshold reached: {} of {} blocks allocated (threshold {}%)",
                    allocatedBlocks, store.blockCount(), percent);
            unitAttentions.raiseForAll(SenseReason.THIN_PROVISIONING_SOFT_THRESHOLD_REACHED, null);
        } else if (!over && reached) {
            reached = false;
            LOG.info("thin provisioning allocation back below the soft threshold: {} of {} blocks ({}%)",
                    allocatedBlocks, store.blockCount(), percent);
        }
    }
}
