package org.vaaitarget.server.app;

/**
 * A bad flag or configuration value. The message is one line that names the flag or config key,
 * the problem and the fix, without the leading {@code error: } (Main adds it). Exit code 2.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String field;

    public ConfigException(String message) {
        this(null, message);
    }

    /**
     * @param field the config key of the value at fault relative to its entry ({@code size},
     *              {@code blockSize}...), or null
     */
    public ConfigException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The key of the value at fault within its entry, or null. */
    public String field() {
        return field;
    }

    /** The same problem, prefixed with where it was found ({@code --lun 'x'} or {@code config targets[0].iqn}). */
    public ConfigException at(String where) {
        return new ConfigException(where + ": " + getMessage());
    }
}
