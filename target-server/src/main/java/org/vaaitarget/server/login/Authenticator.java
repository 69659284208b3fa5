package org.vaaitarget.server.login;

import java.util.List;
import java.util.Map;

/**
 * One authentication method of the Security Negotiation stage (RFC 7143 12), e.g. None or, later,
 * CHAP. A new instance is used per login. The login handler negotiates AuthMethod from the
 * {@link #method()} names of the authenticators it has, then feeds the method's keys to the chosen one.
 */
public interface Authenticator {

    /** The AuthMethod value, e.g. "None" or "CHAP". */
    String method();

    /** Whether this method uses the key (e.g. CHAP_A, CHAP_N); such keys are handed to {@link #step}. */
    boolean ownsKey(String key);

    /**
     * Processes the method's keys of one Login Request.
     *
     * @param keys the owned keys of the request, in order
     * @param response where to add the keys of the response
     * @return true when authentication is complete and the stage may end
     * @throws LoginFailure with AUTHENTICATION_FAILURE (0x0201) when the initiator fails
     */
    boolean step(Map<String, String> keys, List<Map.Entry<String, String>> response) throws LoginFailure;

    /** AuthMethod=None: nothing to exchange, always complete. */
    static Authenticator none() {
        return new Authenticator() {
            @Override
            public String method() {
                return "None";
            }

            @Override
            public boolean ownsKey(String key) {
                return false;
            }

            @Override
            public boolean step(Map<String, String> keys, List<Map.Entry<String, String>> response) {
                return true;
            }
        };
    }
}
