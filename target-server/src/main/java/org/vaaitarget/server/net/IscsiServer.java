package org.vaaitarget.server.net;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.vaaitarget.server.session.ServerContext;

/** The listening server: binds every portal, runs connections on Netty event loops. */
public final class IscsiServer implements AutoCloseable {

    /**
     * Binds all portals (port 0 picks a free port) and starts accepting.
     *
     * @throws java.io.IOException when a portal cannot be bound; the message names the address
     */
    public static IscsiServer start(ServerContext context) throws java.io.IOException {
        throw new UnsupportedOperationException("TODO: net helper");
    }

    /** The bound addresses (with real ports when 0 was asked for), in portal order. */
    public List<InetSocketAddress> boundAddresses() {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * Clean shutdown: stop accepting, tell every session (Async Message), let in-flight commands finish
     * or abort them, close connections. The returned future completes when all channels are closed.
     */
    public CompletableFuture<Void> shutdown() {
        throw new UnsupportedOperationException("TODO");
    }

    @Override
    public void close() {
        shutdown().join();
    }
}
