package org.vaaitarget.core.lu.lock;

/** A held LBA-range lock. {@link #close()} releases it; calling it again does nothing. */
public interface RangeLock extends AutoCloseable {

    long lba();

    long blocks();

    LockMode mode();

    /** Releases the lock and grants it to waiters. Idempotent, never throws. */
    @Override
    void close();
}
