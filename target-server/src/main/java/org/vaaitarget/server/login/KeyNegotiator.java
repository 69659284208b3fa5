package org.vaaitarget.server.login;

import org.vaaitarget.server.pdu.LoginStatus;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.vaaitarget.server.session.NegotiatedParameters;
import org.vaaitarget.server.session.SessionType;
import org.vaaitarget.server.session.TargetOffer;

/**
 * Negotiates the text keys of one login, request by request, from the {@link TextKeys} table
 * (RFC 7143 6.2). Keeps what each key resolved to; {@link #parameters()} turns that into the
 * session's {@link NegotiatedParameters}. Single-threaded (the connection's event loop).
 */
public final class KeyNegotiator {
    static final String NOT_UNDERSTOOD = "NotUnderstood";
    static final String IRRELEVANT = "Irrelevant";
    static final String REJECT = "Reject";

    private final TargetOffer offer;
    /** Decide the session: negotiated before the other keys of a request, so AuthMethod can depend on them. */
    private static final List<String> LEADING_KEYS =
            List.of(TextKeys.SESSION_TYPE, TextKeys.INITIATOR_NAME, TextKeys.TARGET_NAME);

    private final Supplier<List<Authenticator>> authenticatorSource;
    private List<Authenticator> authenticators;
    private final Set<String> seen = new HashSet<>();
    private final Map<String, String> results = new LinkedHashMap<>();
    private Authenticator authenticator;
    private boolean authenticated;

    /**
     * @param offer          our values
     * @param authenticators the AuthMethods we support, best first (each a fresh instance for this login)
     */
    public KeyNegotiator(TargetOffer offer, List<Authenticator> authenticators) {
        this(offer, () -> authenticators);
    }

    /**
     * @param authenticators asked once, when AuthMethod is first negotiated (or security completion is
     *                       first asked about): by then SessionType, InitiatorName and TargetName of the
     *                       leading request are known, so the methods can depend on the target
     */
    public KeyNegotiator(TargetOffer offer, Supplier<List<Authenticator>> authenticators) {
        this.offer = offer;
        this.authenticatorSource = authenticators;
    }

    /**
     * Negotiates the keys of one (complete, de-continued) Login Request.
     *
     * @return the response keys, in order
     * @throws LoginFailure for keys sent twice (RFC 7143 6.2: "the target MUST respond with Login
     *                      reject (initiator error)"), security keys outside the security stage,
     *                      or an authentication failure
     */
    public List<Map.Entry<String, String>> negotiate(List<Map.Entry<String, String>> pairs, LoginStage stage)
            throws LoginFailure {
        Map<String, String> response = new LinkedHashMap<>();
        Map<String, String> authKeys = new LinkedHashMap<>();
        List<Map.Entry<String, String>> fresh = new ArrayList<>();
        for (Map.Entry<String, String> p : pairs) {
            if (seen.add(p.getKey())) {
                fresh.add(p);
            } else if (!repeatedDeclaration(p, pairs)) {
                throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "key sent twice: " + p.getKey());
            }
        }
        pairs = fresh;
        for (String leading : LEADING_KEYS) { // SessionType decides relevance of the others: first
            for (Map.Entry<String, String> p : pairs) {
                if (p.getKey().equals(leading)) {
                    negotiateOne(TextKeys.get(leading), p.getValue(), stage, response);
                }
            }
        }
        for (Map.Entry<String, String> p : pairs) {
            String key = p.getKey();
            TextKey row = TextKeys.get(key);
            if (authenticator != null && authenticator.ownsKey(key)) {
                requireSecurityStage(key, stage);
                authKeys.put(key, p.getValue());
            } else if (row == null) {
                response.put(key, NOT_UNDERSTOOD); // unknown and X-/X# extension keys (RFC 7143 6.2)
            } else if (!LEADING_KEYS.contains(key)) {
                negotiateOne(row, p.getValue(), stage, response);
            }
        }
        List<Map.Entry<String, String>> out = new ArrayList<>();
        response.forEach((k, v) -> out.add(Map.entry(k, v)));
        if (authenticator != null && stage == LoginStage.SECURITY_NEGOTIATION && !authenticated) {
            authenticated = authenticator.step(authKeys, out);
        }
        return out;
    }

    /**
     * libiscsi repeats InitiatorName, TargetName and SessionType in its first operational request when
     * it offered CHAP and the target chose None. An identical repeat of such a declaration from an earlier
     * request is ignored; anything else sent twice is an initiator error (RFC 7143 6.2).
     */
    private boolean repeatedDeclaration(Map.Entry<String, String> p, List<Map.Entry<String, String>> request) {
        boolean earlier = request.stream().filter(q -> q.getKey().equals(p.getKey())).count() == 1;
        return earlier && LEADING_KEYS.contains(p.getKey()) && p.getValue().equals(results.get(p.getKey()));
    }

    private void negotiateOne(TextKey row, String offered, LoginStage stage, Map<String, String> response)
            throws LoginFailure {
        String key = row.name();
        if (row.phase() == TextKey.Phase.SECURITY && stage != LoginStage.SECURITY_NEGOTIATION
                && key.equals(TextKeys.AUTH_METHOD) && offersNoneWeAccept(offered)) {
            // RFC 7143 6.3 puts security keys in the security stage, but jSCSI starts in the operational
            // stage and still sends AuthMethod=None. When this target requires no authentication that is
            // harmless, so it is answered instead of failing the login.
            response.put(key, "None");
            return;
        }
        if (row.phase() == TextKey.Phase.SECURITY) {
            requireSecurityStage(key, stage);
        }
        if (isAnswerValue(offered)) {
            return; // the initiator answering a key (we offer none that need an answer)
        }
        if (row.phase() == TextKey.Phase.FULL_FEATURE || row.sender() == TextKey.Sender.TARGET) {
            response.put(key, REJECT); // e.g. SendTargets during login, or TargetAddress from an initiator
            return;
        }
        if (row.irrelevantInDiscovery() && sessionType() == SessionType.DISCOVERY) {
            response.put(key, IRRELEVANT);
            return;
        }
        String result = KeyRules.resolve(row, offered, key.equals(TextKeys.AUTH_METHOD) ? authMethods() : null,
                row.ours() == null ? null : row.ours().apply(offer));
        if (result == null) {
            response.put(key, REJECT);
            return;
        }
        results.put(key, result);
        if (key.equals(TextKeys.AUTH_METHOD)) {
            authenticator = authenticators().stream().filter(a -> a.method().equals(result)).findFirst().orElseThrow();
        }
        String answer = KeyRules.answer(row, result, row.ours() == null ? null : row.ours().apply(offer));
        if (answer != null) {
            response.put(key, answer);
        }
        if (key.equals(TextKeys.FIRST_BURST_LENGTH) || key.equals(TextKeys.MAX_BURST_LENGTH)) {
            clampFirstBurst(response);
        }
    }

    /** RFC 7143 13.14: FirstBurstLength MUST NOT exceed MaxBurstLength. */
    private void clampFirstBurst(Map<String, String> response) {
        long first = number(TextKeys.FIRST_BURST_LENGTH);
        long max = number(TextKeys.MAX_BURST_LENGTH);
        if (first > max && results.containsKey(TextKeys.FIRST_BURST_LENGTH)) {
            results.put(TextKeys.FIRST_BURST_LENGTH, Long.toString(max));
            response.put(TextKeys.FIRST_BURST_LENGTH, Long.toString(max));
        }
    }

    private static void requireSecurityStage(String key, LoginStage stage) throws LoginFailure {
        if (stage != LoginStage.SECURITY_NEGOTIATION) {
            // RFC 7143 6.3: security keys belong to the Security Negotiation stage
            throw new LoginFailure(LoginStatus.INITIATOR_ERROR, key + " outside the security stage");
        }
    }

    private boolean offersNoneWeAccept(String offered) {
        return List.of(offered.split(",")).contains("None")
                && authenticators().stream().anyMatch(a -> a.method().equals("None"));
    }

    private static boolean isAnswerValue(String v) {
        return v.equals(NOT_UNDERSTOOD) || v.equals(IRRELEVANT) || v.equals(REJECT);
    }

    private List<Authenticator> authenticators() {
        if (authenticators == null) {
            authenticators = List.copyOf(authenticatorSource.get());
        }
        return authenticators;
    }

    private List<String> authMethods() {
        return authenticators().stream().map(Authenticator::method).toList();
    }

    /** Whether the Security Negotiation stage may end: authentication done (or AuthMethod=None by default). */
    public boolean securityComplete() {
        if (authenticator == null) {
            return authMethods().contains("None");
        }
        return authenticated;
    }

    /** Whether the initiator sent the key during this login. */
    public boolean received(String key) {
        return seen.contains(key);
    }

    /** Whether the key was received and resolved to a legal value (not answered Reject). */
    public boolean resolved(String key) {
        return results.containsKey(key);
    }

    /** The declared or negotiated value of a key, or its RFC default, or null. */
    public String value(String key) {
        String v = results.get(key);
        if (v != null) {
            return v;
        }
        TextKey row = TextKeys.get(key);
        return row == null ? null : row.defaultValue();
    }

    public SessionType sessionType() {
        return "Discovery".equals(value(TextKeys.SESSION_TYPE)) ? SessionType.DISCOVERY : SessionType.NORMAL;
    }

    private long number(String key) {
        return KeyRules.parseNumber(value(key));
    }

    private boolean yes(String key) {
        return "Yes".equals(value(key));
    }

    /**
     * The parameters in force after login. Our MaxRecvDataSegmentLength is the one we declare (the
     * login handler always declares it); the initiator's is our MaxXmitDataSegmentLength.
     */
    public NegotiatedParameters parameters() {
        int first = (int) Math.min(number(TextKeys.FIRST_BURST_LENGTH), number(TextKeys.MAX_BURST_LENGTH));
        return new NegotiatedParameters("CRC32C".equals(value(TextKeys.HEADER_DIGEST)),
                "CRC32C".equals(value(TextKeys.DATA_DIGEST)), offer.maxRecvDataSegmentLength(),
                (int) number(TextKeys.MAX_RECV_DATA_SEGMENT_LENGTH), (int) number(TextKeys.MAX_BURST_LENGTH), first,
                yes(TextKeys.INITIAL_R2T), yes(TextKeys.IMMEDIATE_DATA), (int) number(TextKeys.MAX_OUTSTANDING_R2T),
                yes(TextKeys.DATA_PDU_IN_ORDER), yes(TextKeys.DATA_SEQUENCE_IN_ORDER),
                (int) number(TextKeys.ERROR_RECOVERY_LEVEL), (int) number(TextKeys.MAX_CONNECTIONS),
                (int) number(TextKeys.DEFAULT_TIME2WAIT), (int) number(TextKeys.DEFAULT_TIME2RETAIN));
    }
}
