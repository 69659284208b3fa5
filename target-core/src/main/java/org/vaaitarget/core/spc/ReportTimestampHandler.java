package org.vaaitarget.core.spc;

import java.time.Clock;
import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.dispatch.AbstractCommandHandler;
import org.vaaitarget.core.dispatch.ParameterData;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.scsi.CommandResult;

/**
 * REPORT TIMESTAMP (MAINTENANCE IN, service action 0Fh; SPC-5 6.38): the device clock, milliseconds since
 * 1970-01-01 00:00:00 UTC, in the timestamp parameter data format (SPC-5 5.2): TIMESTAMP PARAMETER DATA
 * LENGTH 000Ah, TIMESTAMP ORIGIN 011b (set by a method outside the standard: the host's clock, kept by NTP),
 * the 48-bit TIMESTAMP in bytes 4-9. There is no SET TIMESTAMP: the target's clock is the machine's. With it,
 * an administrator can line up a host's log with the target's (e.g. the miscompare forensics' times).
 */
public final class ReportTimestampHandler extends AbstractCommandHandler {
    /** TIMESTAMP ORIGIN 011b (SPC-5 table "TIMESTAMP ORIGIN field"). */
    static final int ORIGIN_OUTSIDE_STANDARD = 0b011;
    private final Clock clock;

    public ReportTimestampHandler() {
        this(Clock.systemUTC());
    }

    ReportTimestampHandler(Clock clock) {
        this.clock = clock;
    }

    @Override
    public CompletionStage<CommandResult> execute(Task task) {
        byte[] data = new byte[12];
        ParameterData.put16(data, 0, data.length - 2);
        data[2] = ORIGIN_OUTSIDE_STANDARD;
        long millis = clock.millis() & 0xFFFF_FFFF_FFFFL;
        ParameterData.put16(data, 4, (int) (millis >>> 32));
        ParameterData.put32(data, 6, millis);
        return ParameterData.dataIn(task, data, ParameterData.u32(task.cdb(), 6));
    }
}
