package org.vaaitarget.core.sbc.forensics;

import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-LU COMPARE AND WRITE (ATS) counters, in one place: how many ran, how many wrote, how many
 * miscompared, and how long they waited for their range lock. Also keeps the most recent miscompare
 * report for diagnostics. Thread-safe, cheap to update.
 */
public final class AtsStatistics {
    private final LongAdder total = new LongAdder();
    private final LongAdder succeeded = new LongAdder();
    private final LongAdder miscompared = new LongAdder();
    private final LongAdder lockWaitNanosTotal = new LongAdder();
    private final LongAccumulator lockWaitNanosMax = new LongAccumulator(Math::max, 0);
    private volatile MiscompareReport lastMiscompare;
    private final MiscompareLogBudget logBudget = new MiscompareLogBudget();

    /** A COMPARE AND WRITE that reached the medium check (NLB &gt; 0, CDB valid). */
    public void started() {
        total.increment();
    }

    public void lockWaited(long nanos) {
        lockWaitNanosTotal.add(nanos);
        lockWaitNanosMax.accumulate(nanos);
    }

    public void succeeded() {
        succeeded.increment();
    }

    public void miscompared(MiscompareReport report) {
        miscompared.increment();
        lastMiscompare = report;
    }

    public long total() {
        return total.sum();
    }

    public long succeededCount() {
        return succeeded.sum();
    }

    public long miscomparedCount() {
        return miscompared.sum();
    }

    public long lockWaitNanosTotal() {
        return lockWaitNanosTotal.sum();
    }

    public long lockWaitNanosMax() {
        return lockWaitNanosMax.get();
    }

    /** How many of this LU's miscompare records may be WARN records. */
    public MiscompareLogBudget logBudget() {
        return logBudget;
    }

    /** The most recent miscompare on this LU, or null. */
    public MiscompareReport lastMiscompare() {
        return lastMiscompare;
    }

    /**
     * One line for logs and operators: {@code total=.. succeeded=.. miscompared=.. lockWaitAvgUs=..
     * lockWaitMaxUs=..}. Lock wait is the time a COMPARE AND WRITE queued behind overlapping commands.
     */
    public String summary() {
        long n = total();
        long avgMicros = n == 0 ? 0 : lockWaitNanosTotal() / n / 1000;
        return "total=" + n + " succeeded=" + succeededCount() + " miscompared=" + miscomparedCount()
                + " lockWaitAvgUs=" + avgMicros + " lockWaitMaxUs=" + lockWaitNanosMax() / 1000;
    }
}
