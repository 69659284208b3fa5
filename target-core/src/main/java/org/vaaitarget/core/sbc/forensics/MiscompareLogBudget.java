package org.vaaitarget.core.sbc.forensics;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * How many miscompare records of one LU may be WARN records: at most {@link #WARN_PER_SECOND} a second;
 * the rest of that second's records go out at DEBUG, and the first record of a later second is preceded
 * by one WARN line counting them. Hosts racing for a VMFS lock miscompare thousands of times a second,
 * which is normal ATS contention; a WARN line each would flood the log and cost the target a tenth of
 * its CPU (measured: 8,000 records a second with 8 sessions on one block). Every miscompare still
 * counts in {@link AtsStatistics} and, with DEBUG enabled on {@value MiscompareReport#LOGGER_NAME}, is
 * logged in full. Thread-safe.
 */
public final class MiscompareLogBudget {
    public static final int WARN_PER_SECOND = 20;
    private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final LongSupplier nanoClock;
    private boolean started;
    private long windowStart;
    private int warned;
    private long demoted;
    private long demotedBefore;

    public MiscompareLogBudget() {
        this(System::nanoTime);
    }

    /** @param nanoClock a monotonic clock in nanoseconds (tests pass a fake one) */
    public MiscompareLogBudget(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** Whether the next record may be a WARN record (true) or goes out at DEBUG (false). */
    public synchronized boolean admitWarn() {
        long now = nanoClock.getAsLong();
        if (!started || now - windowStart >= WINDOW_NANOS) {
            started = true;
            windowStart = now;
            demotedBefore += demoted;
            demoted = 0;
            warned = 0;
        }
        if (warned < WARN_PER_SECOND) {
            warned++;
            return true;
        }
        demoted++;
        return false;
    }

    /** How many records went out at DEBUG in earlier seconds and were not yet counted in a WARN line; resets it. */
    public synchronized long takeDemoted() {
        long n = demotedBefore;
        demotedBefore = 0;
        return n;
    }
}
