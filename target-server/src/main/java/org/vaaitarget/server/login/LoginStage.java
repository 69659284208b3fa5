package org.vaaitarget.server.login;

import org.vaaitarget.server.pdu.CodeTable;

/** Login stages, with the CSG/NSG wire codes (RFC 7143 11.12.3); 2 is reserved. */
public enum LoginStage {
    SECURITY_NEGOTIATION(0),
    LOGIN_OPERATIONAL_NEGOTIATION(1),
    FULL_FEATURE_PHASE(3);

    private static final CodeTable<LoginStage> BY_CODE = new CodeTable<>(values(), LoginStage::code, 3);

    private final int code;

    LoginStage(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The stage for a 2-bit wire value, or null for the reserved value 2. */
    public static LoginStage of(int code) {
        return BY_CODE.of(code);
    }
}
