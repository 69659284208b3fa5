package org.vaaitarget.core.spc;

import static org.vaaitarget.core.dispatch.CommandSpec.Trait.ANY_LUN;
import static org.vaaitarget.core.dispatch.CommandSpec.Trait.OWN_UNIT_ATTENTION;
import static org.vaaitarget.core.dispatch.CommandSpec.Trait.SHOWS_INVENTORY;
import static org.vaaitarget.core.dispatch.CommandSpec.Trait.WHILE_NOT_READY;
import static org.vaaitarget.core.dispatch.CommandSpec.command;
import static org.vaaitarget.core.dispatch.DataAccess.NONE;
import static org.vaaitarget.core.dispatch.DataAccess.WRITE;

import java.util.List;
import org.vaaitarget.core.dispatch.CommandHandler;
import org.vaaitarget.core.dispatch.CommandSpec;
import org.vaaitarget.core.dispatch.CommandSpec.Medium;
import org.vaaitarget.core.dispatch.CommandSpec.PrClass;
import org.vaaitarget.core.dispatch.CommandSpec.Scsi2;

/** The SPC-5 primary command handlers (plus START STOP UNIT and PREVENT ALLOW MEDIUM REMOVAL). */
public final class SpcHandlers {
    private SpcHandlers() {
    }

    /**
     * Fresh handler instances, each with the commands it serves: name, CDB usage map, access, medium, PR
     * class, SCSI-2 class, gate exemptions (see {@link CommandSpec}).
     */
    public static List<CommandHandler> all() {
        return List.of(
                new TestUnitReadyHandler().serving(command("TEST UNIT READY", "00 00 00 00 00 00",
                        NONE, Medium.NEEDED, PrClass.ALLOWED, Scsi2.HELD)),
                new RequestSenseHandler().serving(command("REQUEST SENSE", "03 01 00 00 FF 00",
                        NONE, Medium.NOT_NEEDED, PrClass.ALLOWED, Scsi2.EXEMPT,
                        ANY_LUN, OWN_UNIT_ATTENTION, WHILE_NOT_READY)),
                new InquiryHandler().serving(command("INQUIRY", "12 01 FF FF FF 00",
                        NONE, Medium.NOT_NEEDED, PrClass.ALLOWED, Scsi2.EXEMPT,
                        ANY_LUN, OWN_UNIT_ATTENTION, WHILE_NOT_READY)),
                new ReportLunsHandler().serving(command("REPORT LUNS", "A0 00 FF 00 00 00 FF FF FF FF 00 00",
                        NONE, Medium.NOT_NEEDED, PrClass.ALLOWED, Scsi2.EXEMPT,
                        ANY_LUN, OWN_UNIT_ATTENTION, WHILE_NOT_READY, SHOWS_INVENTORY)),
                new ModeSenseHandler().serving(
                        command("MODE SENSE(6)", "1A 08 FF FF FF 00",
                                NONE, Medium.NOT_NEEDED, PrClass.READ, Scsi2.HELD),
                        command("MODE SENSE(10)", "5A 18 FF FF 00 00 00 FF FF 00",
                                NONE, Medium.NOT_NEEDED, PrClass.READ, Scsi2.HELD)),
                // MODE SELECT changes LU state: WRITE for locks and reservations (SPC-5 5.14.2 Table 62)
                new ModeSelectHandler().serving(
                        command("MODE SELECT(6)", "15 11 00 00 FF 00",
                                WRITE, Medium.NOT_NEEDED, PrClass.WRITE, Scsi2.HELD),
                        command("MODE SELECT(10)", "55 11 00 00 00 00 00 FF FF 00",
                                WRITE, Medium.NOT_NEEDED, PrClass.WRITE, Scsi2.HELD)),
                new StartStopUnitHandler().serving(command("START STOP UNIT", "1B 01 00 0F F7 00",
                        NONE, Medium.NOT_NEEDED, PrClass.ALLOWED_TO_START, Scsi2.HELD)),
                new PreventAllowHandler().serving(command("PREVENT ALLOW MEDIUM REMOVAL", "1E 00 00 00 03 00",
                        NONE, Medium.NOT_NEEDED, PrClass.ALLOWED_UNLESS_PREVENTING, Scsi2.EXEMPT_UNLESS_PREVENTING)),
                new ReportSupportedOpCodesHandler().serving(command(0x0C, "REPORT SUPPORTED OPERATION CODES",
                        "A3 0C 87 FF FF FF FF FF FF FF 00 00", NONE, Medium.NOT_NEEDED, PrClass.READ, Scsi2.HELD)),
                // SPC-5 5.14.2 table: REPORT TIMESTAMP is allowed under every persistent reservation type
                new ReportTimestampHandler().serving(command(0x0F, "REPORT TIMESTAMP",
                        "A3 1F 00 00 00 00 FF FF FF FF 00 00", NONE, Medium.NOT_NEEDED, PrClass.ALLOWED, Scsi2.HELD)));
    }
}
