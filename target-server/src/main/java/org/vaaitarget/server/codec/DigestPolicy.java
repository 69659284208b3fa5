package org.vaaitarget.server.codec;

/**
 * Which CRC32C digests a connection uses (HeaderDigest / DataDigest keys, RFC 7143 13.1). Login runs
 * with {@link #NONE}; the negotiated policy starts with the first PDU after the Login Phase
 * (RFC 7143 13.1: digests apply "to all PDUs ... after the Login Phase").
 *
 * @param header CRC32C header digest
 * @param data   CRC32C data digest
 */
public record DigestPolicy(boolean header, boolean data) {
    public static final DigestPolicy NONE = new DigestPolicy(false, false);

    public int headerDigestLength() {
        return header ? 4 : 0;
    }

    public int dataDigestLength() {
        return data ? 4 : 0;
    }
}
