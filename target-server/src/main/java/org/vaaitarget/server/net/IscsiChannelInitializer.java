package org.vaaitarget.server.net;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import java.time.Duration;
import org.vaaitarget.server.codec.FramingState;
import org.vaaitarget.server.codec.IscsiFrameDecoder;
import org.vaaitarget.server.codec.IscsiFrameEncoder;
import org.vaaitarget.server.login.LoginHandler;
import org.vaaitarget.server.login.PhaseHandlers;
import org.vaaitarget.server.login.ServerContext;

/**
 * The pipeline of one iSCSI connection: "decoder", "encoder", "flushes", "login" (replaced on success by
 * "discovery" or "fullFeature"). Decoder and encoder share one {@link FramingState}, which is also
 * a channel attribute. {@link ConnectionAdmission} has already admitted the connection (limits.maxConnections).
 */
public final class IscsiChannelInitializer extends ChannelInitializer<SocketChannel> {
    public static final String DECODER = "decoder";
    public static final String ENCODER = "encoder";
    public static final String LOGIN = "login";
    public static final String FLUSHES = "flushes";

    private final ServerContext context;
    private final ChannelGroup channels;
    private final PhaseHandlers phases;
    private final Duration loginTimeout;

    public IscsiChannelInitializer(ServerContext context, ChannelGroup channels, PhaseHandlers phases,
                                   Duration loginTimeout) {
        this.context = context;
        this.channels = channels;
        this.phases = phases;
        this.loginTimeout = loginTimeout;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        channels.add(ch);
        FramingState framing = new FramingState();
        ch.attr(FramingState.KEY).set(framing);
        ChannelPipeline p = ch.pipeline();
        p.addLast(DECODER, new IscsiFrameDecoder(framing));
        p.addLast(ENCODER, new IscsiFrameEncoder(framing));
        // One send(2) for the responses of many commands: a flush during a read waits for the end of that read,
        // and a flush from a task (a completion handed back by a store thread) waits for the tasks queued
        // before it, so responses that completed together leave together (FLUSHES).
        p.addLast(FLUSHES, new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES,
                true));
        p.addLast(LOGIN, new LoginHandler(context, framing, phases, loginTimeout));
    }
}
