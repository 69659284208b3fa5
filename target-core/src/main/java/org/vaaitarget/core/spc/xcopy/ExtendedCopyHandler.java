package org.vaaitarget.core.spc.xcopy;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.core.dispatch.AbstractCommandHandler;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.dispatch.ParameterData;
import org.vaaitarget.core.store.StoreErrors;

/**
 * EXTENDED COPY (LID1), 83h/00h (SPC-4 6.4; ESXi full copy, ESXI-NOTES 2.3): CSCD E4h (LUs named by
 * their NAA designator) and segment 02h (block to block), within one LU or between LUs of this
 * target device. The whole parameter list is parsed ({@link CopyParameterParser}) and bound to LUs
 * ({@link CopyPlan}) before any data moves; {@link CopyEngine} then copies chunk by chunk under range
 * locks.
 *
 * <p>PARAMETER LIST LENGTH 0 is not an error and copies nothing (SPC-4 6.4.1). Parameter data shorter
 * than the CDB announces is parsed as received (a list it truncates is PARAMETER LIST LENGTH ERROR).
 * More copies than TOTAL CONCURRENT COPIES at once: BUSY, so the initiator retries.
 */
public final class ExtendedCopyHandler extends AbstractCommandHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ExtendedCopyHandler.class);

    static final int OPCODE = 0x83;
    static final int SA_LID1 = 0x00;

    private final CopyLimits limits;
    private final CopyRecords records;
    private final CopyParameterParser parser;
    private final CopyEngine engine;

    ExtendedCopyHandler(CopyLimits limits, CopyRecords records) {
        this.limits = limits;
        this.records = records;
        this.parser = new CopyParameterParser(limits);
        this.engine = new CopyEngine(limits);
    }

    /** The limits this handler enforces (the Third-party Copy VPD page reads them from here). */
    public CopyLimits limits() {
        return limits;
    }

    /** Reads the Data-Out buffer without releasing it (the dispatcher does). */
    @Override
    public CompletionStage<CommandResult> execute(Task task) {
        byte[] cdb = task.cdb();
        long listLength = ParameterData.u32(cdb, 10);
        if (listLength == 0) {
            return done(CommandResult.good(0));
        }
        ByteBuf out = task.command().dataOut();
        long received = out == null ? 0 : out.readableBytes();
        int length = (int) Math.min(Math.min(listLength, received), parser.maxUsefulLength() + 1L);
        byte[] p = new byte[length];
        if (length > 0) {
            out.getBytes(out.readerIndex(), p);
        }
        CopyParameterList list;
        CopyPlan plan;
        try {
            // A list longer than any valid one is cut to one byte more than that: the parser still
            // finds the real lengths in the header and answers them.
            list = parser.parse(p, (int) Math.min(Math.min(listLength, received), Integer.MAX_VALUE));
            plan = CopyPlan.resolve(task, list, limits);
        } catch (CopyFailure f) {
            return done(task.check(f.sense()));
        }
        CopyRecord record = new CopyRecord(list.listId(), list.segments().size());
        switch (records.begin(task.nexus(), record, list.identified(), list.holdsStatus())) {
            case LIST_ID_IN_USE:
                return done(task.check(SenseReason.OPERATION_IN_PROGRESS));
            case TOO_MANY_COPIES:
                return done(CommandResult.status(ScsiStatus.BUSY));
            default:
                break;
        }
        long transfer = listLength;
        return engine.run(task, plan, record::copied).handle((v, error) -> {
            CommandResult r = error == null ? CommandResult.good(transfer) : failed(task, error);
            record.completed(r.status(), r.sense());
            records.end(task.nexus(), record, list.identified());
            return r;
        });
    }

    private static CommandResult failed(Task task, Throwable error) {
        if (!task.isAborted()) {
            LOG.warn("EXTENDED COPY from {} failed", task.nexus(), error);
        }
        boolean descriptor = task.lu() != null && task.lu().mode().descriptorSense();
        return StoreErrors.toResult(error, descriptor);
    }

    private static CompletionStage<CommandResult> done(CommandResult r) {
        return ParameterData.done(r);
    }
}
