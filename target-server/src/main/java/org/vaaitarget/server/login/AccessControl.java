package org.vaaitarget.server.login;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.vaaitarget.server.session.SessionType;

/**
 * The server's authentication and access rules: discovery authentication, and per target its
 * authentication, allow list and LUN masking ({@link TargetAccess}); plus the failed-authentication
 * throttle shared by every connection. Targets not listed are open.
 */
public final class AccessControl {
    private final AuthConfig discovery;
    private final Map<String, TargetAccess> targets;
    private final AuthFailureThrottle throttle;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param discovery authentication of discovery sessions
     * @param targets   target name to its rules
     * @param throttle  delays answers to failed authentications
     */
    public AccessControl(AuthConfig discovery, Map<String, TargetAccess> targets, AuthFailureThrottle throttle) {
        this.discovery = discovery == null ? AuthConfig.NONE : discovery;
        this.targets = Map.copyOf(targets);
        this.throttle = Objects.requireNonNull(throttle, "throttle");
    }

    /** No authentication, no restriction. */
    public static AccessControl open() {
        return new AccessControl(AuthConfig.NONE, Map.of(), new AuthFailureThrottle());
    }

    public AuthConfig discoveryAuth() {
        return discovery;
    }

    /** The rules of a target ({@link TargetAccess#OPEN} when none are configured). */
    public TargetAccess target(String name) {
        return name == null ? TargetAccess.OPEN : targets.getOrDefault(name, TargetAccess.OPEN);
    }

    /** The authentication a login of this type to this target (null for discovery) must pass. */
    public AuthConfig authFor(SessionType type, String targetName) {
        return type == SessionType.DISCOVERY ? discovery : target(targetName).auth();
    }

    /** Fresh authenticators for one login. */
    List<Authenticator> authenticators(SessionType type, String targetName) {
        return authFor(type, targetName).authenticators(random);
    }

    /** Whether this initiator, connected from {@code remote}, may log in to (and discover) the target. */
    public boolean mayLogin(String targetName, String initiatorName, SocketAddress remote) {
        return target(targetName).allows(initiatorName, address(remote));
    }

    public AuthFailureThrottle throttle() {
        return throttle;
    }

    /** The IP address of a peer, or null (e.g. an embedded test channel). */
    static InetAddress address(SocketAddress remote) {
        return remote instanceof InetSocketAddress i ? i.getAddress() : null;
    }

    /** The throttle key of a peer: its IP address (the port changes with each connection). */
    static String source(SocketAddress remote) {
        InetAddress a = address(remote);
        return a != null ? a.getHostAddress() : String.valueOf(remote);
    }
}
