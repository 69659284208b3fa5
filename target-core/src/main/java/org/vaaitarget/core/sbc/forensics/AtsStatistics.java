package org.vaaitarget.core.sbc.forensics;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.vaaitarget.core.observe.MiscompareCause;
import org.vaaitarget.core.scsi.ItNexus;

/**
 * Per-LU COMPARE AND WRITE (ATS) counters, in one place, for the LU as a whole and for each initiator
 * (by initiator name, so all sessions and paths of one host count together): attempts, successes,
 * miscompares by {@link MiscompareCause}, and how long they waited for their range lock (with p50/p99
 * from an HdrHistogram). Also keeps the most recent miscompare report. Always on (metrics or not): the
 * periodic {@code org.vaaitarget.ats.stats} log line and the ATS statistics report read it.
 * Thread-safe; recording is wait-free.
 */
public final class AtsStatistics {
    /** Initiators tracked separately per LU; the rest count under {@link #OTHER_INITIATORS}. */
    static final int MAX_INITIATORS = 1024;
    /** The initiator key that collects initiators beyond {@link #MAX_INITIATORS}. */
    public static final String OTHER_INITIATORS = "(other initiators)";

    private final Counters all = new Counters();
    private final ConcurrentHashMap<String, Counters> byInitiator = new ConcurrentHashMap<>();
    private volatile MiscompareReport lastMiscompare;
    private final MiscompareLogBudget logBudget = new MiscompareLogBudget();

    /**
     * A COMPARE AND WRITE that reached the medium check (NLB &gt; 0, CDB valid). Returns the counters of its
     * initiator, which the caller passes to the other recording methods (one lookup per command).
     */
    public Counters started(ItNexus nexus) {
        Counters who = countersOf(nexus.initiatorName());
        all.attempts.increment();
        who.attempts.increment();
        return who;
    }

    /** It got its range lock after {@code nanos}. */
    public void lockWaited(Counters who, long nanos) {
        all.lockWaited(nanos);
        who.lockWaited(nanos);
    }

    public void succeeded(Counters who) {
        all.succeeded.increment();
        who.succeeded.increment();
    }

    public void miscompared(Counters who, MiscompareReport report) {
        all.miscompared(report.cause());
        who.miscompared(report.cause());
        lastMiscompare = report;
    }

    public long total() {
        return all.attempts.sum();
    }

    public long succeededCount() {
        return all.succeeded.sum();
    }

    public long miscomparedCount() {
        return all.miscompares();
    }

    /** Miscompares of this LU with {@code cause}. */
    public long miscomparedCount(MiscompareCause cause) {
        return all.byCause[cause.ordinal()].sum();
    }

    public long lockWaitNanosTotal() {
        return all.lockWaitNanosTotal.sum();
    }

    public long lockWaitNanosMax() {
        return all.lockWaitNanosMax.get();
    }

    /** How many of this LU's miscompare records may be WARN records. */
    public MiscompareLogBudget logBudget() {
        return logBudget;
    }

    /** The most recent miscompare on this LU, or null. */
    public MiscompareReport lastMiscompare() {
        return lastMiscompare;
    }

    /** The LU's counters now (all initiators). */
    public Snapshot snapshot() {
        return all.snapshot();
    }

    /** Each initiator's counters now, by initiator name, sorted. */
    public Map<String, Snapshot> snapshotByInitiator() {
        Map<String, Snapshot> out = new TreeMap<>();
        byInitiator.forEach((name, c) -> out.put(name, c.snapshot()));
        return out;
    }

    /**
     * One line for logs and operators: {@code total=.. succeeded=.. miscompared=.. contention=.. ownWrite=..
     * unexplained=.. lockWaitAvgUs=.. lockWaitP50Us=.. lockWaitP99Us=.. lockWaitMaxUs=..}. Lock wait is the
     * time a COMPARE AND WRITE queued behind overlapping commands.
     */
    public String summary() {
        Snapshot s = snapshot();
        long n = s.attempts();
        long avgMicros = n == 0 ? 0 : lockWaitNanosTotal() / n / 1000;
        return "total=" + n + " succeeded=" + s.succeeded() + " miscompared=" + s.miscompared()
                + " contention=" + s.contention() + " ownWrite=" + s.ownWrite() + " unexplained=" + s.unexplained()
                + " lockWaitAvgUs=" + avgMicros + " lockWaitP50Us=" + s.lockWaitP50Micros()
                + " lockWaitP99Us=" + s.lockWaitP99Micros() + " lockWaitMaxUs=" + s.lockWaitMaxMicros();
    }

    private Counters countersOf(String initiator) {
        Counters c = byInitiator.get(initiator);
        if (c != null) {
            return c;
        }
        String key = byInitiator.size() >= MAX_INITIATORS ? OTHER_INITIATORS : initiator;
        return byInitiator.computeIfAbsent(key, k -> new Counters());
    }

    /**
     * The counters of one LU or of one initiator on it at one moment.
     *
     * @param attempts          COMPARE AND WRITEs that reached the compare (valid CDB, NLB &gt; 0)
     * @param succeeded         those that matched and wrote
     * @param contention        miscompares: the block was last written by another initiator
     * @param ownWrite          miscompares: last written by the same initiator
     * @param unexplained       miscompares: no recorded write explains the content
     * @param lockWaitP50Micros median time waiting for the range lock, microseconds (since start)
     * @param lockWaitP99Micros 99th percentile of it
     * @param lockWaitMaxMicros longest wait
     */
    public record Snapshot(long attempts, long succeeded, long contention, long ownWrite, long unexplained,
                           long lockWaitP50Micros, long lockWaitP99Micros, long lockWaitMaxMicros) {
        /** All miscompares. */
        public long miscompared() {
            return contention + ownWrite + unexplained;
        }

        /**
         * {@code total=.. succeeded=.. miscompared=.. contention=.. ownWrite=.. unexplained=.. lockWaitP50Us=..
         * lockWaitP99Us=.. lockWaitMaxUs=..}
         */
        public String summary() {
            return "total=" + attempts + " succeeded=" + succeeded + " miscompared=" + miscompared()
                    + " contention=" + contention + " ownWrite=" + ownWrite + " unexplained=" + unexplained
                    + " lockWaitP50Us=" + lockWaitP50Micros + " lockWaitP99Us=" + lockWaitP99Micros
                    + " lockWaitMaxUs=" + lockWaitMaxMicros;
        }

        /** Miscompares with {@code cause}. */
        public long miscompared(MiscompareCause cause) {
            return switch (cause) {
                case CONTENTION -> contention;
                case OWN_WRITE -> ownWrite;
                case UNEXPLAINED -> unexplained;
            };
        }
    }

    /** The counters of the LU or of one initiator; opaque to callers. */
    public static final class Counters {
        /** Waits are recorded in microseconds, up to an hour, to 2 significant digits (1 % error). */
        private static final long MAX_WAIT_MICROS = 3_600_000_000L;

        private final LongAdder attempts = new LongAdder();
        private final LongAdder succeeded = new LongAdder();
        private final LongAdder[] byCause = new LongAdder[MiscompareCause.values().length];
        private final LongAdder lockWaitNanosTotal = new LongAdder();
        private final LongAccumulator lockWaitNanosMax = new LongAccumulator(Math::max, 0);
        private final ConcurrentHistogram lockWaitMicros = new ConcurrentHistogram(MAX_WAIT_MICROS, 2);

        Counters() {
            for (int i = 0; i < byCause.length; i++) {
                byCause[i] = new LongAdder();
            }
        }

        private void lockWaited(long nanos) {
            long n = Math.max(0, nanos);
            lockWaitNanosTotal.add(n);
            lockWaitNanosMax.accumulate(n);
            lockWaitMicros.recordValue(Math.min(MAX_WAIT_MICROS, n / 1000));
        }

        private void miscompared(MiscompareCause cause) {
            byCause[cause.ordinal()].increment();
        }

        private long miscompares() {
            long n = 0;
            for (LongAdder a : byCause) {
                n += a.sum();
            }
            return n;
        }

        private Snapshot snapshot() {
            Histogram h = lockWaitMicros.copy();
            boolean any = h.getTotalCount() > 0;
            return new Snapshot(attempts.sum(), succeeded.sum(),
                    byCause[MiscompareCause.CONTENTION.ordinal()].sum(),
                    byCause[MiscompareCause.OWN_WRITE.ordinal()].sum(),
                    byCause[MiscompareCause.UNEXPLAINED.ordinal()].sum(),
                    any ? h.getValueAtPercentile(50) : 0, any ? h.getValueAtPercentile(99) : 0,
                    lockWaitNanosMax.get() / 1000);
        }
    }
}
