package org.vaaitarget.server.login;

import io.netty.channel.ChannelHandler;
import org.vaaitarget.server.discovery.DiscoveryHandler;
import org.vaaitarget.server.session.ServerContext;
import org.vaaitarget.server.session.Session;
import org.vaaitarget.server.task.FullFeatureHandler;

/** What the login handler puts in its place when the login succeeds. Replaceable in tests. */
public interface PhaseHandlers {

    /** The handler of a normal session's Full Feature Phase. */
    ChannelHandler normal(ServerContext context, Session session);

    /** The handler of a discovery session. */
    ChannelHandler discovery(ServerContext context, Session session);

    /** The production handlers: {@link FullFeatureHandler} and {@link DiscoveryHandler}. */
    static PhaseHandlers standard() {
        return new PhaseHandlers() {
            @Override
            public ChannelHandler normal(ServerContext context, Session session) {
                return new FullFeatureHandler(context, session);
            }

            @Override
            public ChannelHandler discovery(ServerContext context, Session session) {
                return new DiscoveryHandler(context, session);
            }
        };
    }
}
