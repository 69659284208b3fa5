package org.vaaitarget.server.login;

import java.security.SecureRandom;
import java.util.List;

/**
 * How initiators authenticate to a target (or to discovery): nothing, one-way CHAP (the initiator
 * proves {@code chap}), or mutual CHAP (the target also answers the initiator's challenge with
 * {@code mutualChap}). When {@code chap} is set, CHAP is required: AuthMethod=None is refused.
 *
 * @param chap       the initiator's credentials, or null for no authentication
 * @param mutualChap the target's credentials for mutual CHAP, or null
 */
public record AuthConfig(ChapCredentials chap, ChapCredentials mutualChap) {
    public static final AuthConfig NONE = new AuthConfig(null, null);

    /** @throws IllegalArgumentException for mutual CHAP without CHAP, or one secret for both directions */
    public AuthConfig {
        if (mutualChap != null && chap == null) {
            throw new IllegalArgumentException("mutual CHAP needs one-way CHAP too (the initiator's user and secret)");
        }
        if (mutualChap != null && mutualChap.sameSecretAs(chap)) {
            // RFC 7143 9.2.1: a secret for initiator authentication MUST NOT be used to authenticate a target
            throw new IllegalArgumentException("the mutual CHAP secret must differ from the initiator's CHAP secret");
        }
    }

    /** One-way CHAP with these credentials. */
    public static AuthConfig chap(ChapCredentials chap) {
        return new AuthConfig(chap, null);
    }

    public boolean required() {
        return chap != null;
    }

    /** The authenticators of one login (fresh instances): CHAP when required, else None. */
    List<Authenticator> authenticators(SecureRandom random) {
        return required() ? List.of(new ChapAuthenticator(chap, mutualChap, random)) : List.of(Authenticator.none());
    }
}
