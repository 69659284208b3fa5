package org.vaaitarget.server.login;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * The CHAP digest algorithms we accept in CHAP_A (RFC 7143 12.1.3; RFC 1994 4.1): 5 = MD5 (the one
 * RFC 7143 requires), and 6 = SHA-1, 7 = SHA-256, 8 = SHA3-256 from the later IANA PPP CHAP
 * registrations, which open-iscsi offers. The response is H(identifier || secret || challenge).
 */
public enum ChapAlgorithm {
    MD5(5, "MD5"),
    SHA1(6, "SHA-1"),
    SHA256(7, "SHA-256"),
    SHA3_256(8, "SHA3-256");

    private final int code;
    private final String jcaName;

    ChapAlgorithm(int code, String jcaName) {
        this.code = code;
        this.jcaName = jcaName;
    }

    /** The CHAP_A value. */
    public int code() {
        return code;
    }

    /** Bytes of the digest, and of the challenges we send (at least the digest size). */
    public int digestLength() {
        return digest().getDigestLength();
    }

    /**
     * The first algorithm of the initiator's CHAP_A list that we support (RFC 7143 6.2: the responder
     * picks the first value it supports), or empty.
     */
    public static Optional<ChapAlgorithm> firstSupported(String offered) {
        for (String v : offered.split(",", -1)) {
            for (ChapAlgorithm a : values()) {
                if (v.trim().equals(Integer.toString(a.code))) {
                    return Optional.of(a);
                }
            }
        }
        return Optional.empty();
    }

    /** RFC 1994 4.1: the digest of the one-octet identifier, the secret and the challenge. */
    public byte[] response(int identifier, byte[] secret, byte[] challenge) {
        MessageDigest md = digest();
        md.update((byte) identifier);
        md.update(secret);
        md.update(challenge);
        return md.digest();
    }

    private MessageDigest digest() {
        try {
            return MessageDigest.getInstance(jcaName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JRE lacks " + jcaName, e); // all four are mandatory in Java 17
        }
    }

    @Override
    public String toString() {
        return name() + "(" + code + ")";
    }
}
