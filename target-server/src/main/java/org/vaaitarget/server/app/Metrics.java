package org.vaaitarget.server.app;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Collection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.core.observe.TargetObserver;
import org.vaaitarget.server.metrics.MetricsEndpoint;
import org.vaaitarget.server.metrics.ServerEvents;
import org.vaaitarget.server.metrics.TargetMetrics;
import org.vaaitarget.server.session.SessionRegistry;

/**
 * The server's metrics, on or off: with an address, a {@link TargetMetrics} registry served by a
 * {@link MetricsEndpoint}; without one, the no-op observers (nothing is measured, nothing allocated).
 */
final class Metrics implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Metrics.class);
    private static final Metrics OFF = new Metrics(null, null);

    private final TargetMetrics meters;
    private final MetricsEndpoint endpoint;

    private Metrics(TargetMetrics meters, MetricsEndpoint endpoint) {
        this.meters = meters;
        this.endpoint = endpoint;
    }

    /**
     * Binds the endpoint (healthz "starting") when {@code listen} is given.
     *
     * @throws StartupException when the address cannot be bound
     */
    static Metrics start(InetSocketAddress listen) throws StartupException {
        if (listen == null) {
            return OFF;
        }
        TargetMetrics meters = new TargetMetrics();
        try {
            MetricsEndpoint endpoint = MetricsEndpoint.start(listen, meters::scrape);
            LOG.info("Metrics on http://{}/metrics (health: /healthz)", Portals.format(endpoint.address()));
            return new Metrics(meters, endpoint);
        } catch (IOException | RuntimeException e) {
            meters.close();
            throw new StartupException("cannot serve metrics on " + Portals.format(listen) + ": " + e.getMessage(), e);
        }
    }

    TargetObserver observer() {
        return meters == null ? TargetObserver.NONE : meters;
    }

    ServerEvents events() {
        return meters == null ? ServerEvents.NONE : meters;
    }

    void bindSessions(SessionRegistry sessions, Collection<String> targets) {
        if (meters != null) {
            meters.bindSessions(sessions, targets);
        }
    }

    /** The bound address, or null when metrics are off. */
    InetSocketAddress address() {
        return endpoint == null ? null : endpoint.address();
    }

    void serving() {
        if (endpoint != null) {
            endpoint.serving();
        }
    }

    void stopping() {
        if (endpoint != null) {
            endpoint.stopping();
        }
    }

    @Override
    public void close() {
        if (endpoint != null) {
            endpoint.close();
            meters.close();
        }
    }
}
