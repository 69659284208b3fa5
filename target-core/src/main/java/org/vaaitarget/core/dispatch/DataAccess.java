package org.vaaitarget.core.dispatch;

/**
 * How a command touches the medium: which admitted tasks a new reservation waits for ({@link TargetContext#quiesce}),
 * and what the sanitize failure mode refuses. How reservations treat the command is its own fact ({@link CommandSpec}).
 */
public enum DataAccess {
    /** No medium access (INQUIRY, REPORT LUNS, TEST UNIT READY, ...). */
    NONE,
    READ,
    WRITE
}
