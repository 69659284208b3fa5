package org.vaaitarget.core.lu.pr;

import java.util.Objects;
import org.vaaitarget.core.scsi.ItNexus;

/**
 * One persistent reservation registration: an I_T nexus and its reservation key (SPC-5 5.14.7). This
 * target has one SCSI target port per target (its portal group), so a registration made with ALL_TG_PT
 * and one made without it are the same thing.
 */
public record Registration(ItNexus nexus, long key) {
    public Registration {
        Objects.requireNonNull(nexus, "nexus");
    }
}
