package org.vaaitarget.server.session;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Locale;

/**
 * Whether large reads are sent straight from the LUN file (sendfile) instead of being copied into a buffer
 * first (YAML {@code zeroCopyReads}, CLI {@code --zero-copy-reads}). Only ever without data digests, and
 * only for reads larger than 64 KiB whose every page is cached (see {@code FileBlockStore}).
 *
 * <p><b>Withdrawn: the configuration accepts only {@link #NEVER}</b> ({@code ConfigLoader.zeroCopyReads}).
 * sendfile does not copy: the socket's buffers keep references to the page-cache pages until the bytes
 * are sent and acknowledged, and on loopback (and any peer on this host) until the initiator has read
 * them. The read's SHARED range lock ended when the last byte was handed to the socket, so a WRITE or
 * COMPARE AND WRITE of those blocks could change pages whose bytes were still queued, and the initiator
 * received a block half old, half new ({@code ZeroCopyTearTest}), against SBC-4 5.3 (COMPARE AND WRITE
 * atomic towards every other command). Holding the lock until TCP acknowledged the bytes (SIOCOUTQ) does
 * not help for peers on this host, whose receive queue holds the same pages after the acknowledgement.
 * {@link #AUTO} and {@link #ALWAYS} stay reachable through {@code ServerConfig.withZeroCopyReads} only,
 * so tests can show the tear.
 */
public enum ZeroCopyReads {
    /** sendfile for peers on other hosts, copies for loopback peers (127.0.0.0/8, ::1). Withdrawn. */
    AUTO,
    /** sendfile for every peer. Withdrawn. */
    ALWAYS,
    /** Always copy. The default and the only mode the configuration accepts. */
    NEVER;

    /** Whether a connection from {@code remote} gets Data-In from the file. */
    public boolean appliesTo(SocketAddress remote) {
        return switch (this) {
            case ALWAYS -> true;
            case NEVER -> false;
            case AUTO -> !(remote instanceof InetSocketAddress a && a.getAddress() != null
                    && a.getAddress().isLoopbackAddress());
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
