package org.vaaitarget.server.codec;

/**
 * Size limits the decoder enforces on inbound data segments.
 *
 * <p>Two thresholds, chosen as follows:
 * <ul>
 * <li>{@code maxRecvDataSegmentLength}: what we declared (RFC 7143 13.12). A data segment above it
 *     but within the hard limit is read past without being kept and answered with a Reject
 *     (reason 04h protocol error, RFC 7143 11.17.1; LIO does the same). The connection survives.</li>
 * <li>{@code hardLimit}: twice the declared value, at least 64 KiB. A peer that overshoots by that
 *     much is broken or hostile; we close the connection at once, before allocating anything,
 *     rather than read megabytes only to discard them. (The 24-bit DataSegmentLength field caps any
 *     frame at 16 MiB - 1 anyway.)</li>
 * </ul>
 *
 * @param maxRecvDataSegmentLength our declared MaxRecvDataSegmentLength
 * @param hardLimit                above this the connection is closed
 */
public record FrameLimits(int maxRecvDataSegmentLength, int hardLimit) {
    /** During login both sides use the default 8192 (RFC 7143 13.12). */
    public static final int LOGIN_MAX_RECV_DATA_SEGMENT_LENGTH = 8192;
    private static final int MIN_HARD_LIMIT = 64 * 1024;

    public FrameLimits {
        if (maxRecvDataSegmentLength < 512 || hardLimit < maxRecvDataSegmentLength) {
            throw new IllegalArgumentException("bad frame limits " + maxRecvDataSegmentLength + "/" + hardLimit);
        }
    }

    /** Limits for a declared MaxRecvDataSegmentLength, with the hard limit derived as documented above. */
    public static FrameLimits forDeclared(int maxRecvDataSegmentLength) {
        long hard = Math.max(2L * maxRecvDataSegmentLength, MIN_HARD_LIMIT);
        return new FrameLimits(maxRecvDataSegmentLength, (int) Math.min(hard, Integer.MAX_VALUE));
    }

    /** The limits in force during the Login Phase. */
    public static FrameLimits login() {
        return forDeclared(LOGIN_MAX_RECV_DATA_SEGMENT_LENGTH);
    }
}
