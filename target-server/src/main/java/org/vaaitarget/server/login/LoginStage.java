package org.vaaitarget.server.login;

/** Login stages, with the CSG/NSG wire codes (RFC 7143 11.12.3); 2 is reserved. */
public enum LoginStage {
    SECURITY_NEGOTIATION(0),
    LOGIN_OPERATIONAL_NEGOTIATION(1),
    FULL_FEATURE_PHASE(3);

    private final int code;

    LoginStage(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The stage for a 2-bit wire value, or null for the reserved value 2. */
    public static LoginStage of(int code) {
        return switch (code & 3) {
            case 0 -> SECURITY_NEGOTIATION;
            case 1 -> LOGIN_OPERATIONAL_NEGOTIATION;
            case 3 -> FULL_FEATURE_PHASE;
            default -> null;
        };
    }
}
