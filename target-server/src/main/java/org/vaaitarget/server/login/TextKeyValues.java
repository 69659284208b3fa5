package org.vaaitarget.server.login;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The text format of Login and Text PDUs (RFC 7143 6.1): {@code key=value} pairs, each followed by
 * one NUL byte, UTF-8. Keys are at most 63 bytes of letters, digits and {@code . - + @ _}
 * (RFC 7143 6.1). Order is kept; duplicates are kept (the negotiator decides what they mean).
 */
public final class TextKeyValues {
    /** RFC 7143 6.1: "A key-name ... up to 63 bytes". */
    public static final int MAX_KEY_LENGTH = 63;

    private TextKeyValues() {
    }

    /** Thrown for text that is not a sequence of well-formed {@code key=value\0} pairs. */
    public static final class MalformedTextException extends Exception {
        private static final long serialVersionUID = 1L;

        public MalformedTextException(String message) {
            super(message);
        }
    }

    /**
     * Parses text. Empty segments (extra NULs, as some initiators pad) are skipped; a final pair
     * without its NUL is accepted.
     */
    public static List<Map.Entry<String, String>> parse(byte[] text) throws MalformedTextException {
        List<Map.Entry<String, String>> pairs = new ArrayList<>();
        int start = 0;
        while (start < text.length) {
            int end = start;
            while (end < text.length && text[end] != 0) {
                end++;
            }
            if (end > start) {
                pairs.add(parsePair(new String(text, start, end - start, StandardCharsets.UTF_8)));
            }
            start = end + 1;
        }
        return pairs;
    }

    private static Map.Entry<String, String> parsePair(String pair) throws MalformedTextException {
        int eq = pair.indexOf('=');
        if (eq <= 0) {
            throw new MalformedTextException("not a key=value pair: " + abbreviate(pair));
        }
        String key = pair.substring(0, eq);
        if (key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_LENGTH || !isKeyName(key)) {
            throw new MalformedTextException("bad key name: " + abbreviate(key));
        }
        return Map.entry(key, pair.substring(eq + 1));
    }

    private static boolean isKeyName(String key) {
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '-' || c == '+' || c == '@' || c == '_' || c == '#';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    /** Encodes pairs as {@code key=value\0...}. */
    public static byte[] encode(List<Map.Entry<String, String>> pairs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, String> e : pairs) {
            out.writeBytes((e.getKey() + "=" + e.getValue()).getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
        return out.toByteArray();
    }

    /** Reads the readable bytes of {@code data} into an array; does not move its indexes or release it. */
    public static byte[] bytesOf(ByteBuf data) {
        byte[] b = new byte[data.readableBytes()];
        data.getBytes(data.readerIndex(), b);
        return b;
    }
}
