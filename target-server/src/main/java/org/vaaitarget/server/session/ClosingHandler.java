package org.vaaitarget.server.session;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;

/**
 * A connection handler with no session state to save (login, discovery): the connection simply ends on the
 * server's {@link ShutdownNotice} (other user events pass on), and on an exception, logged by
 * {@link SessionEnd#closeAfter} on the subclass's logger in its own words.
 */
public abstract class ClosingHandler extends ChannelInboundHandlerAdapter {
    private final Logger log;
    private final String peerText;
    private final String errorText;

    /** @param peerText what a peer's error ended; {@code errorText} what any other error interrupted */
    protected ClosingHandler(Logger log, String peerText, String errorText) {
        this.log = log;
        this.peerText = peerText;
        this.errorText = errorText;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ShutdownNotice) {
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        SessionEnd.closeAfter(ctx, cause, log, peerText, errorText);
    }
}
