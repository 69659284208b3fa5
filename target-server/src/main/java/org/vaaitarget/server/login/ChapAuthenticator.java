package org.vaaitarget.server.login;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * AuthMethod=CHAP, target side (RFC 7143 12.1.3, RFC 1994), one login:
 * <ol>
 * <li>the initiator offers {@code CHAP_A=<A1,A2,...>}; we pick the first we support and answer
 *     {@code CHAP_A, CHAP_I, CHAP_C} (a fresh random identifier and challenge);</li>
 * <li>the initiator answers {@code CHAP_N, CHAP_R}, and for mutual CHAP also {@code CHAP_I, CHAP_C};
 *     we check the name and the response (constant-time) and, for mutual CHAP, answer
 *     {@code CHAP_N, CHAP_R} for the initiator's challenge.</li>
 * </ol>
 * Every deviation is AUTHENTICATION FAILURE (0201h): RFC 7143 12.1.3 "If the initiator authentication
 * fails, the target MUST answer with a Login reject with 'Authentication Failure' status". Messages name
 * the problem, never a secret.
 */
final class ChapAuthenticator implements Authenticator {
    static final String CHAP_A = "CHAP_A";
    static final String CHAP_I = "CHAP_I";
    static final String CHAP_C = "CHAP_C";
    static final String CHAP_N = "CHAP_N";
    static final String CHAP_R = "CHAP_R";
    private static final Set<String> KEYS = Set.of(CHAP_A, CHAP_I, CHAP_C, CHAP_N, CHAP_R);
    /** RFC 7143 12.1.3 limits CHAP_C to 1024 bytes. */
    static final int MAX_CHALLENGE = 1024;

    private enum State { AWAIT_ALGORITHM, AWAIT_RESPONSE, DONE }

    private final ChapCredentials initiator;
    private final ChapCredentials target;
    private final SecureRandom random;
    private State state = State.AWAIT_ALGORITHM;
    private ChapAlgorithm algorithm;
    private int identifier;
    private byte[] challenge;

    /**
     * @param initiator what the initiator must prove
     * @param target    our credentials for mutual CHAP, or null (then a mutual request is refused)
     */
    ChapAuthenticator(ChapCredentials initiator, ChapCredentials target, SecureRandom random) {
        this.initiator = initiator;
        this.target = target;
        this.random = random;
    }

    @Override
    public String method() {
        return "CHAP";
    }

    @Override
    public boolean ownsKey(String key) {
        return KEYS.contains(key);
    }

    @Override
    public boolean step(Map<String, String> keys, List<Map.Entry<String, String>> response) throws LoginFailure {
        switch (state) {
            case AWAIT_ALGORITHM -> {
                if (keys.isEmpty()) {
                    return false; // the request that chose AuthMethod=CHAP
                }
                offerChallenge(keys, response);
                return false;
            }
            case AWAIT_RESPONSE -> {
                verify(keys, response);
                state = State.DONE;
                return true;
            }
            default -> {
                return true;
            }
        }
    }

    private void offerChallenge(Map<String, String> keys, List<Map.Entry<String, String>> response)
            throws LoginFailure {
        String offered = keys.get(CHAP_A);
        if (offered == null || keys.size() != 1) {
            throw failure("expected CHAP_A alone, got " + keys.keySet());
        }
        // RFC 7143 12.1.3: "the target MUST answer with a Login reject with the 'Authentication Failure'
        // status or reply with CHAP_A=<A>" where A is one of the proposed algorithms
        algorithm = ChapAlgorithm.firstSupported(offered)
                .orElseThrow(() -> failure("no supported algorithm in CHAP_A=" + offered));
        identifier = random.nextInt(256);
        challenge = new byte[algorithm.digestLength()];
        random.nextBytes(challenge);
        response.add(Map.entry(CHAP_A, Integer.toString(algorithm.code())));
        response.add(Map.entry(CHAP_I, Integer.toString(identifier)));
        response.add(Map.entry(CHAP_C, BinaryValues.hex(challenge)));
        state = State.AWAIT_RESPONSE;
    }

    private void verify(Map<String, String> keys, List<Map.Entry<String, String>> response) throws LoginFailure {
        String name = keys.get(CHAP_N);
        String answer = keys.get(CHAP_R);
        if (name == null || answer == null || keys.containsKey(CHAP_A)) {
            throw failure("expected CHAP_N and CHAP_R, got " + keys.keySet());
        }
        String mutualId = keys.get(CHAP_I);
        String mutualChallenge = keys.get(CHAP_C);
        if ((mutualId == null) != (mutualChallenge == null)) {
            throw failure("mutual CHAP needs both CHAP_I and CHAP_C");
        }
        byte[] theirChallenge = null;
        if (mutualChallenge != null) {
            theirChallenge = binary(CHAP_C, mutualChallenge);
            if (theirChallenge.length == 0 || theirChallenge.length > MAX_CHALLENGE) {
                throw failure("CHAP_C of " + theirChallenge.length + " bytes (1 to " + MAX_CHALLENGE + " allowed)");
            }
            // RFC 7143 12.1.3: the target MUST NOT answer a challenge equal to the one it sent (reflection)
            if (MessageDigest.isEqual(theirChallenge, challenge)) {
                throw failure("the initiator sent back our own challenge (reflection)");
            }
            if (target == null) {
                throw failure("the initiator asks for mutual CHAP but no target credentials are configured");
            }
        }
        byte[] expected = algorithm.response(identifier, initiator.secret(), challenge);
        boolean nameOk = name.equals(initiator.user());
        boolean answerOk = MessageDigest.isEqual(expected, binary(CHAP_R, answer));
        if (!nameOk || !answerOk) {
            throw failure(nameOk ? "wrong CHAP_R (wrong secret) for CHAP_N " + name : "unknown CHAP_N " + name);
        }
        if (theirChallenge != null) {
            int id = mutualIdentifier(mutualId);
            response.add(Map.entry(CHAP_N, target.user()));
            response.add(Map.entry(CHAP_R, BinaryValues.hex(algorithm.response(id, target.secret(), theirChallenge))));
        }
    }

    private static int mutualIdentifier(String text) throws LoginFailure {
        long id;
        try {
            id = KeyRules.parseNumber(text);
        } catch (RuntimeException e) {
            id = -1;
        }
        if (id < 0 || id > 255) {
            throw failure("CHAP_I=" + text + " is not 0 to 255");
        }
        return (int) id;
    }

    private static byte[] binary(String key, String value) throws LoginFailure {
        try {
            return BinaryValues.decode(value);
        } catch (IllegalArgumentException e) {
            throw failure(key + ": " + e.getMessage());
        }
    }

    private static LoginFailure failure(String message) {
        return LoginFailure.badCredentials("CHAP: " + message);
    }
}
