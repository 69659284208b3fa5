package org.vaaitarget.server.session;

import java.time.Duration;
import java.util.Objects;

/**
 * The bounds that keep one server's memory and file descriptors finite whatever its peers do
 * (YAML {@code limits:}, README "Limits"). The other bounds live elsewhere: commands in flight per
 * session are the CmdSN window ({@link TargetOffer#queueDepth()}), the idle-connection ping is
 * {@link TargetOffer#nopInIntervalSeconds()} / {@link TargetOffer#nopInTimeoutSeconds()}, the largest
 * single write is {@code FullFeatureOptions.maxWriteLength}, and the core answers TASK SET FULL
 * above its own in-flight bound.
 *
 * @param maxConnections          TCP connections open at once, logins in progress included; a new one
 *                                beyond it is closed as soon as it is accepted
 * @param maxSessions             sessions (normal and discovery) at once, server-wide; a login beyond it
 *                                fails with status 0x0302 Out of resources (RFC 7143 11.13.5)
 * @param maxSessionsPerTarget    normal sessions at once per target, same answer
 * @param loginTimeout            from accept to the final Login Response; covers a peer that sends a
 *                                partial BHS and stalls (the timer starts when the channel is set up)
 * @param writeBytesPerConnection write data (immediate + unsolicited + solicited) a connection may
 *                                hold for its tasks at once: a write reserves its whole EDTL when its
 *                                command arrives; one that does not fit gets TASK SET FULL at once
 *                                (its unsolicited data is read and dropped, no R2T is sent) unless no
 *                                other write holds a reservation, so a single write always proceeds
 * @param dataOutTimeout          how long a task may wait for Data-Out (unsolicited or for an R2T)
 *                                without receiving any; then the connection is dropped (ERL 0)
 */
public record ResourceLimits(int maxConnections, int maxSessions, int maxSessionsPerTarget, Duration loginTimeout,
                             long writeBytesPerConnection, Duration dataOutTimeout) {

    public static final int DEFAULT_MAX_CONNECTIONS = 512;
    public static final int DEFAULT_MAX_SESSIONS = 256;
    public static final int DEFAULT_MAX_SESSIONS_PER_TARGET = 128;
    public static final Duration DEFAULT_LOGIN_TIMEOUT = Duration.ofSeconds(30);
    /** 128 commands (the default queue depth) of 256 KiB each. */
    public static final long DEFAULT_WRITE_BYTES_PER_CONNECTION = 32L << 20;
    public static final Duration DEFAULT_DATA_OUT_TIMEOUT = Duration.ofSeconds(60);

    public ResourceLimits {
        Objects.requireNonNull(loginTimeout, "loginTimeout");
        Objects.requireNonNull(dataOutTimeout, "dataOutTimeout");
        if (maxConnections < 1 || maxSessions < 1 || maxSessionsPerTarget < 1 || writeBytesPerConnection < 1
                || loginTimeout.isNegative() || loginTimeout.isZero()
                || dataOutTimeout.isNegative() || dataOutTimeout.isZero()) {
            throw new IllegalArgumentException("every limit must be positive: " + this);
        }
    }

    public static ResourceLimits defaults() {
        return new ResourceLimits(DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_SESSIONS, DEFAULT_MAX_SESSIONS_PER_TARGET,
                DEFAULT_LOGIN_TIMEOUT, DEFAULT_WRITE_BYTES_PER_CONNECTION, DEFAULT_DATA_OUT_TIMEOUT);
    }

    public ResourceLimits withLoginTimeout(Duration d) {
        return new ResourceLimits(maxConnections, maxSessions, maxSessionsPerTarget, d, writeBytesPerConnection,
                dataOutTimeout);
    }

    public ResourceLimits withDataOutTimeout(Duration d) {
        return new ResourceLimits(maxConnections, maxSessions, maxSessionsPerTarget, loginTimeout,
                writeBytesPerConnection, d);
    }

    public ResourceLimits withWriteBytesPerConnection(long bytes) {
        return new ResourceLimits(maxConnections, maxSessions, maxSessionsPerTarget, loginTimeout, bytes,
                dataOutTimeout);
    }

    public ResourceLimits withSessions(int max, int perTarget) {
        return new ResourceLimits(maxConnections, max, perTarget, loginTimeout, writeBytesPerConnection,
                dataOutTimeout);
    }

    public ResourceLimits withMaxConnections(int max) {
        return new ResourceLimits(max, maxSessions, maxSessionsPerTarget, loginTimeout, writeBytesPerConnection,
                dataOutTimeout);
    }
}
