package org.vaaitarget.core.lu;

import java.util.concurrent.CompletionStage;

/**
 * The fabric's part when this gateway has been fenced off a logical unit that several gateways serve (another gateway
 * took the RBD image over and blocklisted this one). Before the store reconnects to the cluster with a new client,
 * which the fence does not cover, every command an initiator sent through this gateway before the fence must be gone,
 * so that none of them can be written after the reconnect over newer data written through another gateway. The core
 * does not know about connections: the server implements this and installs it with {@link Gateways#onFenced}.
 */
@FunctionalInterface
public interface FenceListener {

    /**
     * Ends every connection through which an initiator can reach {@code lu} (the commands still in them, in their
     * sockets or waiting in the transport, die with them; the initiators log in again and retry) and completes once
     * those connections have been cleaned up and every command they had submitted to the target has finished.
     * Called on a store thread; must not block it.
     */
    CompletionStage<Void> fenced(LogicalUnit lu);
}
