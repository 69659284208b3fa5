package org.vaaitarget.server.login;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A CHAP name and secret from the configuration. The secret never appears in {@link #toString()} or
 * in logs.
 *
 * @param user   the CHAP_N value
 * @param secret the shared secret (UTF-8 bytes of the configured text)
 */
public record ChapCredentials(String user, byte[] secret) {
    /**
     * RFC 7143 9.2.1: implementations MUST NOT continue unless the CHAP secret is at least 96 bits
     * (when the connection is not protected by IPsec, which we never assume).
     */
    public static final int MIN_SECRET_BYTES = 12;
    /** A bound of our own: RFC 7143 sets none; 255 bytes is what most initiators accept. */
    public static final int MAX_SECRET_BYTES = 255;

    /** @throws IllegalArgumentException for an empty name or a secret outside 12..255 bytes */
    public ChapCredentials {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(secret, "secret");
        if (user.isEmpty() || user.length() > 255 || user.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("the CHAP user name must be 1 to 255 characters");
        }
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the CHAP secret is " + secret.length + " bytes; RFC 7143 9.2.1 needs at least "
                    + MIN_SECRET_BYTES + " (96 bits): use a longer one");
        }
        if (secret.length > MAX_SECRET_BYTES) {
            throw new IllegalArgumentException("the CHAP secret is longer than " + MAX_SECRET_BYTES + " bytes");
        }
        secret = secret.clone();
    }

    /** From configuration text: the secret is the UTF-8 bytes of {@code secret}. */
    public static ChapCredentials of(String user, String secret) {
        return new ChapCredentials(user, secret.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public byte[] secret() {
        return secret.clone();
    }

    /** Whether both use the same secret (RFC 7143 9.2.1 forbids one secret for both directions). */
    public boolean sameSecretAs(ChapCredentials other) {
        return other != null && java.security.MessageDigest.isEqual(secret, other.secret);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChapCredentials c && c.user.equals(user) && sameSecretAs(c);
    }

    @Override
    public int hashCode() {
        return user.hashCode();
    }

    @Override
    public String toString() {
        return "ChapCredentials[user=" + user + ", secret=(hidden)]";
    }
}
