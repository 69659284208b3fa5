package org.vaaitarget.core.store.file;

import com.sun.jna.LastErrorException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletionException;
import org.vaaitarget.core.store.StoreException;

/** Classifies what a file operation threw into the one {@link StoreException.Kind} the core maps to sense data. */
final class IoFailures {
    /** The JDK reports ENOSPC only through the strerror text of an IOException. */
    private static final String ENOSPC_TEXT = "No space left on device";

    private IoFailures() {
    }

    /**
     * @param failure  what the operation threw
     * @param fallback IO_READ or IO_WRITE: the kind for any other failure
     * @param what     names the file and the operation, for the message
     */
    static StoreException classify(Throwable failure, StoreException.Kind fallback, String what) {
        Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (t instanceof StoreException se) {
            return se;
        }
        if (t instanceof ClosedChannelException) {
            return new StoreException(StoreException.Kind.CLOSED, what + ": the store is closed", t);
        }
        if (isNoSpace(t)) {
            return new StoreException(StoreException.Kind.NO_SPACE, what + ": no space left on the device", t);
        }
        return new StoreException(fallback, what + ": " + t, t);
    }

    private static boolean isNoSpace(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof LastErrorException le && le.getErrorCode() == LinuxFileOps.ENOSPC) {
                return true;
            }
            String message = t.getMessage();
            if (message != null && message.contains(ENOSPC_TEXT)) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
