package org.vaaitarget.core.sbc;

import static org.vaaitarget.core.dispatch.CommandSpec.Trait.IN_SANITIZE_FAILURE;
import static org.vaaitarget.core.dispatch.CommandSpec.command;
import static org.vaaitarget.core.dispatch.DataAccess.NONE;
import static org.vaaitarget.core.dispatch.DataAccess.READ;
import static org.vaaitarget.core.dispatch.DataAccess.WRITE;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.dispatch.CommandHandler;
import org.vaaitarget.core.dispatch.CommandSpec;
import org.vaaitarget.core.dispatch.CommandSpec.Medium;
import org.vaaitarget.core.dispatch.CommandSpec.PrClass;
import org.vaaitarget.core.dispatch.CommandSpec.Scsi2;
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

    /**
     * New instances of every SBC handler (they are stateless; per-LU state lives in the LU), each with the
     * commands it serves: name, CDB usage map, access, medium, PR class, SCSI-2 class, gate exemptions (see
     * {@link CommandSpec}); {@link #reads} and {@link #changes} state them for the plain medium commands.
     */
    public static List<CommandHandler> all() {
        List<CommandHandler> all = new ArrayList<>();
        all.add(new ReadHandler().serving(
                reads("READ(6)", "08 1F FF FF FF 00"),
                reads("READ(10)", "28 F8 FF FF FF FF 00 FF FF 00"),
                reads("READ(12)", "A8 F8 FF FF FF FF FF FF FF FF 00 00"),
                reads("READ(16)", "88 F8 FF FF FF FF FF FF FF FF FF FF FF FF 00 00")));
        all.add(new WriteHandler().serving(
                changes("WRITE(6)", "0A 1F FF FF FF 00"),
                changes("WRITE(10)", "2A F8 FF FF FF FF 00 FF FF 00"),
                changes("WRITE(12)", "AA F8 FF FF FF FF FF FF FF FF 00 00"),
                changes("WRITE(16)", "8A F8 FF FF FF FF FF FF FF FF FF FF FF FF 00 00"),
                changes("WRITE AND VERIFY(10)", "2E F6 FF FF FF FF 00 FF FF 00"),
                changes("WRITE AND VERIFY(12)", "AE F6 FF FF FF FF FF FF FF FF 00 00"),
                changes("WRITE AND VERIFY(16)", "8E F6 FF FF FF FF FF FF FF FF FF FF FF FF 00 00")));
        all.add(new VerifyHandler().serving(
                reads("VERIFY(10)", "2F F6 FF FF FF FF 00 FF FF 00"),
                reads("VERIFY(12)", "AF F6 FF FF FF FF FF FF FF FF 00 00"),
                reads("VERIFY(16)", "8F F6 FF FF FF FF FF FF FF FF FF FF FF FF 00 00")));
        all.add(new CacheHandler().serving(
                command("SYNCHRONIZE CACHE(10)", "35 02 FF FF FF FF 00 FF FF 00",
                        WRITE, Medium.NEEDED, PrClass.WRITE, Scsi2.HELD),
                command("SYNCHRONIZE CACHE(16)", "91 02 FF FF FF FF FF FF FF FF FF FF FF FF 00 00",
                        WRITE, Medium.NEEDED, PrClass.WRITE, Scsi2.HELD),
                reads("PRE-FETCH(10)", "34 02 FF FF FF FF 00 FF FF 00"),
                reads("PRE-FETCH(16)", "90 02 FF FF FF FF FF FF FF FF FF FF FF FF 00 00")));
        all.add(new ReadCapacityHandler().serving(
                command("READ CAPACITY(10)", "25 00 FF FF FF FF 00 00 01 00",
                        NONE, Medium.NEEDED, PrClass.ALLOWED, Scsi2.HELD),
                command(0x10, "READ CAPACITY(16)", "9E 1F FF FF FF FF FF FF FF FF FF FF FF FF 01 00",
                        NONE, Medium.NEEDED, PrClass.ALLOWED, Scsi2.HELD)));
        all.add(new CompareAndWriteHandler().serving(
                changes(CompareAndWriteHandler.NAME, "89 F8 FF FF FF FF FF FF FF FF 00 00 00 FF 00 00")));
        all.add(new WriteSameHandler().serving(
                changes("WRITE SAME(10)", "41 F8 FF FF FF FF 00 FF FF 00"),
                changes("WRITE SAME(16)", "93 F9 FF FF FF FF FF FF FF FF FF FF FF FF 00 00")));
        all.add(new UnmapHandler().serving(
                changes("UNMAP", "42 01 00 00 00 00 3F FF FF 00")));
        all.add(new GetLbaStatusHandler().serving(
                command(0x12, "GET LBA STATUS", "9E 1F FF FF FF FF FF FF FF FF FF FF FF FF 00 00",
                        READ, Medium.NEEDED, PrClass.READ, Scsi2.HELD)));
        all.add(new ReadDefectDataHandler().serving(
                command("READ DEFECT DATA(10)", "37 00 1F 00 00 00 00 FF FF 00",
                        NONE, Medium.NEEDED, PrClass.ALLOWED, Scsi2.HELD),
                command("READ DEFECT DATA(12)", "B7 1F FF FF FF FF FF FF FF FF 00 00",
                        NONE, Medium.NEEDED, PrClass.ALLOWED, Scsi2.HELD)));
        all.add(new OrWriteHandler().serving(
                changes(OrWriteHandler.NAME, "8B F8 FF FF FF FF FF FF FF FF FF FF FF FF 00 00")));
        all.add(new SanitizeHandler().serving(
                command(0x01, "SANITIZE OVERWRITE", "48 A1 00 00 00 00 00 FF FF 00",
                        WRITE, Medium.CHANGED, PrClass.WRITE, Scsi2.HELD, IN_SANITIZE_FAILURE),
                command(0x02, "SANITIZE BLOCK ERASE", "48 A2 00 00 00 00 00 FF FF 00",
                        WRITE, Medium.CHANGED, PrClass.WRITE, Scsi2.HELD, IN_SANITIZE_FAILURE),
                command(0x1F, "SANITIZE EXIT FAILURE MODE", "48 BF 00 00 00 00 00 FF FF 00",
                        WRITE, Medium.CHANGED, PrClass.WRITE, Scsi2.HELD, IN_SANITIZE_FAILURE)));
        all.add(new WriteAtomicHandler().serving(
                changes(WriteAtomicHandler.NAME, "9C F8 FF FF FF FF FF FF FF FF FF FF FF FF 00 00")));
        return List.copyOf(all);
    }

    /** Reads the medium: held back by the Exclusive Access reservation types and by SCSI-2 reservations. */
    private static CommandSpec reads(String name, String usage) {
        return command(name, usage, READ, Medium.NEEDED, PrClass.READ, Scsi2.HELD);
    }

    /** Changes the medium: refused when it is write-protected; held back by every reservation type. */
    private static CommandSpec changes(String name, String usage) {
        return command(name, usage, WRITE, Medium.CHANGED, PrClass.WRITE, Scsi2.HELD);
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
