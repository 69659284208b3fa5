package org.vaaitarget.core.spc.pr;

import static org.vaaitarget.core.dispatch.CommandSpec.command;
import static org.vaaitarget.core.dispatch.DataAccess.NONE;

import java.util.List;
import org.vaaitarget.core.dispatch.CommandHandler;
import org.vaaitarget.core.dispatch.CommandSpec;
import org.vaaitarget.core.dispatch.CommandSpec.Medium;
import org.vaaitarget.core.dispatch.CommandSpec.PrClass;
import org.vaaitarget.core.dispatch.CommandSpec.Scsi2;
import org.vaaitarget.core.lu.pr.PrOutRequest;

/** The reservation command handlers: SCSI-2 RESERVE/RELEASE and PERSISTENT RESERVE IN/OUT. */
public final class PrHandlers {
    private PrHandlers() {
    }

    /**
     * Fresh handler instances, each with the commands it serves: name, CDB usage map, access, medium, PR
     * class, SCSI-2 class (see {@link CommandSpec}). RESERVE and RELEASE are WRITE under a persistent
     * reservation (SPC-5 5.14.2 Table 62); another nexus's RELEASE is served under a SCSI-2 one (SPC-2 7.22).
     */
    public static List<CommandHandler> all() {
        return List.of(
                new Scsi2ReservationHandler().serving(
                        command("RESERVE(6)", "16 11 00 00 00 00", NONE, Medium.NOT_NEEDED, PrClass.WRITE, Scsi2.HELD),
                        command("RELEASE(6)", "17 11 00 00 00 00",
                                NONE, Medium.NOT_NEEDED, PrClass.WRITE, Scsi2.EXEMPT),
                        command("RESERVE(10)", "56 13 00 00 00 00 00 00 00 00",
                                NONE, Medium.NOT_NEEDED, PrClass.WRITE, Scsi2.HELD),
                        command("RELEASE(10)", "57 13 00 00 00 00 00 00 00 00",
                                NONE, Medium.NOT_NEEDED, PrClass.WRITE, Scsi2.EXEMPT)),
                new PrInHandler().serving(
                        prIn(PrInHandler.READ_KEYS, "READ KEYS"),
                        prIn(PrInHandler.READ_RESERVATION, "READ RESERVATION"),
                        prIn(PrInHandler.REPORT_CAPABILITIES, "REPORT CAPABILITIES"),
                        prIn(PrInHandler.READ_FULL_STATUS, "READ FULL STATUS")),
                new PrOutHandler().serving(
                        prOut(PrOutRequest.REGISTER, "REGISTER"),
                        prOut(PrOutRequest.RESERVE, "RESERVE"),
                        prOut(PrOutRequest.RELEASE, "RELEASE"),
                        prOut(PrOutRequest.CLEAR, "CLEAR"),
                        prOut(PrOutRequest.PREEMPT, "PREEMPT"),
                        prOut(PrOutRequest.PREEMPT_AND_ABORT, "PREEMPT AND ABORT"),
                        prOut(PrOutRequest.REGISTER_AND_IGNORE, "REGISTER AND IGNORE EXISTING KEY"),
                        prOut(PrOutRequest.REGISTER_AND_MOVE, "REGISTER AND MOVE")));
    }

    /** A PERSISTENT RESERVE IN service action: passes every persistent reservation, not a SCSI-2 one. */
    private static CommandSpec prIn(int serviceAction, String name) {
        return command(serviceAction, "PERSISTENT RESERVE IN / " + name, "5E 1F 00 00 00 00 00 FF FF 00",
                NONE, Medium.NOT_NEEDED, PrClass.ALLOWED, Scsi2.HELD);
    }

    /**
     * A PERSISTENT RESERVE OUT service action: passes the reservation gate of every persistent reservation
     * (its own rules apply, SPC-5 5.14.11), not a SCSI-2 one.
     */
    private static CommandSpec prOut(int serviceAction, String name) {
        return command(serviceAction, "PERSISTENT RESERVE OUT / " + name, "5F 1F FF 00 00 FF FF FF FF 00",
                NONE, Medium.NOT_NEEDED, PrClass.ALLOWED, Scsi2.HELD);
    }
}
