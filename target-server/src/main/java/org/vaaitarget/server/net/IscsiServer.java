package org.vaaitarget.server.net;

import org.vaaitarget.core.scsi.NexusLiveness;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.server.login.PhaseHandlers;
import org.vaaitarget.server.login.ServerContext;

/** The listening server: binds every portal, runs connections on Netty event loops. */
public final class IscsiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IscsiServer.class);
    /** How long shutdown waits for sessions to close themselves before closing them by force. */
    static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ServerBootstrap bootstrap;
    private final ServerContext context;
    /** Configured portal address to its listening channel, in portal order; changed by the admin thread. */
    private final Map<InetSocketAddress, Channel> listening = new LinkedHashMap<>();
    private final ChannelGroup connections;
    private final boolean epoll;
    private CompletableFuture<Void> shutdown;

    private final NexusLiveness liveness;

    private IscsiServer(EventLoopGroup boss, EventLoopGroup workers, ServerBootstrap bootstrap, ServerContext context,
                        ChannelGroup connections, boolean epoll, NexusLiveness liveness) {
        this.liveness = liveness;
        this.boss = boss;
        this.workers = workers;
        this.bootstrap = bootstrap;
        this.context = context;
        this.connections = connections;
        this.epoll = epoll;
    }

    /** What the core asks before refusing a command because of another nexus's state (new targets need it too). */
    public NexusLiveness nexusLiveness() {
        return liveness;
    }

    /**
     * Binds all portals (port 0 picks a free port) and starts accepting.
     *
     * @throws java.io.IOException when a portal cannot be bound; the message names the address
     */
    public static IscsiServer start(ServerContext context) throws java.io.IOException {
        return start(context, StandardPhases.INSTANCE, context.limits().loginTimeout());
    }

    /**
     * As {@link #start(ServerContext)}, with the post-login handlers and login timeout given. The context
     * is the one connections use; SendTargets advertises the bound ports of port-0 portals through it.
     */
    public static IscsiServer start(ServerContext context, PhaseHandlers phases, Duration loginTimeout)
            throws IOException {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class
                : NioServerSocketChannel.class;
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, io);
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(), io);
        ChannelGroup connections = new DefaultChannelGroup("iscsi-connections", GlobalEventExecutor.INSTANCE);
        // The core asks the connections before it refuses a command because of another nexus's state.
        ConnectionLiveness liveness = new ConnectionLiveness(context.sessions());
        context.targets().values().forEach(t -> t.device().useNexusLiveness(liveness));
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 256)
                .option(ChannelOption.SO_REUSEADDR, true)
                .handler(new ConnectionAdmission(context))
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                // a few max-size Data-In PDUs in flight per connection before the handler sees !isWritable()
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(512 * 1024, 2 << 20))
                .childHandler(new IscsiChannelInitializer(context, connections, phases, loginTimeout));
        List<InetSocketAddress> configured = context.portals();
        IscsiServer server = new IscsiServer(boss, workers, b, context, connections, epoll, liveness);
        try {
            for (InetSocketAddress portal : configured) {
                server.addPortal(portal);
            }
        } catch (IOException | RuntimeException e) {
            synchronized (server) {
                server.listening.values().forEach(Channel::close);
            }
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
        return server;
    }

    /** The bound addresses (with real ports when 0 was asked for), in portal order. */
    public synchronized List<InetSocketAddress> boundAddresses() {
        List<InetSocketAddress> out = new ArrayList<>();
        for (Channel ch : listening.values()) {
            out.add((InetSocketAddress) ch.localAddress());
        }
        return out;
    }

    /** The configured portal addresses being listened on, in order. */
    public synchronized List<InetSocketAddress> portals() {
        return new ArrayList<>(listening.keySet());
    }

    /**
     * Starts listening on one more portal (live reconfiguration; also how start binds each portal). Blocks
     * until bound, so never call it on an event loop.
     *
     * @return the bound address (the real port where 0 was asked for)
     * @throws IOException when it cannot be bound; the message names the address
     */
    public synchronized InetSocketAddress addPortal(InetSocketAddress portal) throws IOException {
        if (listening.containsKey(portal)) {
            throw new IOException("already listening on portal " + portal);
        }
        Channel ch;
        try {
            ch = bootstrap.bind(portal).syncUninterruptibly().channel();
        } catch (Exception e) {
            throw new IOException("cannot bind portal " + portal + ": " + e.getMessage(), e);
        }
        listening.put(portal, ch);
        advertiseBound();
        InetSocketAddress actual = (InetSocketAddress) ch.localAddress();
        LOG.info("listening on {} ({})", actual, epoll ? "epoll" : "nio");
        return actual;
    }

    /**
     * Stops listening on a portal and ends the connections accepted through it: each session is asked to
     * log out (Async Message) and dropped after the grace period, like at shutdown. Returns at once.
     *
     * @return false when that portal was not being listened on
     */
    public synchronized boolean removePortal(InetSocketAddress portal) {
        Channel ch = listening.remove(portal);
        if (ch == null) {
            return false;
        }
        ch.close().syncUninterruptibly();
        advertiseBound();
        int ended = 0;
        for (Channel c : connections) {
            if (c.parent() == ch) {
                endConnection(c);
                ended++;
            }
        }
        LOG.info("stopped listening on {}; {} connection(s) through it asked to log out", portal, ended);
        return true;
    }

    /**
     * Ends one connection as a shutdown does: a session in Full Feature Phase gets an Async Message asking
     * it to log out (RFC 7143 11.9.1 event 1), then is dropped after the grace period; a connection still
     * logging in is closed.
     */
    public static void endConnection(Channel c) {
        c.eventLoop().execute(() -> c.pipeline().fireUserEventTriggered(ServerShutdownEvent.INSTANCE));
    }

    /** SendTargets advertises each portal with its bound port. Caller holds the monitor. */
    private void advertiseBound() {
        List<InetSocketAddress> advertised = new ArrayList<>();
        for (Map.Entry<InetSocketAddress, Channel> e : listening.entrySet()) {
            int port = ((InetSocketAddress) e.getValue().localAddress()).getPort();
            advertised.add(new InetSocketAddress(e.getKey().getAddress(), port));
        }
        context.advertise(advertised);
    }

    /**
     * Clean shutdown: stop accepting, tell every session (Async Message), let in-flight commands finish
     * or abort them, close connections. The returned future completes when all channels are closed.
     */
    public synchronized CompletableFuture<Void> shutdown() {
        if (shutdown != null) {
            return shutdown;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        shutdown = done;
        listening.values().forEach(Channel::close);
        for (Channel ch : connections) {
            endConnection(ch);
        }
        CompletableFuture<Void> allClosed = new CompletableFuture<>();
        connections.newCloseFuture().addListener(f -> allClosed.complete(null));
        allClosed.completeOnTimeout(null, SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS)
                .thenCompose(v -> {
                    if (!connections.isEmpty()) {
                        LOG.warn("{} connection(s) still open after {}; closing them", connections.size(),
                                SHUTDOWN_GRACE);
                    }
                    CompletableFuture<Void> closed = new CompletableFuture<>();
                    connections.close().addListener(f -> closed.complete(null));
                    return closed;
                })
                .whenComplete((v, e) -> {
                    CompletableFuture<?> a = toCompletable(boss.shutdownGracefully(0, 2, TimeUnit.SECONDS));
                    CompletableFuture<?> w = toCompletable(workers.shutdownGracefully(0, 2, TimeUnit.SECONDS));
                    CompletableFuture.allOf(a, w).whenComplete((x, y) -> done.complete(null));
                });
        return done;
    }

    private static CompletableFuture<Void> toCompletable(io.netty.util.concurrent.Future<?> f) {
        CompletableFuture<Void> c = new CompletableFuture<>();
        f.addListener(x -> c.complete(null));
        return c;
    }

    @Override
    public void close() {
        shutdown().join();
    }
}
