package org.vaaitarget.server.app;

/** The server could not start although its configuration is valid: a port in use, a LUN file that cannot be opened. Exit code 1. */
public final class StartupException extends Exception {
    private static final long serialVersionUID = 1L;

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
