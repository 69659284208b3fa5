package org.vaaitarget.server.login;

import io.netty.channel.ChannelHandler;
import org.vaaitarget.server.session.Session;

/**
 * What the login handler puts in its place when the login succeeds (the production ones are
 * {@code net.StandardPhases}). Replaceable in tests.
 */
public interface PhaseHandlers {

    /** The handler of a normal session's Full Feature Phase. */
    ChannelHandler normal(ServerContext context, Session session);

    /** The handler of a discovery session. */
    ChannelHandler discovery(ServerContext context, Session session);
}
