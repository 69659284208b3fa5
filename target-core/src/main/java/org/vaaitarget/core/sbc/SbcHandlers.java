package org.vaaitarget.core.sbc;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.dispatch.CommandHandler;
import org.vaaitarget.core.dispatch.CommandSpec;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.sense.SenseReason;

/** The SBC-4 block command handlers, for the dispatch table. */
public final class SbcHandlers {
    private static final Map<Integer, String> NAMES = new HashMap<>();

    static {
        for (CommandHandler h : all()) {
            for (CommandSpec s : h.commands()) {
                if (s.serviceAction() < 0) {
                    NAMES.put(s.opcode(), s.name());
                }
            }
        }
    }

    private SbcHandlers() {
    }

    /** New instances of every SBC handler (they are stateless; per-LU state lives in the LU). */
    public static List<CommandHandler> all() {
        return List.of(new ReadHandler(), new WriteHandler(), new VerifyHandler(), new CacheHandler(),
                new ReadCapacityHandler(), new CompareAndWriteHandler(), new WriteSameHandler(), new UnmapHandler(),
                new GetLbaStatusHandler(), new ReadDefectDataHandler(), new OrWriteHandler(), new SanitizeHandler(),
                new WriteAtomicHandler());
    }

    /** An already completed stage for a result decided without I/O. */
    static CompletionStage<CommandResult> done(CommandResult r) {
        return CompletableFuture.completedFuture(r);
    }

    /**
     * The Data-Out is not exactly the CDB's {@code cdbBytes}: ILLEGAL REQUEST / INVALID FIELD IN COMMAND
     * INFORMATION UNIT (FCP-4 9.4.2 b), nothing written; the transfer length lets the transport add the residual.
     */
    static CommandResult dataOutMismatch(Task task, long cdbBytes) {
        byte[] sense = task.check(SenseReason.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT).sense();
        return new CommandResult(ScsiStatus.CHECK_CONDITION, sense, null, cdbBytes, false);
    }

    /** After a completed write of {@code blocks} at {@code lba}: writer history, soft threshold, GOOD. */
    static CommandResult written(Task task, long lba, int blocks, String name, long bytes) {
        task.lu().writerHistory().recordWrite(lba, blocks, task.nexus(), name);
        task.lu().softThreshold().written(bytes);
        return CommandResult.good(bytes);
    }

    /** CDB length from the opcode's group code (SPC-5 4.2.5.1). */
    static int cdbLengthOf(int opcode) {
        return switch (opcode >>> 5) {
            case 0 -> 6;
            case 1, 2 -> 10;
            case 4 -> 16;
            case 5 -> 12;
            default -> throw new IllegalArgumentException("not a fixed-length CDB opcode: " + opcode);
        };
    }

    /** The command's name for logs and the writer history, e.g. "WRITE(16)". */
    static String nameOf(int opcode) {
        String name = NAMES.get(opcode); // not getOrDefault: that would format the fallback on every write
        return name != null ? name : String.format("opcode %02Xh", opcode);
    }
}
