package org.vaaitarget.server.app;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * iSCSI name validation (RFC 7143 4.2.7.2 and RFC 3722): the {@code iqn.}, {@code eui.} and {@code naa.}
 * forms, at most 223 bytes. We accept the ASCII subset only (lowercase letters, digits, '-', '.', ':'),
 * which is what the stringprep profile leaves of any ASCII name; uppercase is refused rather than
 * silently folded so the name the operator typed is the name initiators see.
 */
public final class IscsiNames {
    private static final String LABEL = "[a-z0-9](?:[a-z0-9-]*[a-z0-9])?";
    /** iqn.yyyy-mm.reversed.domain[:anything]; the month is 01-12. */
    private static final Pattern IQN = Pattern.compile(
            "iqn\\.\\d{4}-(?:0[1-9]|1[0-2])\\." + LABEL + "(?:\\." + LABEL + ")*(?::[a-z0-9.:-]*)?");
    /** eui. followed by 16 hex digits (an EUI-64). */
    private static final Pattern EUI = Pattern.compile("eui\\.[0-9A-Fa-f]{16}");
    /** naa. followed by 16 or 32 hex digits (RFC 3980). */
    private static final Pattern NAA = Pattern.compile("naa\\.(?:[0-9A-Fa-f]{16}|[0-9A-Fa-f]{32})");
    private static final int MAX_BYTES = 223;

    private IscsiNames() {
    }

    /** @throws ConfigException saying what is wrong with the name and what a good one looks like */
    public static String requireValid(String name) throws ConfigException {
        if (name == null || name.isEmpty()) {
            throw new ConfigException("target name is empty; use a name like iqn.2026-11.org.example:disk0");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw new ConfigException("'" + name + "' is longer than 223 bytes (RFC 7143 4.2.7.1)");
        }
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        if (lower.startsWith("iqn.")) {
            if (!name.equals(lower)) {
                throw new ConfigException("'" + name + "' has uppercase letters; iSCSI names are lowercase (RFC 3722): use '"
                        + lower + "'");
            }
            if (!IQN.matcher(name).matches()) {
                throw new ConfigException("'" + name + "' is not an iqn. name like iqn.2026-11.org.example:disk0"
                        + " (iqn.YYYY-MM.reversed.domain[:unique], RFC 7143 4.2.7.2)");
            }
        } else if (lower.startsWith("eui.")) {
            if (!EUI.matcher(name).matches()) {
                throw new ConfigException("'" + name + "' is not an eui. name: eui. and 16 hex digits, like eui.02004567A425678D");
            }
        } else if (lower.startsWith("naa.")) {
            if (!NAA.matcher(name).matches()) {
                throw new ConfigException("'" + name + "' is not a naa. name: naa. and 16 or 32 hex digits, like naa.52004567BA64678D");
            }
        } else {
            throw new ConfigException("'" + name + "' does not start with iqn., eui. or naa.;"
                    + " use a name like iqn.2026-11.org.example:disk0");
        }
        return name;
    }
}
