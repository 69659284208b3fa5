package org.vaaitarget.server.session;

/**
 * A user event that tells a connection the server is stopping: a connection still logging in closes, a
 * discovery session closes, a normal session asks its initiator to log out (RFC 7143 11.9.1). Owned here so
 * that the protocol handlers need not know the server that fires it ({@code net.ServerShutdownEvent}); the
 * connections that simply end on it are {@link ClosingHandler}s.
 */
public interface ShutdownNotice {
}
