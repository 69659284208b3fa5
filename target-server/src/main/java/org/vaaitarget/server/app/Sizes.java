package org.vaaitarget.server.app;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte sizes as people write them: {@code 1073741824}, {@code 512K}, {@code 512M}, {@code 10G}, {@code 1T} (powers of 1024). */
public final class Sizes {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(?:([KMGT])(?:i?B)?|B)?", Pattern.CASE_INSENSITIVE);
    private static final String UNITS = "KMGT";

    private Sizes() {
    }

    /**
     * @return the size in bytes, greater than 0
     * @throws ConfigException naming the text when it is not a size or is 0 or too large
     */
    public static long parse(String text) throws ConfigException {
        Matcher m = SIZE.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new ConfigException("size '" + text + "' is not a size like 512M or 10G");
        }
        String unit = m.group(2) == null ? "" : m.group(2).toUpperCase(Locale.ROOT);
        int shift = unit.isEmpty() ? 0 : 10 * (UNITS.indexOf(unit) + 1);
        long value;
        try {
            value = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new ConfigException("size '" + text + "' is too large");
        }
        if (value == 0) {
            throw new ConfigException("size '" + text + "' is zero; give a size like 512M or 10G");
        }
        if (Long.numberOfLeadingZeros(value) <= shift) {
            throw new ConfigException("size '" + text + "' is too large");
        }
        return value << shift;
    }

    /** {@code 1 GiB}, {@code 512 MiB}, or the exact byte count when it is not a whole number of units. */
    public static String format(long bytes) {
        for (int i = UNITS.length() - 1; i >= 0; i--) {
            long unit = 1L << (10 * (i + 1));
            if (bytes >= unit && bytes % unit == 0) {
                return (bytes / unit) + " " + UNITS.charAt(i) + "iB";
            }
        }
        return bytes + " bytes";
    }
}
