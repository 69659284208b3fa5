package org.vaaitarget.server.app;

/** A live change (reload, resize, logout) was refused or failed; the message is one line for the operator. */
public final class LiveChangeException extends Exception {
    public LiveChangeException(String message) {
        super(message);
    }

    public LiveChangeException(String message, Throwable cause) {
        super(message, cause);
    }
}
