package org.vaaitarget.core.lu.lock;

/**
 * One range of a multi-range lock request ({@link RangeLockManager#acquireAll}): [lba, lba + blocks).
 *
 * @param blocks at least 1
 */
public record LockRange(long lba, long blocks, LockMode mode) {
    public LockRange {
        if (blocks < 1 || lba < 0 || lba > Long.MAX_VALUE - blocks) {
            throw new IllegalArgumentException("bad range lba=" + lba + " blocks=" + blocks);
        }
        if (mode == null) {
            throw new IllegalArgumentException("mode");
        }
    }

    boolean overlaps(LockRange o) {
        return lba < o.lba + o.blocks && o.lba < lba + blocks;
    }
}
