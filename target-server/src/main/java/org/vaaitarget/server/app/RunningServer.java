package org.vaaitarget.server.app;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.core.dispatch.TargetDevice;
import org.vaaitarget.server.metrics.AtsReport;
import org.vaaitarget.server.admin.AdminException;
import org.vaaitarget.server.admin.AdminServer;
import org.vaaitarget.server.net.IscsiServer;
import org.vaaitarget.server.login.ServerContext;

/**
 * A started server. {@link #close()} shuts it down in order: network first, then the devices.
 * {@link #live()} changes it while it runs (reload, resize, logout).
 */
public final class RunningServer implements AutoCloseable {
    /** How long the network shutdown may take (in-flight commands finish or are aborted) before we move on. */
    static final long NETWORK_SHUTDOWN_SECONDS = 30;
    private static final Logger LOG = LoggerFactory.getLogger(RunningServer.class);

    private volatile ServerConfig config;
    private final IscsiServer server;
    private final ServerContext context;
    /** The target devices in configuration order; live changes add and remove (AtsReporter reads it live). */
    private final List<TargetDevice> devices;
    private final Instant started = Instant.now();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtsReporter atsReporter;
    private final LiveChanges live;
    private final Metrics metrics;

    RunningServer(ServerConfig config, IscsiServer server, ServerContext context, List<TargetDevice> devices,
                  Metrics metrics) {
        this.metrics = metrics;
        this.config = config;
        this.server = server;
        this.context = context;
        this.devices = new CopyOnWriteArrayList<>(devices);
        this.atsReporter = new AtsReporter(this.devices, ATS_REPORT_INTERVAL_SECONDS);
        this.live = new LiveChanges(this);
    }

    /** How often each LU's COMPARE AND WRITE counters are logged while they change. */
    private static final long ATS_REPORT_INTERVAL_SECONDS = 60;

    /** The configuration in force: the one it was started with, or the last one reloaded (sizes as grown). */
    public ServerConfig config() {
        return config;
    }

    void config(ServerConfig next) {
        this.config = next;
    }

    /** The bound portal addresses, with the real port where 0 was configured, in portal order. */
    public List<InetSocketAddress> boundAddresses() {
        return server.boundAddresses();
    }

    /** The address /metrics and /healthz are served on (the real port when 0 was configured), or null. */
    public InetSocketAddress metricsAddress() {
        return metrics.address();
    }

    /**
     * COMPARE AND WRITE statistics of every LU, total and per initiator, now (with metrics on or off):
     * {@code atsReport().toText()} for {@code ctl ats}, {@code toJson()} for programs.
     */
    public AtsReport atsReport() {
        return AtsReport.of(devices);
    }

    /** The first bound port (convenient for tests that listen on port 0). */
    public int port() {
        return boundAddresses().get(0).getPort();
    }

    /** When the server started. */
    public Instant started() {
        return started;
    }

    /** Live changes: reload a configuration, grow a LUN, log sessions out; and what the admin command shows. */
    public LiveChanges live() {
        return live;
    }

    /**
     * Opens the admin socket ({@code bin/vaai-target ctl}) for this server.
     *
     * @param socket     where (mode 0600; its directory is created)
     * @param configFile the file {@code ctl reload} re-reads, or null (started without --config)
     * @throws IOException when the socket cannot be created; the message names it
     */
    public AdminServer openAdminSocket(Path socket, Path configFile) throws IOException {
        return AdminServer.start(socket, new AdminCommands(this, configFile, socket.toAbsolutePath()).all());
    }

    /**
     * Re-reads {@code configFile} and applies the difference (what {@code ctl reload} and SIGHUP do).
     *
     * @return the changes, one line each
     * @throws AdminException the file is not valid (nothing changed) or the change failed; one line
     */
    public List<String> reload(Path configFile) throws AdminException {
        return new AdminCommands(this, configFile, null).reloadChanges();
    }

    IscsiServer network() {
        return server;
    }

    ServerContext context() {
        return context;
    }

    List<TargetDevice> devices() {
        return devices;
    }

    /** The metrics (a no-op when off): what live changes hand new targets and LUNs to. */
    Metrics metrics() {
        return metrics;
    }

    /** The device of a target, or null. */
    TargetDevice device(String iqn) {
        for (TargetDevice d : devices) {
            if (d.targetName().equals(iqn)) {
                return d;
            }
        }
        return null;
    }

    /** True once {@link #close()} has begun. */
    boolean isClosing() {
        return closing.get();
    }

    /**
     * Clean shutdown; idempotent, and a second caller waits for the first to finish:
     * 1. the network: stop accepting, tell the sessions, finish or abort in-flight commands, close connections;
     * 2. every target device: wait for its tasks, flush, close the LUN files.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            awaitClosed();
            return;
        }
        try {
            metrics.stopping();   // /healthz: 503 from now on
            synchronized (live) { // no reload half-way through while we close
                LOG.info("Shutting down: no new connections; telling sessions and finishing in-flight commands");
                try {
                    server.shutdown().get(NETWORK_SHUTDOWN_SECONDS, TimeUnit.SECONDS);
                    LOG.info("Network stopped: all connections closed");
                } catch (TimeoutException e) {
                    LOG.warn("Network shutdown did not finish in {} s; closing the devices anyway", NETWORK_SHUTDOWN_SECONDS);
                } catch (ExecutionException e) {
                    LOG.warn("Network shutdown failed: {}", e.getCause().toString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    LOG.warn("Interrupted while waiting for the network shutdown");
                } catch (RuntimeException e) {
                    LOG.warn("Network shutdown failed: {}", e.toString());
                }
                atsReporter.close();
                for (TargetDevice device : devices) {
                    String iqn = device.targetName();
                    try {
                        device.close();
                        LOG.info("Closed target {}: LUNs flushed and files closed", iqn);
                    } catch (RuntimeException e) {
                        LOG.error("Closing target {} failed: {}", iqn, e.toString());
                    }
                }
                LOG.info("Stopped");
            }
            metrics.close();
        } finally {
            closed.countDown();
        }
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitClosed() {
        boolean interrupted = false;
        while (true) {
            try {
                closed.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
