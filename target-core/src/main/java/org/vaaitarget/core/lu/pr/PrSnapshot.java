package org.vaaitarget.core.lu.pr;

import java.util.List;
import org.vaaitarget.core.scsi.ItNexus;

/**
 * A consistent copy of a LU's persistent reservation state, for PERSISTENT RESERVE IN and persistence.
 *
 * @param generation    PRGENERATION (SPC-5 6.15.2)
 * @param registrations in registration order
 * @param type          the persistent reservation's type, or null when there is none
 * @param holder        the holder for types other than all registrants, else null
 * @param aptpl         activate persist through power loss
 */
public record PrSnapshot(int generation, List<Registration> registrations, ReservationType type, ItNexus holder,
                         boolean aptpl) {

    public PrSnapshot {
        registrations = List.copyOf(registrations);
    }

    /** Whether this registration's I_T nexus is a reservation holder (SPC-5 5.14.9). */
    public boolean holds(Registration r) {
        return type != null && (type.allRegistrants() || r.nexus().equals(holder));
    }

    /** The reservation key READ RESERVATION reports: the holder's, or 0 for all registrants types. */
    public long reservationKey() {
        if (type == null || type.allRegistrants()) {
            return 0;
        }
        for (Registration r : registrations) {
            if (r.nexus().equals(holder)) {
                return r.key();
            }
        }
        return 0;
    }
}
