package org.vaaitarget.core.scsi;

/** Direction of a command's data transfer, as seen from the initiator (Data-Out = WRITE). */
public enum DataDirection {
    NONE,
    /** Data-In: target to initiator. */
    READ,
    /** Data-Out: initiator to target. */
    WRITE
}
