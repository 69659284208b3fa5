package org.vaaitarget.server.net;

import org.vaaitarget.server.session.ShutdownNotice;

/**
 * User event fired into every connection's pipeline when the server shuts down. The full-feature
 * handler answers with an Async Message (RFC 7143 11.9.1, AsyncEvent 1 or 2), finishes or aborts its
 * tasks and closes the channel.
 */
public enum ServerShutdownEvent implements ShutdownNotice {
    INSTANCE
}
