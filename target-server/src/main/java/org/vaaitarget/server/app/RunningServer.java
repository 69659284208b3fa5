package org.vaaitarget.server.app;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.core.dispatch.TargetDevice;
import org.vaaitarget.server.metrics.AtsReport;
import org.vaaitarget.server.net.IscsiServer;

/** A started server. {@link #close()} shuts it down in order: network first, then the devices. */
public final class RunningServer implements AutoCloseable {
    /** How long the network shutdown may take (in-flight commands finish or are aborted) before we move on. */
    static final long NETWORK_SHUTDOWN_SECONDS = 30;
    private static final Logger LOG = LoggerFactory.getLogger(RunningServer.class);

    private final ServerConfig config;
    private final IscsiServer server;
    private final List<TargetDevice> devices;
    private final List<InetSocketAddress> bound;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtsReporter atsReporter;
    private final Metrics metrics;

    RunningServer(ServerConfig config, IscsiServer server, List<TargetDevice> devices, Metrics metrics) {
        this.metrics = metrics;
        this.config = config;
        this.server = server;
        this.devices = List.copyOf(devices);
        this.bound = List.copyOf(server.boundAddresses());
        this.atsReporter = new AtsReporter(this.devices, ATS_REPORT_INTERVAL_SECONDS);
    }

    /** How often each LU's COMPARE AND WRITE counters are logged while they change. */
    private static final long ATS_REPORT_INTERVAL_SECONDS = 60;

    /** The configuration it was started with. */
    public ServerConfig config() {
        return config;
    }

    /** The bound portal addresses, with the real port where 0 was configured, in portal order. */
    public List<InetSocketAddress> boundAddresses() {
        return bound;
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
        return bound.get(0).getPort();
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
            for (int i = 0; i < devices.size(); i++) {
                String iqn = config.targets().get(i).iqn();
                try {
                    devices.get(i).close();
                    LOG.info("Closed target {}: LUNs flushed and files closed", iqn);
                } catch (RuntimeException e) {
                    LOG.error("Closing target {} failed: {}", iqn, e.toString());
                }
            }
            metrics.close();
            LOG.info("Stopped");
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
