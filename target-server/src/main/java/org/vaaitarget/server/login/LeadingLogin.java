package org.vaaitarget.server.login;

import org.vaaitarget.server.pdu.LoginStatus;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;
import org.vaaitarget.server.session.ServerTarget;
import org.vaaitarget.server.session.Session;
import org.vaaitarget.server.session.SessionType;

/**
 * The checks of the first complete Login Request of a connection, which carries the declarations
 * (RFC 7143 13.5.1, 13.4, 13.21) and decides the session: InitiatorName present, session type known,
 * target known, TSIH acceptable, initiator allowed ({@link AccessControl}), and authentication not
 * skipped. Adds the target's declarations to the first response.
 */
final class LeadingLogin {
    private final ServerContext context;
    private final KeyNegotiator negotiator;
    private boolean checked;
    private ServerTarget target;

    LeadingLogin(ServerContext context, KeyNegotiator negotiator) {
        this.context = context;
        this.negotiator = negotiator;
    }

    boolean checked() {
        return checked;
    }

    /** The target of a normal session (null for discovery), once {@link #check} passed. */
    ServerTarget target() {
        return target;
    }

    /** @param remote the initiator's address (for allow lists that name addresses) */
    void check(LoginRequest req, List<Map.Entry<String, String>> response, SocketAddress remote) throws LoginFailure {
        // RFC 7143 13.5.1: "The InitiatorName key ... MUST be sent ... in the first Login Request"
        if (!negotiator.resolved(TextKeys.INITIATOR_NAME)) {
            throw new LoginFailure(LoginStatus.MISSING_PARAMETER, "InitiatorName missing");
        }
        if (negotiator.received(TextKeys.SESSION_TYPE) && !negotiator.resolved(TextKeys.SESSION_TYPE)) {
            throw new LoginFailure(LoginStatus.SESSION_TYPE_NOT_SUPPORTED, "bad SessionType");
        }
        if (req.tsih() != 0) {
            checkTsih(req);
        }
        if (negotiator.sessionType() == SessionType.NORMAL) {
            // RFC 7143 13.4: TargetName MUST be sent in the first Login Request of a Normal session
            if (!negotiator.resolved(TextKeys.TARGET_NAME)) {
                throw new LoginFailure(LoginStatus.MISSING_PARAMETER, "TargetName missing");
            }
            String name = negotiator.value(TextKeys.TARGET_NAME);
            target = context.targets().get(name);
            if (target == null) {
                throw new LoginFailure(LoginStatus.TARGET_NOT_FOUND, "no target " + name);
            }
            String initiator = negotiator.value(TextKeys.INITIATOR_NAME);
            if (!context.access().mayLogin(name, initiator, remote)) {
                // RFC 7143 11.13.5: 0202 "The initiator is not allowed access to the given target"
                throw new LoginFailure(LoginStatus.AUTHORIZATION_FAILURE,
                        "initiator " + initiator + " from " + remote + " is not allowed to log in to " + name);
            }
            // RFC 7143 13.9: the target sends TargetPortalGroupTag in the first Login Response of a
            // Normal session
            response.add(Map.entry(TextKeys.TARGET_PORTAL_GROUP_TAG, Integer.toString(target.portalGroupTag())));
            if (target.alias() != null) {
                response.add(Map.entry(TextKeys.TARGET_ALIAS, target.alias()));
            }
        }
        if (req.csg() != LoginStage.SECURITY_NEGOTIATION.code()
                && context.access().authFor(negotiator.sessionType(), target == null ? null : target.name()).required()) {
            // the initiator skipped the Security Negotiation stage but this target requires CHAP
            throw new LoginFailure(LoginStatus.AUTHENTICATION_FAILURE,
                    "login starts after the security stage but authentication is required");
        }
        checked = true;
    }

    /**
     * A non-zero TSIH asks to add a connection to an existing session. We support one connection per
     * session (MaxConnections=1), so: unknown session 0x020A, known session 0x0208.
     */
    private void checkTsih(LoginRequest req) throws LoginFailure {
        String initiator = negotiator.value(TextKeys.INITIATOR_NAME);
        for (Session s : context.sessions().all()) {
            if (s.tsih() == req.tsih() && s.isid().equals(req.isid()) && s.initiatorName().equals(initiator)) {
                throw new LoginFailure(LoginStatus.CANT_INCLUDE_IN_SESSION,
                        "MaxConnections=1: cannot add a connection to session tsih=" + req.tsih());
            }
        }
        throw new LoginFailure(LoginStatus.SESSION_DOES_NOT_EXIST, "no session with tsih=" + req.tsih());
    }
}
