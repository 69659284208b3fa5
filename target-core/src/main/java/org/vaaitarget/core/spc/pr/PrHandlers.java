package org.vaaitarget.core.spc.pr;

import java.util.List;
import org.vaaitarget.core.dispatch.CommandHandler;

/** The reservation command handlers: SCSI-2 RESERVE/RELEASE and PERSISTENT RESERVE IN/OUT. */
public final class PrHandlers {
    private PrHandlers() {
    }

    /** Fresh handler instances. */
    public static List<CommandHandler> all() {
        return List.of(new Scsi2ReservationHandler(), new PrInHandler(), new PrOutHandler());
    }
}
