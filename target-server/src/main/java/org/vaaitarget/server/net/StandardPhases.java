package org.vaaitarget.server.net;

import io.netty.channel.ChannelHandler;
import org.vaaitarget.server.discovery.DiscoveryHandler;
import org.vaaitarget.server.login.PhaseHandlers;
import org.vaaitarget.server.login.ServerContext;
import org.vaaitarget.server.session.Session;
import org.vaaitarget.server.task.FullFeatureHandler;

/**
 * The production {@link PhaseHandlers}: {@link FullFeatureHandler} for normal sessions and
 * {@link DiscoveryHandler} for discovery sessions. Lives above login, task and discovery, so that login
 * names neither.
 */
public enum StandardPhases implements PhaseHandlers {
    INSTANCE;

    @Override
    public ChannelHandler normal(ServerContext context, Session session) {
        return new FullFeatureHandler(context, session);
    }

    @Override
    public ChannelHandler discovery(ServerContext context, Session session) {
        return new DiscoveryHandler(context, session);
    }
}
