package org.vaaitarget.server.login;

/** A login that must end with a Login Response carrying {@link #status()} and then close. */
public final class LoginFailure extends Exception {
    private static final long serialVersionUID = 1L;
    private final LoginStatus status;

    public LoginFailure(LoginStatus status, String message) {
        super(message);
        this.status = status;
    }

    public LoginStatus status() {
        return status;
    }
}
