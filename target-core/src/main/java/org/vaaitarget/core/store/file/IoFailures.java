package org.vaaitarget.core.store.file;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletionException;
import org.vaaitarget.core.store.StoreException;

/**
 * Classifies what a file operation threw into the one {@link StoreException.Kind} the core maps to sense data.
 *
 * <p>By errno, never by message: FileChannel reports a failed write(2) or fsync(2) as an IOException whose
 * only trace of errno is strerror's text in the process's locale ("Auf dem Gerät ist kein Speicherplatz
 * mehr verfügbar" under LANG=de_DE). So a failure carrying a {@link LastErrorException} (our own JNA calls)
 * is decided by its code, and an IOException by an {@link ErrnoProbe} that repeats the failed write
 * through JNA, or asks the file system, and reads errno there.
 */
final class IoFailures {

    /** Tells the errno of an operation that just failed with an IOException (0: unknown, or it succeeds now). */
    @FunctionalInterface
    interface ErrnoProbe {
        int errno();
    }

    private IoFailures() {
    }

    /** Without a probe: only the errno of a {@link LastErrorException} in the chain decides. */
    static StoreException classify(Throwable failure, StoreException.Kind fallback, String what) {
        return classify(failure, fallback, what, null);
    }

    /**
     * @param failure  what the operation threw
     * @param fallback IO_READ or IO_WRITE: the kind for any other failure
     * @param what     names the file and the operation, for the message
     * @param probe    asked for the errno when the failure is an IOException without one; may be null
     */
    static StoreException classify(Throwable failure, StoreException.Kind fallback, String what, ErrnoProbe probe) {
        Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (t instanceof StoreException se) {
            return se;
        }
        if (t instanceof ClosedChannelException) {
            return new StoreException(StoreException.Kind.CLOSED, what + ": the store is closed", t);
        }
        int errno = errnoIn(t);
        if (errno == 0 && probe != null && hasIoException(t)) {
            try {
                errno = probe.errno();
            } catch (RuntimeException e) {
                t.addSuppressed(e);
            }
        }
        StoreException.Kind kind = kindOf(errno);
        if (kind == StoreException.Kind.NO_SPACE) {
            return new StoreException(kind, what + ": no space left on the device (errno " + errno + ")", t);
        }
        if (kind == StoreException.Kind.WRITE_PROTECTED) {
            return new StoreException(kind, what + ": the file system is read-only (errno " + errno + ")", t);
        }
        return new StoreException(fallback, what + ": " + t + (errno != 0 ? " (errno " + errno + ")" : ""), t);
    }

    /**
     * ENOSPC and EDQUOT: SPACE ALLOCATION FAILED WRITE PROTECT (SBC-4 4.7.3, ESXI-NOTES: a thin-provisioning
     * event; ESXi pauses the VM instead of failing its writes); EROFS: WRITE PROTECTED; else null.
     */
    static StoreException.Kind kindOf(int errno) {
        return switch (errno) {
            case LinuxFileOps.ENOSPC, LinuxFileOps.EDQUOT -> StoreException.Kind.NO_SPACE;
            case LinuxFileOps.EROFS -> StoreException.Kind.WRITE_PROTECTED;
            default -> null;
        };
    }

    private static int errnoIn(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof LastErrorException le) {
                return le.getErrorCode();
            }
        }
        return 0;
    }

    private static boolean hasIoException(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }
}
