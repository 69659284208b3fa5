package org.vaaitarget.core.dispatch;

/** How a command touches the medium; used for reservation conflicts (SPC-5 5.13 table) and locks. */
public enum DataAccess {
    /** No medium access (INQUIRY, REPORT LUNS, TEST UNIT READY, ...). */
    NONE,
    READ,
    WRITE
}
