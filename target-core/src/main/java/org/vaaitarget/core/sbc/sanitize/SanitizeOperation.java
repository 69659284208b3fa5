package org.vaaitarget.core.sbc.sanitize;

import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One sanitize operation (SBC-4 4.11, 5.30) as the marker file keeps it, so that it can be resumed after a
 * power loss.
 *
 * @param action  OVERWRITE or BLOCK ERASE
 * @param ause    the AUSE bit: whether EXIT FAILURE MODE may end a failure of this operation
 * @param passes  OVERWRITE COUNT, 1..31 (1 for BLOCK ERASE)
 * @param invert  INVERT: the pattern is inverted between consecutive passes
 * @param pattern INITIALIZATION PATTERN, 1..block size bytes (empty for BLOCK ERASE)
 */
public record SanitizeOperation(Action action, boolean ause, int passes, boolean invert, byte[] pattern) {
    private static final HexFormat HEX = HexFormat.of();

    /** The service actions that change the medium. */
    public enum Action {
        OVERWRITE, BLOCK_ERASE
    }

    public static SanitizeOperation blockErase(boolean ause) {
        return new SanitizeOperation(Action.BLOCK_ERASE, ause, 1, false, new byte[0]);
    }

    /** The pattern bytes written in pass {@code pass} (0-based): inverted on odd passes when INVERT is set. */
    byte[] patternOfPass(int pass) {
        byte[] p = pattern.clone();
        if (invert && pass % 2 == 1) {
            for (int i = 0; i < p.length; i++) {
                p[i] = (byte) ~p[i];
            }
        }
        return p;
    }

    /** {@code key=value} lines for the marker file. */
    String encode(boolean failed) {
        return "action=" + action + "\nause=" + ause + "\npasses=" + passes + "\ninvert=" + invert
                + "\npattern=" + HEX.formatHex(pattern) + "\nfailed=" + failed + "\n";
    }

    /** What the marker file holds: the operation and whether it had failed. */
    record Marker(SanitizeOperation operation, boolean failed) {
    }

    /** @throws IllegalArgumentException when the text is not a marker this class wrote */
    static Marker decode(String text) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                kv.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        for (String key : new String[] {"action", "ause", "passes", "invert", "pattern", "failed"}) {
            if (!kv.containsKey(key)) {
                throw new IllegalArgumentException("no '" + key + "' line");
            }
        }
        Action action = Action.valueOf(kv.get("action"));
        int passes = Integer.parseInt(kv.get("passes"));
        byte[] pattern = HEX.parseHex(kv.get("pattern"));
        if (passes < 1 || passes > 31 || (action == Action.OVERWRITE && pattern.length == 0)) {
            throw new IllegalArgumentException("passes " + passes + " or pattern of " + pattern.length + " bytes out of range");
        }
        return new Marker(new SanitizeOperation(action, Boolean.parseBoolean(kv.get("ause")), passes,
                Boolean.parseBoolean(kv.get("invert")), pattern), Boolean.parseBoolean(kv.get("failed")));
    }
}
