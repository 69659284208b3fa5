package org.vaaitarget.core.lu.pr;

/**
 * How a command meets a persistent reservation held by someone else (SPC-5 5.14.2 Table 62, SBC-4 4.17
 * Table 13): ALLOWED through every type, READ (held back by the Exclusive Access types only) or WRITE (held
 * back by every type). The dispatcher's {@code ConflictPolicy} classifies a command; the reservation state
 * decides with the type in force.
 */
public enum PrClass {
    ALLOWED,
    READ,
    WRITE;

    /** Whether a non-holder is held back by a persistent reservation of {@code type}. */
    public boolean heldBackBy(ReservationType type) {
        return switch (this) {
            case ALLOWED -> false;
            case READ -> type.exclusiveAccess();
            case WRITE -> true;
        };
    }
}
