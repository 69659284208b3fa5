package org.vaaitarget.core.dispatch;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.vaaitarget.core.dispatch.CommandSpec.Medium;
import org.vaaitarget.core.dispatch.CommandSpec.Trait;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.ItNexus;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.sense.SenseData;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.sbc.sanitize.Sanitizer;

/**
 * The generic checks every task passes before its handler runs, in ONE fixed order (DESIGN 9.4,
 * like LIO's {@code __target_execute_cmd}). What a gate needs to know about the command it reads from the
 * command's {@link CommandSpec} in the dispatch table (an unknown command has no exemptions):
 * <ol>
 *   <li><b>LUN exists</b>: otherwise ILLEGAL REQUEST / LOGICAL UNIT NOT SUPPORTED, except INQUIRY,
 *       REPORT LUNS and REQUEST SENSE, which serve any LUN ({@link Trait#ANY_LUN}). A LUN removed by a
 *       live reconfiguration answers REPORTED LUNS DATA HAS CHANGED first to a nexus that has not been
 *       told of the change yet, and LOGICAL UNIT NOT SUPPORTED only after that;</li>
 *   <li><b>unit attention</b> (SAM-5 5.14, SPC-5 5.14): INQUIRY and REPORT LUNS neither report nor
 *       clear one ({@link Trait#OWN_UNIT_ATTENTION}; except that REPORT LUNS clears REPORTED LUNS DATA
 *       HAS CHANGED: it shows the new inventory, {@link Trait#SHOWS_INVENTORY}); REQUEST SENSE returns it
 *       as its parameter data (its handler consumes it); any other command gets CHECK CONDITION with the
 *       oldest pending condition, which is thereby cleared. A pending change of the target's LUN
 *       inventory (one per nexus for the whole target) comes first;</li>
 *   <li><b>LU state</b>: a device shutting down answers NOT READY, an LU running a sanitize NOT READY,
 *       SANITIZE IN PROGRESS with the progress indication (INQUIRY, REPORT LUNS and REQUEST SENSE still
 *       work: {@link Trait#WHILE_NOT_READY}); while a sanitize has failed, commands that access the
 *       medium get SANITIZE COMMAND FAILED, except SANITIZE ({@link Trait#IN_SANITIZE_FAILURE}; checked
 *       after gate 5);</li>
 *   <li><b>command table</b>: unknown opcode: INVALID COMMAND OPERATION CODE; served opcode with
 *       an unserved service action: INVALID FIELD IN CDB; a CDB shorter than the command: INVALID
 *       FIELD IN CDB;</li>
 *   <li><b>medium present</b>: on a removable LU whose medium was ejected (START STOP UNIT LOEJ=1),
 *       NOT READY / MEDIUM NOT PRESENT (SBC-4 4.3, 5.25) for every command that needs the medium
 *       ({@link Medium}); inquiry, sense, mode, reservation and medium control commands still run. A fixed
 *       LU always has its medium;</li>
 *   <li><b>reservations</b>: RESERVATION CONFLICT when the LU's {@code ReservationState} holds the
 *       command back ({@code ConflictPolicy}: {@link CommandSpec#scsi2()} for a SCSI-2 reservation,
 *       {@link CommandSpec#reservation()} for a persistent one). The task is marked admitted
 *       with its access BEFORE the check, and the check runs under the reservation state's lock, so
 *       a RESERVE either is seen by this check or sees this task among the ones it waits for
 *       ({@link TargetContext#quiesce}). Commands the target issues to itself
 *       ({@link ItNexus#internal}, EXTENDED COPY's reads and writes) were checked as the copy command
 *       and pass. A conflict with another nexus's SCSI-2 reservation is decided again once that nexus
 *       is confirmed alive ({@link TargetContext#confirmAlive}): its loss releases the reservation, and
 *       the transport may not have processed a loss it already knows of;</li>
 *   <li><b>write protection</b>: on a write-protected LU (read-only LUN, or SWP in the control mode
 *       page) a command that changes the medium ({@link Medium#CHANGED}) gets DATA PROTECT / WRITE
 *       PROTECTED;</li>
 *   <li><b>handler</b>, unless the task was aborted meanwhile.</li>
 * </ol>
 * Each gate answers with a result; nothing here throws for bad input.
 */
final class ExecutionGates {

    private final HandlerTable table;
    private final BooleanSupplier notReady;
    private final Predicate<ItNexus> takeInventoryChange;
    private final Consumer<ItNexus> inventoryReported;

    ExecutionGates(HandlerTable table, BooleanSupplier notReady) {
        this(table, notReady, n -> false, n -> { });
    }

    /**
     * @param takeInventoryChange takes the nexus's pending REPORTED LUNS DATA HAS CHANGED (true once)
     * @param inventoryReported   REPORT LUNS is about to show the nexus the current inventory
     */
    ExecutionGates(HandlerTable table, BooleanSupplier notReady, Predicate<ItNexus> takeInventoryChange,
                   Consumer<ItNexus> inventoryReported) {
        this.table = table;
        this.notReady = notReady;
        this.takeInventoryChange = takeInventoryChange;
        this.inventoryReported = inventoryReported;
    }

    /** Runs the gates, then the handler. May throw only if a handler does (the caller maps that). */
    CompletionStage<CommandResult> execute(Task task) {
        return execute(task, false);
    }

    /**
     * @param removedLun the task addresses no LU, and its LUN number belongs to a LU removed while the
     *                   device runs
     */
    CompletionStage<CommandResult> execute(Task task, boolean removedLun) {
        // The table is looked up first for the command's gate exemptions; an unknown command has none and is
        // refused at gate 4.
        HandlerTable.Lookup found = table.lookup(task.cdb());
        CommandSpec spec = found instanceof HandlerTable.Found f ? f.entry().spec() : null;
        LogicalUnit lu = task.lu();
        if (spec != null && spec.has(Trait.SHOWS_INVENTORY)) {
            inventoryReported.accept(task.nexus());
        }

        // 1. LUN exists (a removed one first reports the inventory change to a nexus not yet told)
        if (lu == null && !exempt(spec, Trait.ANY_LUN)) {
            if (removedLun && takeInventoryChange.test(task.nexus())) {
                return done(task.check(SenseReason.REPORTED_LUNS_DATA_HAS_CHANGED));
            }
            return done(task.check(SenseReason.LOGICAL_UNIT_NOT_SUPPORTED));
        }
        // 2. Unit attention: the target's inventory change, then the LU's own conditions
        if (lu != null && !exempt(spec, Trait.OWN_UNIT_ATTENTION)) {
            if (takeInventoryChange.test(task.nexus())) {
                return done(task.check(SenseReason.REPORTED_LUNS_DATA_HAS_CHANGED));
            }
            SenseReason ua = lu.unitAttentions().poll(task.nexus());
            if (ua != null) {
                return done(task.check(ua));
            }
        }
        // 3. LU state
        if (notReady.getAsBoolean() && !exempt(spec, Trait.WHILE_NOT_READY)) {
            return done(task.check(SenseReason.LOGICAL_UNIT_NOT_READY_CAUSE_NOT_REPORTABLE));
        }
        if (lu != null && lu.sanitizer().inProgress() && !exempt(spec, Trait.WHILE_NOT_READY)) {
            // SBC-4 4.11.3: only INQUIRY, REPORT LUNS and REQUEST SENSE are served while a sanitize runs.
            return done(task.check(SenseData.withProgress(SenseReason.LOGICAL_UNIT_NOT_READY_SANITIZE_IN_PROGRESS,
                    lu.sanitizer().progress())));
        }
        // 4. Command table
        if (found instanceof HandlerTable.UnknownOpcode) {
            return done(task.check(SenseReason.INVALID_COMMAND_OPERATION_CODE));
        }
        if (found instanceof HandlerTable.UnknownServiceAction) {
            int saByte = task.command().opcode() == 0x7F ? 8 : 1;
            return done(task.invalidCdbField(saByte, -1));
        }
        HandlerTable.Entry entry = ((HandlerTable.Found) found).entry();
        if (lu != null && !entry.handler().servedOn(lu)) {
            return done(task.check(SenseReason.INVALID_COMMAND_OPERATION_CODE));
        }
        if (task.cdb().length < entry.spec().cdbLength()) {
            return done(task.invalidCdbField(task.cdb().length, -1));
        }
        // 5. Medium present
        if (lu != null && spec.medium() != Medium.NOT_NEEDED && !lu.medium().isPresent()) {
            return done(task.check(SenseReason.MEDIUM_NOT_PRESENT));
        }
        // 5b. Sanitize failure mode (SBC-4 4.11.4): medium access fails until a SANITIZE leaves it.
        if (lu != null && lu.sanitizer().state() == Sanitizer.State.FAILED && spec.access() != DataAccess.NONE
                && !spec.has(Trait.IN_SANITIZE_FAILURE)) {
            return done(task.check(SenseReason.SANITIZE_COMMAND_FAILED));
        }
        // 6. Reservations
        task.admit(entry.spec().access());
        if (lu != null && !isInternal(task.nexus())
                && reservationConflict(lu, task, entry.spec())) {
            ItNexus holder = lu.reservations().scsi2Holder();
            TargetContext context = task.context();
            if (holder == null || holder.equals(task.nexus()) || context == null) {
                return done(CommandResult.status(ScsiStatus.RESERVATION_CONFLICT));
            }
            // Held back by another nexus's SCSI-2 reservation, which that nexus's loss releases: decide
            // again once the holder is confirmed alive or its loss handled (NexusLiveness).
            return context.confirmAlive(Set.of(holder)).thenCompose(v ->
                    reservationConflict(lu, task, entry.spec())
                            ? done(CommandResult.status(ScsiStatus.RESERVATION_CONFLICT)) : protectedOrRun(task, entry));
        }
        return protectedOrRun(task, entry);
    }

    /** Whether the LU's reservation state holds this command back from the task's nexus ({@link ConflictPolicy}). */
    private static boolean reservationConflict(LogicalUnit lu, Task task, CommandSpec spec) {
        CommandSpec.PrClass prClass = ConflictPolicy.prClass(spec, task.cdb());
        return lu.reservations().conflicts(task.nexus(), ConflictPolicy.scsi2Exempt(spec, task.cdb()),
                type -> ConflictPolicy.prConflict(prClass, type));
    }

    /** 7. Write protection, then the handler. */
    private static CompletionStage<CommandResult> protectedOrRun(Task task, HandlerTable.Entry entry) {
        LogicalUnit lu = task.lu();
        if (lu != null && entry.spec().medium() == Medium.CHANGED && lu.writeProtected()) {
            return done(task.check(SenseReason.WRITE_PROTECTED));
        }
        return run(task, entry);
    }

    /** 8. Handler; an aborted task never starts (TaskHandle#abort guarantee). */
    private static CompletionStage<CommandResult> run(Task task, HandlerTable.Entry entry) {
        if (task.isAborted()) {
            return done(CommandResult.abortedTask());
        }
        return entry.handler().execute(task);
    }

    private static boolean exempt(CommandSpec spec, Trait trait) {
        return spec != null && spec.has(trait);
    }

    private static boolean isInternal(ItNexus nexus) {
        return nexus.equals(ItNexus.internal(nexus.targetName()));
    }

    private static CompletionStage<CommandResult> done(CommandResult r) {
        return CompletableFuture.completedFuture(r);
    }
}
