package org.vaaitarget.core.store;

/**
 * A run of blocks with the same provisioning status, for GET LBA STATUS (SBC-4 5.22).
 *
 * @param lba    first block of the run
 * @param blocks number of blocks in the run, at least 1
 * @param mapped true when the blocks are allocated (mapped), false when they are a hole (deallocated)
 */
public record AllocationExtent(long lba, long blocks, boolean mapped) {
}
