package org.vaaitarget.core.store;

/**
 * What a store really does, so that the target advertises exactly that (DESIGN 1.5).
 *
 * @param volatileWriteCache true when completed writes may sit in a volatile cache until
 *                           flush or FUA (advertised as WCE=1); false for write-through (WCE=0)
 * @param unmapSupported     UNMAP frees space (LBPME/LBPU)
 * @param unmapReadsZeros    unmapped blocks read back as zeros (LBPRZ)
 * @param thinProvisioned    the store allocates lazily (sparse file)
 */
public record StoreCapabilities(boolean volatileWriteCache, boolean unmapSupported, boolean unmapReadsZeros,
                                boolean thinProvisioned) {
}
