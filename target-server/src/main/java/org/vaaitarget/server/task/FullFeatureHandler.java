package org.vaaitarget.server.task;

import io.netty.channel.ChannelInboundHandlerAdapter;
import org.vaaitarget.server.session.ServerContext;
import org.vaaitarget.server.session.Session;

/**
 * Full Feature Phase of a normal session: receives decoded {@link org.vaaitarget.server.pdu.Pdu}s
 * after login and writes response Pdus. Installed by login in place of the login handler.
 */
public final class FullFeatureHandler extends ChannelInboundHandlerAdapter {

    public FullFeatureHandler(ServerContext context, Session session) {
        throw new UnsupportedOperationException("TODO: full feature helper");
    }
}
