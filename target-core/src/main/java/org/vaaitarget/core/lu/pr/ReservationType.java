package org.vaaitarget.core.lu.pr;


/**
 * Persistent reservation types (SPC-5 6.16.3, Table 212 "Persistent reservation type codes").
 *
 * @param code           the TYPE field value
 * @param exclusiveAccess reads are restricted too (EA*), not only writes (WE*)
 * @param registrantsOnly every registered I_T nexus has the access a holder has (RO and AR types)
 * @param allRegistrants every registered I_T nexus is a reservation holder (AR types; SPC-5 5.14.9)
 */
public enum ReservationType {
    WRITE_EXCLUSIVE(0x1, false, false, false),
    EXCLUSIVE_ACCESS(0x3, true, false, false),
    WRITE_EXCLUSIVE_REGISTRANTS_ONLY(0x5, false, true, false),
    EXCLUSIVE_ACCESS_REGISTRANTS_ONLY(0x6, true, true, false),
    WRITE_EXCLUSIVE_ALL_REGISTRANTS(0x7, false, true, true),
    EXCLUSIVE_ACCESS_ALL_REGISTRANTS(0x8, true, true, true);

    private final int code;
    private final boolean exclusiveAccess;
    private final boolean registrantsOnly;
    private final boolean allRegistrants;

    ReservationType(int code, boolean exclusiveAccess, boolean registrantsOnly, boolean allRegistrants) {
        this.code = code;
        this.exclusiveAccess = exclusiveAccess;
        this.registrantsOnly = registrantsOnly;
        this.allRegistrants = allRegistrants;
    }

    public int code() {
        return code;
    }

    public boolean exclusiveAccess() {
        return exclusiveAccess;
    }

    /** RO and AR types: registration alone grants access. */
    public boolean registrantsOnly() {
        return registrantsOnly;
    }

    public boolean allRegistrants() {
        return allRegistrants;
    }

    /** The type with this TYPE code, or null for a reserved or obsolete code. */
    public static ReservationType of(int code) {
        for (ReservationType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
