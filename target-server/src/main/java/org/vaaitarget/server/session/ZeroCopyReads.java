package org.vaaitarget.server.session;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Locale;

/**
 * When large reads are sent straight from the LUN file (sendfile) instead of being copied into a buffer
 * first (YAML {@code zeroCopyReads}, CLI {@code --zero-copy-reads}). Only ever without data digests, and
 * only for reads larger than 64 KiB whose every page is cached (see {@code FileBlockStore}).
 *
 * <p>What it saves: the target's copy of the page cache. Over a network the NIC reads the pages itself,
 * so the target does one copy less (a half to a third of its CPU time per large read, measured with
 * {@code bench/run.sh}).
 *
 * <p>Why it is off by default: the bytes are read from the page cache only as they are sent, so the
 * read's SHARED range lock is held until the socket took them. An initiator that stops reading its
 * socket (a host cut off by the network, until its connection times out) then holds up every write and
 * COMPARE AND WRITE of other hosts to the blocks it read, VMFS heartbeats included. A copied read holds
 * its lock only for the copy. Turn it on where one host owns the LUN, or for read-heavy data LUNs.
 *
 * <p>Why {@link #AUTO} skips loopback peers: there the initiator runs on the same machine and must copy
 * from cold page-cache pages instead of from a socket buffer that the target's copy had just made hot;
 * libiscsi's iscsi-perf became the bottleneck and 128 KiB sequential reads dropped by about a fifth on a
 * 2-core machine.
 */
public enum ZeroCopyReads {
    /** sendfile for peers on other hosts, copies for loopback peers (127.0.0.0/8, ::1). */
    AUTO,
    /** sendfile for every peer. */
    ALWAYS,
    /** Always copy. The default. */
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
