package org.vaaitarget.server.discovery;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.vaaitarget.server.login.TextKeyValues;
import org.vaaitarget.server.login.ServerContext;
import org.vaaitarget.server.session.ServerTarget;
import org.vaaitarget.server.session.Session;
import org.vaaitarget.server.session.SessionType;

/**
 * Answers the SendTargets key (RFC 7143 13.3 and Appendix C): for each target reported, TargetName
 * followed by one TargetAddress=&lt;address&gt;:&lt;port&gt;,&lt;tpgt&gt; per portal. IPv6 addresses are in
 * brackets. A wildcard portal (0.0.0.0 or ::) is advertised as the local address of the asking
 * connection, since an initiator cannot connect to a wildcard. Usable in discovery and normal sessions.
 * Given the asking session, only the targets its initiator may log in to are listed (allow lists of
 * {@link org.vaaitarget.server.login.AccessControl}).
 */
public final class SendTargetsResponder {
    private final ServerContext context;

    public SendTargetsResponder(ServerContext context) {
        this.context = context;
    }

    /**
     * The response text for one SendTargets value.
     *
     * @param value         "All", a target name, or "" (the session's target)
     * @param sessionTarget the target of a normal session, null in a discovery session
     * @param local         the connection's local address (for wildcard portals)
     * @return key=value pairs to send; "SendTargets=Reject" for All in a normal session (RFC 7143
     *         Appendix C: All is for discovery sessions)
     */
    public List<Map.Entry<String, String>> respond(String value, ServerTarget sessionTarget, SocketAddress local) {
        return respond(value, sessionTarget, local, t -> true);
    }

    /**
     * The response text for one SendTargets value asked in {@code session}: as
     * {@link #respond(String, ServerTarget, SocketAddress)}, listing only the targets the session's
     * initiator, from its address, may log in to.
     */
    public List<Map.Entry<String, String>> respondFor(String value, Session session, SocketAddress local) {
        ServerTarget sessionTarget = session.type() == SessionType.NORMAL ? session.target() : null;
        SocketAddress remote = session.channel().remoteAddress();
        return respond(value, sessionTarget, local,
                t -> context.access().mayLogin(t.name(), session.initiatorName(), remote));
    }

    private List<Map.Entry<String, String>> respond(String value, ServerTarget sessionTarget, SocketAddress local,
                                                    Predicate<ServerTarget> visible) {
        List<ServerTarget> chosen = new ArrayList<>();
        if (value.equals("All")) {
            if (sessionTarget != null) {
                return List.of(Map.entry("SendTargets", "Reject"));
            }
            chosen.addAll(context.targets().values());
        } else if (value.isEmpty()) {
            if (sessionTarget != null) {
                chosen.add(sessionTarget);
            }
        } else {
            ServerTarget t = context.targets().get(value);
            if (t != null) {
                chosen.add(t);
            }
        }
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (ServerTarget t : chosen) {
            if (!visible.test(t)) {
                continue;
            }
            out.add(Map.entry("TargetName", t.name()));
            for (String address : addresses(local)) {
                out.add(Map.entry("TargetAddress", address + "," + t.portalGroupTag()));
            }
        }
        return out;
    }

    /** {@link #respond(String, ServerTarget, SocketAddress)} as encoded text. */
    public byte[] respondText(String value, ServerTarget sessionTarget, SocketAddress local) {
        return TextKeyValues.encode(respond(value, sessionTarget, local));
    }

    /** {@link #respondFor} as encoded text. */
    public byte[] respondTextFor(String value, Session session, SocketAddress local) {
        return TextKeyValues.encode(respondFor(value, session, local));
    }

    private Set<String> addresses(SocketAddress local) {
        Set<String> out = new LinkedHashSet<>();
        for (InetSocketAddress portal : context.portals()) {
            InetAddress ip = portal.getAddress();
            if ((ip == null || ip.isAnyLocalAddress()) && local instanceof InetSocketAddress l) {
                ip = l.getAddress();
            }
            if (ip != null) {
                out.add(format(ip) + ":" + portal.getPort());
            }
        }
        return out;
    }

    static String format(InetAddress ip) {
        String host = ip.getHostAddress();
        int scope = host.indexOf('%');
        if (scope >= 0) {
            host = host.substring(0, scope);
        }
        return ip instanceof Inet6Address ? "[" + host + "]" : host;
    }
}
