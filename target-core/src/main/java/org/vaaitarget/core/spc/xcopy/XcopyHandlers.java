package org.vaaitarget.core.spc.xcopy;

import java.util.List;
import org.vaaitarget.core.dispatch.CommandHandler;

/** The copy manager's handlers (EXTENDED COPY and RECEIVE COPY RESULTS), sharing one state per device. */
public final class XcopyHandlers {
    private XcopyHandlers() {
    }

    /** Fresh handlers with the default limits. */
    public static List<CommandHandler> all() {
        return all(CopyLimits.DEFAULT);
    }

    /** Fresh handlers enforcing and advertising {@code limits}. */
    public static List<CommandHandler> all(CopyLimits limits) {
        CopyRecords records = new CopyRecords(limits.totalConcurrentCopies());
        return List.of(new ExtendedCopyHandler(limits, records), new ReceiveCopyResultsHandler(limits, records));
    }
}
