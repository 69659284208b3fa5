package org.vaaitarget.server.login;

import java.util.Base64;
import java.util.HexFormat;

/**
 * Binary text values (RFC 7143 6.1): {@code 0x} or {@code 0X} followed by hex digits, or {@code 0b} or
 * {@code 0B} followed by base64. A hex string with an odd number of digits is read as if it had a leading
 * zero digit. Used for CHAP_C and CHAP_R.
 */
final class BinaryValues {
    private BinaryValues() {
    }

    /** The bytes of a binary value. @throws IllegalArgumentException when it is not one (the message says why) */
    static byte[] decode(String value) {
        if (value.length() < 3 || value.charAt(0) != '0') {
            throw new IllegalArgumentException("not a binary value (0x<hex> or 0b<base64>)");
        }
        String body = value.substring(2);
        char kind = Character.toLowerCase(value.charAt(1));
        if (kind == 'x') {
            if (!body.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                throw new IllegalArgumentException("bad hex digit");
            }
            return HexFormat.of().parseHex(body.length() % 2 == 0 ? body : "0" + body);
        }
        if (kind == 'b') {
            try {
                return Base64.getDecoder().decode(body);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad base64: " + e.getMessage());
            }
        }
        throw new IllegalArgumentException("not a binary value (0x<hex> or 0b<base64>)");
    }

    /** {@code 0x} and lower-case hex (what every initiator parses; libiscsi reads only hex). */
    static String hex(byte[] bytes) {
        return "0x" + HexFormat.of().formatHex(bytes);
    }
}
