package org.vaaitarget.core.store;

/** A failure of the backing store, classified once so that {@code StoreErrors} maps it to sense data. */
public class StoreException extends RuntimeException {

    public enum Kind {
        /** Reading the medium failed. */
        IO_READ,
        /** Writing the medium failed. */
        IO_WRITE,
        /** The file system is full (ENOSPC) or the quota spent (EDQUOT): DATA PROTECT / SPACE ALLOCATION FAILED WRITE PROTECT. */
        NO_SPACE,
        /** The file system is read-only (EROFS, e.g. remounted read-only after errors): DATA PROTECT / WRITE PROTECTED. */
        WRITE_PROTECTED,
        /** The request lies beyond the end of the store. */
        OUT_OF_RANGE,
        /** The store's executor is saturated: the task gets TASK SET FULL. */
        BUSY,
        /** The store is closed. */
        CLOSED,
        /**
         * This server may no longer reach the medium (a gateway fenced off a shared image after another took it
         * over): NOT READY, TARGET PORT IN UNAVAILABLE STATE, so that the host retries through another path.
         */
        UNAVAILABLE
    }

    private final Kind kind;

    public StoreException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public StoreException(Kind kind, String message) {
        this(kind, message, null);
    }

    public Kind kind() {
        return kind;
    }
}
