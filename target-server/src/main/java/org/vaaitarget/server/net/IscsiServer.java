package org.vaaitarget.server.net;

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
import java.util.List;
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
    private final List<Channel> serverChannels;
    private final ChannelGroup connections;
    private final List<InetSocketAddress> bound;
    private CompletableFuture<Void> shutdown;

    private IscsiServer(EventLoopGroup boss, EventLoopGroup workers, List<Channel> serverChannels,
                        ChannelGroup connections, List<InetSocketAddress> bound) {
        this.boss = boss;
        this.workers = workers;
        this.serverChannels = serverChannels;
        this.connections = connections;
        this.bound = bound;
    }

    /**
     * Binds all portals (port 0 picks a free port) and starts accepting.
     *
     * @throws java.io.IOException when a portal cannot be bound; the message names the address
     */
    public static IscsiServer start(ServerContext context) throws java.io.IOException {
        return start(context, StandardPhases.INSTANCE, context.limits().loginTimeout());
    }

    /** As {@link #start(ServerContext)}, with the post-login handlers and login timeout given. */
    public static IscsiServer start(ServerContext context, PhaseHandlers phases, Duration loginTimeout)
            throws IOException {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class
                : NioServerSocketChannel.class;
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, io);
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(), io);
        ChannelGroup connections = new DefaultChannelGroup("iscsi-connections", GlobalEventExecutor.INSTANCE);
        List<Channel> serverChannels = new ArrayList<>();
        List<InetSocketAddress> bound = new ArrayList<>();
        // Portals with port 0 are advertised (SendTargets) with the port actually bound.
        List<InetSocketAddress> advertised = new ArrayList<>();
        ServerContext live = context.withPortals(advertised);
        // The core asks the connections before it refuses a command because of another nexus's state.
        ConnectionLiveness liveness = new ConnectionLiveness(context.sessions());
        context.targets().values().forEach(t -> t.device().useNexusLiveness(liveness));
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 256)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                // a few max-size Data-In PDUs in flight per connection before the handler sees !isWritable()
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(512 * 1024, 2 << 20))
                .childHandler(new IscsiChannelInitializer(live, connections, phases, loginTimeout));
        try {
            for (InetSocketAddress portal : context.portals()) {
                Channel ch;
                try {
                    ch = b.bind(portal).syncUninterruptibly().channel();
                } catch (Exception e) {
                    throw new IOException("cannot bind portal " + portal + ": " + e.getMessage(), e);
                }
                serverChannels.add(ch);
                InetSocketAddress actual = (InetSocketAddress) ch.localAddress();
                bound.add(actual);
                advertised.add(new InetSocketAddress(portal.getAddress(), actual.getPort()));
                LOG.info("listening on {} ({})", actual, epoll ? "epoll" : "nio");
            }
        } catch (IOException | RuntimeException e) {
            serverChannels.forEach(Channel::close);
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
        return new IscsiServer(boss, workers, List.copyOf(serverChannels), connections, List.copyOf(bound));
    }

    /** The bound addresses (with real ports when 0 was asked for), in portal order. */
    public List<InetSocketAddress> boundAddresses() {
        return bound;
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
        serverChannels.forEach(Channel::close);
        for (Channel ch : connections) {
            ch.eventLoop().execute(() -> ch.pipeline().fireUserEventTriggered(ServerShutdownEvent.INSTANCE));
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
