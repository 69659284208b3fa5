package org.vaaitarget.server.session;

import io.netty.channel.Channel;
import java.util.Objects;
import org.vaaitarget.core.scsi.ItNexus;

/**
 * One iSCSI session (this target: exactly one connection, MaxConnections=1). Created by login when
 * it moves to Full Feature Phase; the full-feature handler owns the CmdSN window and task table
 * and touches them only on the channel's event loop.
 *
 * @param initiatorName InitiatorName key
 * @param initiatorAlias InitiatorAlias key, or null
 * @param isid     ISID as 12 lower-case hex digits
 * @param tsih     target-assigned session identifying handle (non-zero)
 * @param type     NORMAL or DISCOVERY
 * @param target   the target (null for discovery sessions)
 * @param params   negotiated parameters
 * @param cid      the connection's CID
 * @param initialExpCmdSn ExpCmdSN at the start of Full Feature Phase: the CmdSN of the final Login
 *                        Request (login requests are immediate and do not advance it; RFC 7143 11.12.6)
 * @param channel  the connection
 * @param initialStatSn the StatSN of the first response in Full Feature Phase: one more than the
 *                      StatSN of the final Login Response (RFC 7143 11.13.4: "The next response of
 *                      any kind ... will carry this number + 1"). The full-feature handler starts here.
 */
public record Session(String initiatorName, String initiatorAlias, String isid, int tsih, SessionType type,
                      ServerTarget target, NegotiatedParameters params, int cid, int initialExpCmdSn,
                      Channel channel, int initialStatSn) {

    /** As the canonical constructor, with {@code initialStatSn} 0 (tests and callers that predate it). */
    public Session(String initiatorName, String initiatorAlias, String isid, int tsih, SessionType type,
                   ServerTarget target, NegotiatedParameters params, int cid, int initialExpCmdSn, Channel channel) {
        this(initiatorName, initiatorAlias, isid, tsih, type, target, params, cid, initialExpCmdSn, channel, 0);
    }

    public Session {
        Objects.requireNonNull(initiatorName);
        Objects.requireNonNull(isid);
        Objects.requireNonNull(type);
        Objects.requireNonNull(params);
        Objects.requireNonNull(channel);
    }

    /** The SCSI I_T nexus of this session (normal sessions only). */
    public ItNexus nexus() {
        return new ItNexus(initiatorName, isid, target == null ? "" : target.name(),
                target == null ? 0 : target.portalGroupTag());
    }

    /** The key for session reinstatement (RFC 7143 6.3.5): same initiator, ISID and target. */
    public String reinstatementKey() {
        return initiatorName + "|" + isid + "|" + (target == null ? "" : target.name());
    }

    /** Closes the connection; the full-feature handler's channelInactive cleans up the tasks. */
    public void close() {
        channel.close();
    }

    /** Closes the connection for {@code reason} (a {@link SessionEnd} constant), which its end-of-session line reports. */
    public void close(String reason) {
        SessionEnd.note(channel, reason, "");
        channel.close();
    }
}
