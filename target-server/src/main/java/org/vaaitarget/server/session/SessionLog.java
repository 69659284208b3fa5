package org.vaaitarget.server.session;

import java.net.SocketAddress;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The key/value fields of the session lifecycle records (login, reinstatement, login failure, session end),
 * so that every such record carries the same names: {@code event}, {@code initiator}, {@code isid},
 * {@code target}, {@code tsih}, {@code type}, {@code peer}. The text log shows them as {@code key="value"}
 * before the message, the JSON log in {@code kvpList}.
 */
public final class SessionLog {
    private SessionLog() {
    }

    /** {@code event} and the session's identity. */
    public static LoggingEventBuilder session(LoggingEventBuilder record, String event, Session s) {
        return record.addKeyValue("event", event)
                .addKeyValue("initiator", s.initiatorName())
                .addKeyValue("isid", s.isid())
                .addKeyValue("target", s.target() == null ? "" : s.target().name())
                .addKeyValue("tsih", s.tsih())
                .addKeyValue("type", s.type().name().toLowerCase(java.util.Locale.ROOT))
                .addKeyValue("peer", peer(s.channel().remoteAddress()));
    }

    /** The remote address without the host name lookup part: {@code 10.0.0.5:51234}. */
    public static String peer(SocketAddress remote) {
        if (remote == null) {
            return "";
        }
        String text = remote.toString();
        int slash = text.indexOf('/');
        return slash < 0 ? text : text.substring(slash + 1);
    }
}
