package org.vaaitarget.server.session;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Locale;

/**
 * When large reads are sent straight from the LUN file (sendfile) instead of being copied into a buffer
 * first (YAML {@code zeroCopyReads}, CLI {@code --zero-copy-reads}). Only ever without data digests, and
 * only for reads larger than 64 KiB whose every page is cached (see {@code FileBlockStore}).
 *
 * <p>Why not always: the copy it saves is the target's read of the page cache. Over a network the NIC
 * reads the pages itself, so the target does one copy less (about half its CPU time per large read,
 * measured with {@code bench/run.sh}). Over loopback the initiator runs on the same machine and must
 * then copy from cold page-cache pages instead of from a socket buffer that the target's copy had just
 * made hot: libiscsi's iscsi-perf became the bottleneck and 128 KiB sequential reads went from about
 * 1,700 to 1,400 MB/s on a 2-core machine. {@link #AUTO} therefore copies for loopback peers.
 */
public enum ZeroCopyReads {
    /** sendfile for peers on other hosts, copies for loopback peers (127.0.0.0/8, ::1). The default. */
    AUTO,
    /** sendfile for every peer. */
    ALWAYS,
    /** Always copy. */
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

    /** The setting named {@code auto}, {@code always} or {@code never} (any case), or null for another text. */
    public static ZeroCopyReads parse(String text) {
        for (ZeroCopyReads z : values()) {
            if (z.name().equalsIgnoreCase(text.trim())) {
                return z;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
