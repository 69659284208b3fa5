package org.vaaitarget.core.dispatch;

import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.ItNexus;
import org.vaaitarget.core.scsi.LunAddress;
import org.vaaitarget.core.scsi.ScsiCommand;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.ScsiTaskRouter;
import org.vaaitarget.core.scsi.TaskHandle;
import org.vaaitarget.core.scsi.TaskManagementResponse;
import org.vaaitarget.core.scsi.sense.SenseReason;

/**
 * A SCSI target device: its logical units and the command dispatcher in front of them.
 *
 * <p>Every submitted task goes through {@link ExecutionGates} (one fixed order of checks) and then its
 * handler; completion goes through {@link RunningTask#complete} (one release path). Tasks in flight
 * are bounded: beyond {@code maxTasksInFlight} a task gets TASK SET FULL (SAM-5 5.3.1) without running.
 *
 * <p>Task attributes are not honoured beyond SIMPLE: tasks run concurrently, and the Control mode
 * page says so (QUEUE ALGORITHM MODIFIER 1, unrestricted reordering).
 */
public final class TargetDevice implements ScsiTaskRouter, TargetContext, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TargetDevice.class);

    /** Default bound on tasks in flight per target device (ESXi: 128 per session, 32 per LUN). */
    public static final int DEFAULT_MAX_TASKS_IN_FLIGHT = 1024;
    /** How long {@link #close()} waits for running tasks before closing the stores anyway. */
    private static final long CLOSE_WAIT_SECONDS = 30;

    private final String name;
    private final Map<Integer, LogicalUnit> lunsByNumber;
    private final List<LogicalUnit> luns;
    private final HandlerTable table;
    private final ExecutionGates gates;
    private final Semaphore inFlight;
    private final LunMask mask;
    private final Set<RunningTask> running = ConcurrentHashMap.newKeySet();
    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private volatile boolean closing;

    /**
     * @param name  the target name (for logs and the device identification page)
     * @param luns  logical units, each with its own number
     */
    public TargetDevice(String name, List<LogicalUnit> luns) {
        this(name, luns, StandardHandlers.all());
    }

    /** A device serving exactly {@code handlers} (tests; a merged handler set). */
    public TargetDevice(String name, List<LogicalUnit> luns, List<CommandHandler> handlers) {
        this(name, luns, handlers, DEFAULT_MAX_TASKS_IN_FLIGHT);
    }

    /**
     * @param maxTasksInFlight tasks admitted at once; the next one gets TASK SET FULL
     * @throws IllegalArgumentException on duplicate LUN numbers or duplicate command registrations
     */
    public TargetDevice(String name, List<LogicalUnit> luns, List<CommandHandler> handlers, int maxTasksInFlight) {
        this(name, luns, handlers, maxTasksInFlight, LunMask.NONE);
    }

    /** The standard handlers with LUN masking: {@code mask} decides which LUNs each nexus sees. */
    public TargetDevice(String name, List<LogicalUnit> luns, LunMask mask) {
        this(name, luns, StandardHandlers.all(), DEFAULT_MAX_TASKS_IN_FLIGHT, mask);
    }

    /**
     * @param mask which LUNs each nexus sees ({@link LunMask#NONE}: all)
     */
    public TargetDevice(String name, List<LogicalUnit> luns, List<CommandHandler> handlers, int maxTasksInFlight,
                        LunMask mask) {
        this.mask = Objects.requireNonNull(mask, "mask");
        this.name = Objects.requireNonNull(name, "name");
        if (maxTasksInFlight < 1) {
            throw new IllegalArgumentException("maxTasksInFlight must be at least 1");
        }
        Map<Integer, LogicalUnit> byNumber = new TreeMap<>();
        for (LogicalUnit lu : luns) {
            if (byNumber.put(lu.number(), lu) != null) {
                throw new IllegalArgumentException("duplicate LUN " + lu.number() + " in target " + name);
            }
        }
        this.lunsByNumber = Map.copyOf(byNumber);
        List<LogicalUnit> ordered = new ArrayList<>(byNumber.values());
        ordered.sort(Comparator.comparingInt(LogicalUnit::number));
        this.luns = List.copyOf(ordered);
        this.table = new HandlerTable(handlers);
        this.gates = new ExecutionGates(table, () -> closing);
        this.inFlight = new Semaphore(maxTasksInFlight);
    }

    @Override
    public String targetName() {
        return name;
    }

    @Override
    public List<LogicalUnit> luns() {
        return luns;
    }

    /** The LUNs {@code nexus} may see (REPORT LUNS), ordered by number. */
    @Override
    public List<LogicalUnit> luns(ItNexus nexus) {
        return mask == LunMask.NONE ? luns : luns.stream().filter(lu -> mask.visible(nexus, lu.number())).toList();
    }

    @Override
    public HandlerTable commands() {
        return table;
    }

    @Override
    public TaskHandle submit(ScsiCommand command) {
        LogicalUnit lu = lunFor(command.nexus(), command.lun());
        Task task = new Task(command, lu, alloc, this);
        RunningTask rt = new RunningTask(task);
        if (!inFlight.tryAcquire()) {
            rt.complete(CommandResult.status(ScsiStatus.TASK_SET_FULL), null, () -> { });
            return rt;
        }
        running.add(rt);
        CompletionStage<CommandResult> stage;
        try {
            stage = gates.execute(task);
            if (stage == null) {
                stage = CompletableFuture.failedFuture(new IllegalStateException("handler returned no stage"));
            }
        } catch (Throwable t) {
            // A handler that throws synchronously is a bug; it still becomes a result (StoreErrors).
            stage = CompletableFuture.failedFuture(t);
        }
        stage.whenComplete((r, e) -> rt.complete(r, e, () -> {
            running.remove(rt);
            inFlight.release();
        }));
        return rt;
    }

    /**
     * SAM-5 6.3.3 / 7.7: aborts every task on the LU from every nexus, waits for them, and establishes
     * BUS DEVICE RESET FUNCTION OCCURRED for every I_T nexus, the resetting one included ("for each
     * I_T nexus"; libiscsi's LUN reset tests loop TEST UNIT READY until the UA is consumed). Mode
     * parameters are kept (this target has no saved pages that could differ from the current ones).
     */
    @Override
    public CompletionStage<TaskManagementResponse> logicalUnitReset(ItNexus from, long lun) {
        LogicalUnit lu = lunFor(from, lun);
        if (lu == null) {
            return CompletableFuture.completedFuture(TaskManagementResponse.LUN_DOES_NOT_EXIST);
        }
        return resetLu(lu, from);
    }

    private CompletableFuture<TaskManagementResponse> resetLu(LogicalUnit lu, ItNexus from) {
        List<RunningTask> victims = tasksOf(lu, null);
        victims.forEach(RunningTask::abort);
        lu.unitAttentions().raiseForAll(SenseReason.BUS_DEVICE_RESET_FUNCTION_OCCURRED, null);
        lu.unitAttentions().raise(from, SenseReason.BUS_DEVICE_RESET_FUNCTION_OCCURRED);
        CompletableFuture<Void> released = lu.reservations().changed(() -> {
            lu.reservations().reset();      // SCSI-2 reservation released; persistent reservations stay
            return (Void) null;
        }).exceptionally(e -> {
            LOG.warn("LOGICAL UNIT RESET of LUN {} on {}: releasing the SCSI-2 reservation failed", lu.number(), name, e);
            return null;
        });
        lu.medium().reset();                // medium removal preventions end (SPC-5 6.16)
        LOG.info("LOGICAL UNIT RESET of LUN {} on {} from {}: {} task(s) aborted", lu.number(), name, from,
                victims.size());
        CompletableFuture<Void> others = lu.gateways() == null ? CompletableFuture.completedFuture(null)
                : lu.gateways().announceReset().toCompletableFuture().exceptionally(e -> null); // see Gateways
        return CompletableFuture.allOf(whenAllDone(victims), others, released)
                .thenApply(v -> TaskManagementResponse.FUNCTION_COMPLETE);
    }

    @Override
    public CompletionStage<TaskManagementResponse> targetReset(ItNexus from) {
        List<CompletableFuture<TaskManagementResponse>> resets = new ArrayList<>();
        for (LogicalUnit lu : luns) {
            resets.add(resetLu(lu, from));
        }
        return CompletableFuture.allOf(resets.toArray(CompletableFuture[]::new))
                .thenApply(v -> TaskManagementResponse.FUNCTION_COMPLETE);
    }

    /**
     * CLEAR TASK SET (SAM-5 7.4): aborts every task on the LU, from every nexus (this target keeps one
     * task set per LU); with TAS=0 every other nexus that lost tasks gets COMMANDS CLEARED BY ANOTHER
     * INITIATOR (SAM-5 5.6). Completes when the aborted tasks have finished.
     */
    @Override
    public CompletionStage<TaskManagementResponse> clearTaskSet(ItNexus from, long lun) {
        LogicalUnit lu = lunFor(from, lun);
        if (lu == null) {
            return CompletableFuture.completedFuture(TaskManagementResponse.LUN_DOES_NOT_EXIST);
        }
        List<RunningTask> victims = tasksOf(lu, null);
        Set<ItNexus> others = new HashSet<>();
        for (RunningTask rt : victims) {
            rt.abort();
            if (!rt.task().nexus().equals(from)) {
                others.add(rt.task().nexus());
            }
        }
        others.forEach(n -> lu.unitAttentions().raise(n, SenseReason.COMMANDS_CLEARED_BY_ANOTHER_INITIATOR));
        return whenAllDone(victims).thenApply(v -> TaskManagementResponse.FUNCTION_COMPLETE);
    }

    /**
     * I_T nexus loss (SAM-5 6.3.4): aborts the nexus's tasks and forgets its unit attention state, so a
     * new session with the same ISID starts from POWER ON, RESET. Its SCSI-2 reservation and its medium
     * removal prevention are released;
     * its persistent reservation registrations stay (SPC-5 5.14.7).
     */
    @Override
    public void nexusLost(ItNexus nexus) {
        endNexus(nexus);
    }

    @Override
    public CompletableFuture<Void> endNexus(ItNexus nexus) {
        for (RunningTask rt : running) {
            if (rt.task().nexus().equals(nexus)) {
                rt.abort();
            }
        }
        List<CompletableFuture<Void>> released = new ArrayList<>();
        for (LogicalUnit lu : luns) {
            if (nexus.equals(lu.reservations().scsi2Holder())) {  // its SCSI-2 reservation ends (SPC-2 5.5.1)
                released.add(lu.reservations().changed(() -> {
                    lu.reservations().nexusLost(nexus);
                    return (Void) null;
                }).exceptionally(e -> {
                    LOG.warn("Releasing the SCSI-2 reservation of lost {} on LUN {} failed", nexus, lu.number(), e);
                    return null;
                }));
            }
            lu.medium().nexusLost(nexus);   // its medium removal prevention ends (SPC-5 6.16)
            lu.unitAttentions().forget(nexus);
        }
        return CompletableFuture.allOf(released.toArray(CompletableFuture[]::new));
    }

    @Override
    public CompletableFuture<Void> quiesce(LogicalUnit lu, ItNexus except) {
        List<RunningTask> admitted = new ArrayList<>();
        for (RunningTask rt : running) {
            Task t = rt.task();
            DataAccess access = t.admittedAccess();
            if (t.lu() == lu && !t.nexus().equals(except) && access != null && access != DataAccess.NONE) {
                admitted.add(rt);
            }
        }
        return whenAllDone(admitted);
    }

    @Override
    public CompletableFuture<Void> abortTasks(LogicalUnit lu, Set<ItNexus> nexuses, Task self) {
        List<RunningTask> victims = new ArrayList<>();
        for (RunningTask rt : running) {
            if (rt.task() != self && rt.task().lu() == lu && nexuses.contains(rt.task().nexus())) {
                rt.abort();
                victims.add(rt);
            }
        }
        if (!victims.isEmpty()) {
            LOG.info("PREEMPT AND ABORT on LUN {} of {}: {} task(s) of {} aborted", lu.number(), name,
                    victims.size(), nexuses);
        }
        return whenAllDone(victims);
    }

    @Override
    public boolean hasLun(ItNexus nexus, long lun) {
        return lunFor(nexus, lun) != null;
    }

    /** Refuses new media commands, waits (bounded) for running tasks, then closes every LU. */
    @Override
    public void close() {
        closing = true;
        List<RunningTask> pending = new ArrayList<>(running);
        try {
            whenAllDone(pending).get(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            LOG.warn("target {}: {} task(s) still running after {} s; closing the stores anyway", name,
                    running.size(), CLOSE_WAIT_SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("target {}: waiting for tasks failed", name, e);
        }
        for (LogicalUnit lu : luns) {
            try {
                lu.close();
            } catch (RuntimeException e) {
                LOG.error("target {}: closing LUN {} failed", name, lu.number(), e);
            }
        }
    }

    /** Number of tasks admitted and not yet completed (diagnostics and tests). */
    public int tasksInFlight() {
        return running.size();
    }

    /** THE LUN lookup: null when the LUN does not exist or is masked from this nexus ({@link LunMask}). */
    private LogicalUnit lunFor(ItNexus nexus, long lunField) {
        int n = LunAddress.decode(lunField);
        return n < 0 || !mask.visible(nexus, n) ? null : lunsByNumber.get(n);
    }

    private List<RunningTask> tasksOf(LogicalUnit lu, ItNexus nexus) {
        List<RunningTask> out = new ArrayList<>();
        for (RunningTask rt : running) {
            if (rt.task().lu() == lu && (nexus == null || rt.task().nexus().equals(nexus))) {
                out.add(rt);
            }
        }
        return out;
    }

    private static CompletableFuture<Void> whenAllDone(List<RunningTask> tasks) {
        return CompletableFuture.allOf(tasks.stream().map(RunningTask::done).toArray(CompletableFuture[]::new));
    }
}
