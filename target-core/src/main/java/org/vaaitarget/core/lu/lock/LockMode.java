package org.vaaitarget.core.lu.lock;

/** Readers share a range; writers (WRITE, COMPARE AND WRITE, WRITE SAME, UNMAP, copy destinations) exclude. */
public enum LockMode {
    SHARED,
    EXCLUSIVE
}
