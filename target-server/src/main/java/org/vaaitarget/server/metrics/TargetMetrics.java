package org.vaaitarget.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.Collection;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.vaaitarget.core.observe.CommandOp;
import org.vaaitarget.core.observe.LunObserver;
import org.vaaitarget.core.observe.MiscompareCause;
import org.vaaitarget.core.observe.TargetObserver;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.sense.SenseKey;
import org.vaaitarget.server.pdu.LoginStatus;
import org.vaaitarget.server.session.Session;
import org.vaaitarget.server.session.SessionRegistry;

/**
 * The target's metrics in a Micrometer Prometheus registry: the fixed {@code vaai_target_*} series
 * (README "Metrics"), the JVM's memory, GC, threads, class loading, CPU and uptime, and Netty's buffer
 * allocator. Implements the core's {@link TargetObserver} and the iSCSI layer's {@link ServerEvents}.
 *
 * <p>Hot path: every per-LUN counter and histogram the command path touches is registered when the
 * LU's observer is made ({@link #lun}), so a completed command costs a few adder increments and one
 * histogram update, with no lookup and no allocation. Error counters (op x sense key) are registered on
 * their first occurrence only, so that a LUN does not export a hundred zero series.
 *
 * <p>The two histograms (command duration, ATS lock wait) are the Prometheus client's own classic
 * histograms (prometheus-metrics-core, which the Micrometer registry is built on), registered in the same
 * registry: measured in a single-thread loop they cost about 80 ns per observation against about 300 ns
 * for a Micrometer {@code Timer} with the same buckets (which also keeps a decaying max and a
 * time-windowed histogram), and the command path records one per command.
 *
 * <p>Micrometer names are given without the suffixes its Prometheus naming adds ({@code _total} for
 * counters, the base unit for gauges), so the exposed names are exactly the documented ones (checked
 * by scraping in {@code MetricsScrapeTest}).
 */
public final class TargetMetrics implements TargetObserver, ServerEvents, AutoCloseable {
    /** Histogram buckets (seconds) of command durations and ATS lock waits: 10 us (a cached read) to 10 s. */
    private static final double[] BUCKETS = {10e-6, 25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3,
        50e-3, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    private static final double NANOS_PER_SECOND = 1e9;

    /** The {@code result} label of {@code vaai_target_logins_total}. */
    static final String[] LOGIN_RESULTS = {"success", "authentication_failure", "authorization_failure", "other"};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final AtomicInteger connections = new AtomicInteger();
    private final Counter taskSetFull;
    private final Counter[] logins = new Counter[LOGIN_RESULTS.length];
    private final ConcurrentHashMap<String, Counter> taskManagement = new ConcurrentHashMap<>();
    private final Histogram commandDuration = Histogram.builder().name("vaai_target_command_duration_seconds")
            .unit(Unit.SECONDS).help("time from a command's submission to the SCSI engine to its completion")
            .labelNames("target", "lun", "op").classicUpperBounds(BUCKETS).classicOnly().withoutExemplars()
            .register(registry.getPrometheusRegistry());
    private final Histogram atsLockWait = Histogram.builder().name("vaai_target_ats_lock_wait_seconds")
            .unit(Unit.SECONDS).help("time a COMPARE AND WRITE waited for its range lock")
            .labelNames("target", "lun").classicUpperBounds(BUCKETS).classicOnly().withoutExemplars()
            .register(registry.getPrometheusRegistry());

    public TargetMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider) {
            // netty_allocator_memory_used{memory_type="direct"}: the bytes Netty's allocator holds
            // (the JVM's direct buffer pool is jvm_buffer_memory_used_bytes{id="direct"})
            new NettyAllocatorMetrics(provider).bindTo(registry);
        }
        Gauge.builder("vaai.target.connections", connections, AtomicInteger::get)
                .description("TCP connections open (logins in progress included)").register(registry);
        taskSetFull = Counter.builder("vaai.target.task_set_full")
                .description("commands answered TASK SET FULL (target task limit, store queue or connection write buffer)")
                .register(registry);
        for (int i = 0; i < LOGIN_RESULTS.length; i++) {
            logins[i] = Counter.builder("vaai.target.logins").tag("result", LOGIN_RESULTS[i])
                    .description("logins by outcome").register(registry);
        }
    }

    /** The registry (tests, further binders). */
    public MeterRegistry registry() {
        return registry;
    }

    /** Everything in the Prometheus text format (version 0.0.4). */
    public String scrape() {
        return registry.scrape();
    }

    /** Exports {@code vaai_target_sessions{target}}: the live normal sessions of each of {@code targets}. */
    public void bindSessions(SessionRegistry sessions, Collection<String> targets) {
        for (String target : targets) {
            Gauge.builder("vaai.target.sessions", sessions, s -> count(s, target)).tag("target", target)
                    .description("normal sessions logged in").register(registry);
        }
    }

    private static double count(SessionRegistry sessions, String target) {
        int n = 0;
        for (Session s : sessions.all()) {
            if (s.target() != null && s.target().name().equals(target)) {
                n++;
            }
        }
        return n;
    }

    /**
     * A LU's meters; for {@code lun} -1 (commands to a LUN that does not exist: INQUIRY and REPORT LUNS
     * probes) only {@code vaai_target_commands_total} and {@code vaai_target_command_errors_total} with
     * {@code lun="none"}, registered when first used.
     */
    @Override
    public LunObserver lun(String target, int lun) {
        return lun < 0 ? new NoLunMeters(target) : new LunMeters(target, Integer.toString(lun));
    }

    @Override
    public void login(LoginStatus status) {
        logins[status == LoginStatus.SUCCESS ? 0 : status == LoginStatus.AUTHENTICATION_FAILURE ? 1
                : status == LoginStatus.AUTHORIZATION_FAILURE ? 2 : 3].increment();
    }

    @Override
    public void connectionOpened() {
        connections.incrementAndGet();
    }

    @Override
    public void connectionClosed() {
        connections.decrementAndGet();
    }

    @Override
    public void taskManagement(int function, String response) {
        String fn = functionName(function);
        String rsp = response.toLowerCase(Locale.ROOT);
        taskManagement.computeIfAbsent(fn + '/' + rsp, k -> Counter.builder("vaai.target.task_management")
                .tag("function", fn).tag("response", rsp).description("task management functions answered")
                .register(registry)).increment();
    }

    @Override
    public void taskSetFull() {
        taskSetFull.increment();
    }

    /** The {@code function} label: RFC 7143 11.5.1 function codes. */
    static String functionName(int function) {
        return switch (function) {
            case 1 -> "abort_task";
            case 2 -> "abort_task_set";
            case 3 -> "clear_aca";
            case 4 -> "clear_task_set";
            case 5 -> "logical_unit_reset";
            case 6 -> "target_warm_reset";
            case 7 -> "target_cold_reset";
            case 8 -> "task_reassign";
            default -> "other";
        };
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }

    /** The {@code sense_key} label of an error: the sense key's name, or the status's for other statuses. */
    static String errorLabel(int index) {
        if (index < 16) {
            for (SenseKey k : SenseKey.values()) {
                if (k.code() == index) {
                    return k.name().toLowerCase(Locale.ROOT);
                }
            }
            return "sense_key_" + index;
        }
        return index == UNKNOWN_SENSE ? "unknown" : STATUSES[index - 16].name().toLowerCase(Locale.ROOT);
    }

    /** Statuses other than GOOD and CHECK CONDITION, counted as errors by their own name. */
    private static final ScsiStatus[] STATUSES = ScsiStatus.values();
    private static final int UNKNOWN_SENSE = 16 + STATUSES.length;
    private static final int ERROR_KINDS = UNKNOWN_SENSE + 1;

    private static int errorIndex(ScsiStatus status, int senseKey) {
        if (status == ScsiStatus.CHECK_CONDITION) {
            return senseKey >= 0 && senseKey < 16 ? senseKey : UNKNOWN_SENSE;
        }
        return 16 + status.ordinal();
    }

    /** Error counters of one LU by (op, sense key or status), each registered on its first error. */
    private final class ErrorCounters {
        private final String target;
        private final String lun;
        private final AtomicReferenceArray<Counter> errors =
                new AtomicReferenceArray<>(CommandOp.values().length * ERROR_KINDS);

        ErrorCounters(String target, String lun) {
            this.target = target;
            this.lun = lun;
        }

        /** Counts a completion that was not GOOD. */
        void count(CommandOp op, ScsiStatus status, int senseKey) {
            if (status == ScsiStatus.CONDITION_MET) {
                return; // PRE-FETCH: not an error
            }
            if (status == ScsiStatus.TASK_SET_FULL) {
                taskSetFull.increment();
            }
            int slot = op.ordinal() * ERROR_KINDS + errorIndex(status, senseKey);
            Counter c = errors.get(slot);
            if (c == null) {
                c = Counter.builder("vaai.target.command.errors")
                        .tags("target", target, "lun", lun, "op", op.label(), "sense_key", errorLabel(slot % ERROR_KINDS))
                        .description("commands completed with an error status, by op and sense key (or status)")
                        .register(registry);   // the registry returns the same counter to a racing thread
                errors.compareAndSet(slot, null, c);
            }
            c.increment();
        }
    }

    /** Commands addressed to a LUN that does not exist: counted by op (and errors), lazily. */
    private final class NoLunMeters implements LunObserver {
        private final String target;
        private final AtomicReferenceArray<Counter> commands = new AtomicReferenceArray<>(CommandOp.values().length);
        private final ErrorCounters errors;

        NoLunMeters(String target) {
            this.target = target;
            this.errors = new ErrorCounters(target, "none");
        }

        @Override
        public void commandCompleted(CommandOp op, ScsiStatus status, int senseKey, long dataInBytes,
                                     long dataOutBytes, long durationNanos) {
            Counter c = commands.get(op.ordinal());
            if (c == null) {
                c = Counter.builder("vaai.target.commands").tags("target", target, "lun", "none", "op", op.label())
                        .description("SCSI commands completed").register(registry);
                commands.compareAndSet(op.ordinal(), null, c);
            }
            c.increment();
            if (status != ScsiStatus.GOOD) {
                errors.count(op, status, senseKey);
            }
        }
    }

    /** One LU's meters, all resolved up front except the error counters. */
    private final class LunMeters implements LunObserver {
        private final String target;
        private final String lun;
        private final Counter[] commands = new Counter[CommandOp.values().length];
        private final DistributionDataPoint[] durations = new DistributionDataPoint[CommandOp.values().length];
        private final ErrorCounters errors;
        private final Counter bytesRead;
        private final Counter bytesWritten;
        private final Counter atsSuccess;
        private final Counter atsMiscompare;
        private final Counter[] miscompares = new Counter[MiscompareCause.values().length];
        private final DistributionDataPoint lockWait;
        private final Counter xcopyBytes;
        private final Counter writeSameWritten;
        private final Counter writeSameUnmapped;
        private final Counter unmapBlocks;

        LunMeters(String target, String lun) {
            this.target = target;
            this.lun = lun;
            this.errors = new ErrorCounters(target, lun);
            for (CommandOp op : CommandOp.values()) {
                commands[op.ordinal()] = Counter.builder("vaai.target.commands").tags("target", target, "lun", lun,
                        "op", op.label()).description("SCSI commands completed").register(registry);
                durations[op.ordinal()] = commandDuration.labelValues(target, lun, op.label());
            }
            bytesRead = bytes("read");
            bytesWritten = bytes("write");
            atsSuccess = ats("success");
            atsMiscompare = ats("miscompare");
            for (MiscompareCause cause : MiscompareCause.values()) {
                miscompares[cause.ordinal()] = Counter.builder("vaai.target.ats.miscompares")
                        .tags("target", target, "lun", lun, "cause", cause.label())
                        .description("COMPARE AND WRITE miscompares by cause").register(registry);
            }
            lockWait = atsLockWait.labelValues(target, lun);
            xcopyBytes = Counter.builder("vaai.target.xcopy.bytes").baseUnit("bytes").tags("target", target, "lun", lun)
                    .description("bytes EXTENDED COPY wrote to this LUN").register(registry);
            writeSameWritten = writeSame("false");
            writeSameUnmapped = writeSame("true");
            unmapBlocks = Counter.builder("vaai.target.unmap.blocks").tags("target", target, "lun", lun)
                    .description("blocks UNMAP deallocated").register(registry);
        }

        private Counter bytes(String direction) {
            return Counter.builder("vaai.target.bytes").baseUnit("bytes")
                    .tags("target", target, "lun", lun, "direction", direction)
                    .description("data bytes of commands completed GOOD (read: Data-In, write: Data-Out)")
                    .register(registry);
        }

        private Counter ats(String result) {
            return Counter.builder("vaai.target.ats").tags("target", target, "lun", lun, "result", result)
                    .description("COMPARE AND WRITE compares by result").register(registry);
        }

        private Counter writeSame(String unmap) {
            return Counter.builder("vaai.target.write_same.blocks").tags("target", target, "lun", lun, "unmap", unmap)
                    .description("blocks WRITE SAME wrote (unmap=false) or deallocated (unmap=true)").register(registry);
        }

        @Override
        public void commandCompleted(CommandOp op, ScsiStatus status, int senseKey, long dataInBytes,
                                     long dataOutBytes, long durationNanos) {
            int o = op.ordinal();
            commands[o].increment();
            durations[o].observe(durationNanos / NANOS_PER_SECOND);
            if (status == ScsiStatus.GOOD) {
                if (dataInBytes > 0) {
                    bytesRead.increment(dataInBytes);
                }
                if (dataOutBytes > 0) {
                    bytesWritten.increment(dataOutBytes);
                }
                return;
            }
            errors.count(op, status, senseKey);
        }

        @Override
        public void atsLockWaited(long nanos) {
            lockWait.observe(nanos / NANOS_PER_SECOND);
        }

        @Override
        public void atsCompared(MiscompareCause cause) {
            if (cause == null) {
                atsSuccess.increment();
            } else {
                atsMiscompare.increment();
                miscompares[cause.ordinal()].increment();
            }
        }

        @Override
        public void writeSameBlocks(long blocks, boolean unmap) {
            (unmap ? writeSameUnmapped : writeSameWritten).increment(blocks);
        }

        @Override
        public void unmapBlocks(long blocks) {
            unmapBlocks.increment(blocks);
        }

        @Override
        public void xcopyBytes(long bytes) {
            xcopyBytes.increment(bytes);
        }
    }
}
