package org.vaaitarget.server.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.server.login.ServerContext;

/**
 * Admits accepted TCP connections up to {@code limits.maxConnections} (logins in progress included),
 * in the order the kernel accepted them. It sits in the listening channels' pipelines, before Netty's
 * acceptor, so it runs on the one acceptor thread and sees each new connection before it is given to
 * a worker loop: counting there instead of in each worker's {@code initChannel} means the first
 * {@code max} connections are the ones kept, not whichever worker happened to run first.
 * A connection over the limit is closed before it is registered; the peer sees a plain close.
 */
@ChannelHandler.Sharable
final class ConnectionAdmission extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionAdmission.class);

    private final ServerContext context;
    /** Connections admitted and not yet closed (all portals). */
    private final AtomicInteger open = new AtomicInteger();

    ConnectionAdmission(ServerContext context) {
        this.context = context;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Channel child)) {
            ctx.fireChannelRead(msg);
            return;
        }
        int max = context.limits().maxConnections();
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            LOG.warn("{}: {} connections open (limits.maxConnections); closing the new one", child, max);
            child.unsafe().closeForcibly();
            return;
        }
        context.events().connectionOpened();
        child.closeFuture().addListener(f -> {
            open.decrementAndGet();
            context.events().connectionClosed();
        });
        ctx.fireChannelRead(child);
    }
}
