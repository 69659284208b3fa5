package org.vaaitarget.server.admin;

/** An admin command failed or was refused; the message is the one line {@code ctl} prints. */
public final class AdminException extends Exception {
    public AdminException(String message) {
        super(message);
    }
}
