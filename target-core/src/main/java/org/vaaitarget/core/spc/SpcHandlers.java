package org.vaaitarget.core.spc;

import java.util.List;
import org.vaaitarget.core.dispatch.CommandHandler;

/** The SPC-5 primary command handlers (plus START STOP UNIT and PREVENT ALLOW MEDIUM REMOVAL). */
public final class SpcHandlers {
    private SpcHandlers() {
    }

    /** Fresh handler instances. */
    public static List<CommandHandler> all() {
        return List.of(
                new TestUnitReadyHandler(),
                new RequestSenseHandler(),
                new InquiryHandler(),
                new ReportLunsHandler(),
                new ModeSenseHandler(),
                new ModeSelectHandler(),
                new StartStopUnitHandler(),
                new PreventAllowHandler(),
                new ReportSupportedOpCodesHandler());
    }
}
