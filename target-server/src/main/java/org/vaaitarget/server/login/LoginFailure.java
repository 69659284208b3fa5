package org.vaaitarget.server.login;
import org.vaaitarget.server.pdu.LoginStatus;

/** A login that must end with a Login Response carrying {@link #status()} and then close. */
public final class LoginFailure extends Exception {
    private static final long serialVersionUID = 1L;
    private final LoginStatus status;
    private final boolean badCredentials;

    public LoginFailure(LoginStatus status, String message) {
        this(status, message, false);
    }

    private LoginFailure(LoginStatus status, String message, boolean badCredentials) {
        super(message);
        this.status = status;
        this.badCredentials = badCredentials;
    }

    /**
     * AUTHENTICATION FAILURE during an authentication exchange (wrong name or response, malformed CHAP
     * keys): the answer is delayed by the {@link AuthFailureThrottle}.
     */
    public static LoginFailure badCredentials(String message) {
        return new LoginFailure(LoginStatus.AUTHENTICATION_FAILURE, message, true);
    }

    /** Whether this failure came from an authentication exchange (see {@link #badCredentials}). */
    public boolean isBadCredentials() {
        return badCredentials;
    }

    public LoginStatus status() {
        return status;
    }
}
