package org.vaaitarget.server.session;

import io.netty.channel.ChannelHandlerContext;

/**
 * A user event that tells a connection the server is stopping: a connection still logging in closes, a
 * discovery session closes, a normal session asks its initiator to log out (RFC 7143 11.9.1). Owned here so
 * that the protocol handlers need not know the server that fires it ({@code net.ServerShutdownEvent}).
 */
public interface ShutdownNotice {

    /** For a connection that simply ends on the notice (login, discovery): closes on it, passes other events on. */
    static void closeOrPassOn(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ShutdownNotice) {
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }
}
