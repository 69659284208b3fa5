package org.vaaitarget.server.net;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.vaaitarget.server.login.ServerContext;
import org.vaaitarget.server.session.ResourceLimits;
import org.vaaitarget.server.testing.Contexts;

/**
 * limits.maxConnections is applied in accept order: the listening channel's pipeline sees each accepted
 * connection before any worker loop does. (Counted in the workers' initChannel instead, a later connection
 * could take the last place and an earlier one be closed, whichever worker ran first: ServerLimitsTest once
 * failed that way in CI.)
 */
class ConnectionAdmissionTest {

    private static EmbeddedChannel listener(int maxConnections) {
        ServerContext c = Contexts.withTargets(1, new InetSocketAddress("127.0.0.1", 0));
        ServerContext limited = new ServerContext(c.targets(), c.portals(), c.offer(), c.sessions(),
                ResourceLimits.defaults().withMaxConnections(maxConnections));
        return new EmbeddedChannel(new ConnectionAdmission(limited));
    }

    @Test
    void theFirstConnectionsUpToTheLimitArePassedOnAndTheNextIsClosed() {
        EmbeddedChannel listener = listener(2);
        Channel first = new EmbeddedChannel();
        Channel second = new EmbeddedChannel();
        Channel third = new EmbeddedChannel();
        listener.writeInbound(first, second, third);
        assertSame(first, listener.readInbound());
        assertSame(second, listener.readInbound());
        assertNull(listener.readInbound(), "the third is not handed to a worker");
        assertTrue(first.isOpen());
        assertTrue(second.isOpen());
        assertFalse(third.isOpen(), "closed on accept");
    }

    @Test
    void aClosedConnectionFreesItsPlace() {
        EmbeddedChannel listener = listener(1);
        Channel first = new EmbeddedChannel();
        listener.writeInbound(first);
        assertSame(first, listener.readInbound());
        Channel refused = new EmbeddedChannel();
        listener.writeInbound(refused);
        assertFalse(refused.isOpen());
        first.close().syncUninterruptibly();
        Channel next = new EmbeddedChannel();
        listener.writeInbound(next);
        assertSame(next, listener.readInbound(), "admitted once the first has closed");
        assertTrue(next.isOpen());
    }
}
