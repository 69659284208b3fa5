package org.vaaitarget.core.spc.alua;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.dispatch.CommandHandler;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.dispatch.CommandSpec;
import org.vaaitarget.core.dispatch.CommandSpec.Medium;
import org.vaaitarget.core.dispatch.CommandSpec.PrClass;
import org.vaaitarget.core.dispatch.CommandSpec.Scsi2;
import org.vaaitarget.core.dispatch.DataAccess;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.dispatch.ParameterData;
import org.vaaitarget.core.lu.TargetPortGroups;

/**
 * REPORT TARGET PORT GROUPS (MAINTENANCE IN A3h / 0Ah, SPC-5 6.36): every gateway's port group with its state
 * and port, from {@link TargetPortGroups}; the length-only or the extended header as PARAMETER DATA FORMAT asks.
 * An LU without port groups (a file LUN: TPGS=0) answers INVALID COMMAND OPERATION CODE.
 */
public final class ReportTargetPortGroupsHandler implements CommandHandler {
    static final CommandSpec SPEC = CommandSpec.command(0x0A, "REPORT TARGET PORT GROUPS",
            "A3 FF 00 00 00 00 FF FF FF FF 00 00", DataAccess.NONE, Medium.NOT_NEEDED, PrClass.READ, Scsi2.HELD);
    /** SUPPORTED states byte: T_SUP, U_SUP, S_SUP, AN_SUP, AO_SUP (the states a gateway can report). */
    static final int SUPPORTED = 0x80 | 0x08 | 0x04 | 0x02 | 0x01;
    private static final int EXTENDED_FORMAT = 0x1;
    /** IMPLICIT TRANSITION TIME in the extended header, seconds. */
    static final int IMPLICIT_TRANSITION_SECONDS = 10;

    @Override
    public List<CommandSpec> commands() {
        return List.of(SPEC);
    }

    /** Only LUs several gateways serve have port groups; REPORT SUPPORTED OPERATION CODES omits it elsewhere. */
    @Override
    public boolean servedOn(LogicalUnit lu) {
        return lu.portGroups() != null;
    }

    @Override
    public CompletionStage<CommandResult> execute(Task task) {
        TargetPortGroups groups = task.lu() == null ? null : task.lu().portGroups();
        if (task.lu() == null) {
            return ParameterData.done(task.check(SenseReason.LOGICAL_UNIT_NOT_SUPPORTED));
        }
        if (groups == null) {
            return ParameterData.done(task.check(SenseReason.INVALID_COMMAND_OPERATION_CODE));
        }
        byte[] cdb = task.cdb();
        int format = (cdb[1] >>> 5) & 0x07;
        if (format != 0 && format != EXTENDED_FORMAT) {
            return ParameterData.done(task.invalidCdbField(1, 7));
        }
        long allocation = ParameterData.u32(cdb, 6);
        return groups.groups().thenCompose(list -> ParameterData.dataIn(task, encode(list, format == EXTENDED_FORMAT),
                allocation));
    }

    static byte[] encode(List<TargetPortGroups.PortGroup> groups, boolean extended) {
        int header = extended ? 8 : 4;
        int length = 0;
        for (TargetPortGroups.PortGroup g : groups) {
            length += 8 + 4 * g.relativePorts().size();
        }
        byte[] d = new byte[header + length];
        ParameterData.put32(d, 0, length); // RETURN DATA LENGTH: the descriptors after the header
        if (extended) {
            d[4] = 0x10;                       // FORMAT TYPE 001b
            d[5] = (byte) IMPLICIT_TRANSITION_SECONDS;
        }
        int off = header;
        for (TargetPortGroups.PortGroup g : groups) {
            d[off] = (byte) g.state().code();  // PREF=0
            d[off + 1] = (byte) SUPPORTED;
            ParameterData.put16(d, off + 2, g.id());
            d[off + 5] = 0;                    // STATUS CODE: no status available
            d[off + 7] = (byte) g.relativePorts().size();
            off += 8;
            for (int port : g.relativePorts()) {
                ParameterData.put16(d, off + 2, port);
                off += 4;
            }
        }
        return d;
    }
}
