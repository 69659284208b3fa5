package org.vaaitarget.core.dispatch;

import org.vaaitarget.core.scsi.ItNexus;

/**
 * LUN masking: which logical units an I_T nexus may see. A LUN hidden from a nexus is absent from its
 * REPORT LUNS and answers like a LUN that does not exist (LOGICAL UNIT NOT SUPPORTED, INQUIRY peripheral
 * qualifier 011b, TMF LUN DOES NOT EXIST). {@link TargetDevice} applies it in one place (its LUN lookup).
 */
@FunctionalInterface
public interface LunMask {
    /** Every LUN visible to every nexus. */
    LunMask NONE = (nexus, lun) -> true;

    /** Whether LUN {@code lun} is visible to {@code nexus}. Must be thread-safe and must not block. */
    boolean visible(ItNexus nexus, int lun);
}
