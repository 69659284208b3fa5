package org.vaaitarget.server.login;

import java.util.List;

/** The result functions of RFC 7143 6.2 as pure functions over key values. */
final class KeyRules {
    private KeyRules() {
    }

    /**
     * The value a key resolves to, or null when the offer is illegal (answered "Reject").
     *
     * @param supported for LIST keys, the values we support (null: the table's values)
     * @param ours      our value for MIN/MAX/AND/OR keys
     */
    static String resolve(TextKey row, String offered, List<String> supported, String ours) {
        return switch (row.rule()) {
            case DECLARATIVE -> legalDeclaration(row, offered) ? offered : null;
            case MIN, MAX -> {
                long v = parseNumberOr(offered, -1);
                if (v < row.min() || v > row.max()) {
                    yield null;
                }
                long o = parseNumber(ours);
                yield Long.toString(row.rule() == TextKey.Rule.MIN ? Math.min(v, o) : Math.max(v, o));
            }
            case AND, OR -> {
                if (!offered.equals("Yes") && !offered.equals("No")) {
                    yield null;
                }
                boolean v = offered.equals("Yes");
                boolean o = "Yes".equals(ours);
                yield (row.rule() == TextKey.Rule.AND ? v && o : v || o) ? "Yes" : "No";
            }
            case LIST -> firstSupported(offered, supported == null ? row.values() : supported);
            case IRRELEVANT -> KeyNegotiator.IRRELEVANT;
        };
    }

    /**
     * What we send back for a resolved key: the result for negotiated keys, our own declaration for
     * MaxRecvDataSegmentLength, nothing for the initiator's declarations.
     */
    static String answer(TextKey row, String result, String ours) {
        if (row.rule() == TextKey.Rule.DECLARATIVE) {
            return ours; // null for InitiatorName, SessionType, ...
        }
        return result;
    }

    private static boolean legalDeclaration(TextKey row, String offered) {
        if (row.max() > 0) {
            long v = parseNumberOr(offered, -1);
            return v >= row.min() && v <= row.max();
        }
        if (!row.values().isEmpty()) {
            return row.values().contains(offered);
        }
        return !offered.isEmpty() && offered.length() <= 255; // RFC 7143 6.1: values up to 255 bytes
    }

    /** RFC 7143 6.2: the responder picks the first value in the offer that it supports. */
    private static String firstSupported(String offered, List<String> supported) {
        for (String v : offered.split(",", -1)) {
            if (supported.contains(v)) {
                return v;
            }
        }
        return null;
    }

    /** A numerical value (RFC 7143 6.1: decimal, or hex with 0x). Throws on garbage. */
    static long parseNumber(String v) {
        long n = parseNumberOr(v, -1);
        if (n < 0) {
            throw new IllegalArgumentException("not a number: " + v);
        }
        return n;
    }

    private static long parseNumberOr(String v, long fallback) {
        try {
            if (v.startsWith("0x") || v.startsWith("0X")) {
                return Long.parseLong(v.substring(2), 16);
            }
            if (v.isEmpty() || v.length() > 19 || !v.chars().allMatch(Character::isDigit)) {
                return fallback;
            }
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
