package org.vaaitarget.server.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of metrics: {@code GET /metrics} (Prometheus text format) and {@code GET /healthz}
 * (200 {@code serving} while the portals are bound; 503 {@code starting} before, 503 {@code stopping}
 * once shutdown has begun). The JDK's own HTTP server on one daemon thread of its own, so a scrape never
 * runs on, nor waits for, an iSCSI event loop (the meters it reads are concurrent). No new dependency.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    /** What /healthz answers. */
    public enum State { STARTING, SERVING, STOPPING }

    private final HttpServer http;
    private final ExecutorService thread;
    private volatile State state = State.STARTING;

    private MetricsEndpoint(HttpServer http, ExecutorService thread) {
        this.http = http;
        this.thread = thread;
    }

    /**
     * Binds {@code listen} and serves at once (healthz says {@code starting} until {@link #serving()}).
     *
     * @param scrape the text for /metrics, called on the endpoint's thread for each scrape
     * @throws IOException when the address cannot be bound
     */
    public static MetricsEndpoint start(InetSocketAddress listen, Supplier<String> scrape) throws IOException {
        HttpServer http = HttpServer.create(listen, 16);
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "metrics-http");
            t.setDaemon(true);
            return t;
        });
        MetricsEndpoint endpoint = new MetricsEndpoint(http, thread);
        http.createContext("/metrics", ex -> endpoint.handle(ex, () -> scrape.get(), PROMETHEUS_TEXT));
        http.createContext("/healthz", endpoint::health);
        http.createContext("/", ex -> endpoint.reply(ex, 404, "not found: use /metrics or /healthz\n"));
        http.setExecutor(thread);
        http.start();
        return endpoint;
    }

    /** The bound address (the real port when 0 was asked). */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    public State state() {
        return state;
    }

    /** The portals are bound: /healthz answers 200. */
    public void serving() {
        state = State.SERVING;
    }

    /** Shutdown has begun: /healthz answers 503 while /metrics still serves. */
    public void stopping() {
        state = State.STOPPING;
    }

    @Override
    public void close() {
        state = State.STOPPING;
        http.stop(0);
        thread.shutdownNow();
    }

    private void health(HttpExchange ex) throws IOException {
        State s = state;
        handle(ex, () -> s.name().toLowerCase(java.util.Locale.ROOT) + "\n", "text/plain; charset=utf-8",
                s == State.SERVING ? 200 : 503);
    }

    private void handle(HttpExchange ex, Supplier<String> body, String type) throws IOException {
        handle(ex, body, type, 200);
    }

    private void handle(HttpExchange ex, Supplier<String> body, String type, int status) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                reply(ex, 405, "method not allowed: use GET\n");
                return;
            }
            String text;
            try {
                text = body.get();
            } catch (RuntimeException e) {
                LOG.warn("metrics: {} failed", ex.getRequestURI(), e);
                reply(ex, 500, "internal error\n");
                return;
            }
            ex.getResponseHeaders().set("Content-Type", type);
            send(ex, status, text.getBytes(StandardCharsets.UTF_8), method.equals("HEAD"));
        }
    }

    private void reply(HttpExchange ex, int status, String text) throws IOException {
        try (ex) {
            ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            send(ex, status, text.getBytes(StandardCharsets.UTF_8), ex.getRequestMethod().equals("HEAD"));
        }
    }

    private static void send(HttpExchange ex, int status, byte[] bytes, boolean head) throws IOException {
        ex.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
