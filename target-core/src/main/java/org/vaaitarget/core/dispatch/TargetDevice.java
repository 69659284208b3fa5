package org.vaaitarget.core.dispatch;

import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.Collection;
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
import org.vaaitarget.core.observe.LunObserver;
import org.vaaitarget.core.observe.TargetObserver;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.ItNexus;
import org.vaaitarget.core.scsi.LunAddress;
import org.vaaitarget.core.scsi.PendingTasks;
import org.vaaitarget.core.scsi.NexusLiveness;
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
    /** The LUNs and the masking in force: replaced as a whole (copy on write), read without a lock. */
    private volatile Inventory inventory;
    /** Held while the inventory changes and while a nexus is told of a change (see {@link #addLun}). */
    private final Object inventoryLock = new Object();
    /** I_T nexuses with a pending REPORTED LUNS DATA HAS CHANGED (see {@link #takeInventoryChange}). */
    private final Set<ItNexus> inventoryChanged = ConcurrentHashMap.newKeySet();
    /** Numbers of LUNs removed while this device runs (a nexus not yet told still gets the UA there). */
    private final Set<Integer> removedNumbers = ConcurrentHashMap.newKeySet();
    /** Every I_T nexus that has submitted a task and not been lost since, with its counters. */
    private final ConcurrentHashMap<ItNexus, NexusActivity> nexuses = new ConcurrentHashMap<>();
    private final HandlerTable table;
    private final ExecutionGates gates;
    private final Semaphore inFlight;
    private final Set<RunningTask> running = ConcurrentHashMap.newKeySet();
    private final Map<ItNexus, PendingTasks> pending = new ConcurrentHashMap<>();
    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private volatile boolean closing;
    /** Observes commands addressed to a LUN that does not exist (or is masked). */
    private volatile LunObserver noLunObserver = LunObserver.NONE;
    /** Gives each LU added later ({@link #addLun}) its observer. */
    private TargetObserver targetObserver = TargetObserver.NONE;
    private volatile NexusLiveness liveness = NexusLiveness.ASSUME_ALIVE;

    /**
     * A device serving exactly {@code handlers} (the standard set: {@code core.assembly.StandardDevice}).
     *
     * @param name  the target name (for logs and the device identification page)
     * @param luns  logical units, each with its own number
     */
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

    /**
     * @param mask which LUNs each nexus sees ({@link LunMask#NONE}: all)
     */
    public TargetDevice(String name, List<LogicalUnit> luns, List<CommandHandler> handlers, int maxTasksInFlight,
                        LunMask mask) {
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
        this.inventory = Inventory.of(byNumber, Objects.requireNonNull(mask, "mask"));
        this.table = new HandlerTable(handlers);
        this.gates = new ExecutionGates(table, () -> closing, this::takeInventoryChange, this::inventoryReported);
        this.inFlight = new Semaphore(maxTasksInFlight);
    }

    /**
     * Reports every completed command (and each LU's VAAI work) to {@code observer} from now on: each LU
     * gets its {@link LunObserver}, resolved once here. Call before serving; {@link TargetObserver#NONE}
     * turns it off.
     */
    public void observe(TargetObserver observer) {
        synchronized (inventoryLock) {
            this.targetObserver = observer;
            for (LogicalUnit lu : inventory.luns()) {
                lu.observer(observer.lun(name, lu.number()));
            }
            noLunObserver = observer.lun(name, -1);
        }
    }

    @Override
    public String targetName() {
        return name;
    }

    @Override
    public List<LogicalUnit> luns() {
        return inventory.luns();
    }

    /** The LUNs {@code nexus} may see (REPORT LUNS), ordered by number. */
    @Override
    public List<LogicalUnit> luns(ItNexus nexus) {
        return inventory.visibleTo(nexus);
    }

    /** The LU with this number (masking aside), or null. */
    public LogicalUnit lun(int number) {
        return inventory.byNumber().get(number);
    }

    @Override
    public HandlerTable commands() {
        return table;
    }

    @Override
    public TaskHandle submit(ScsiCommand command) {
        ItNexus nexus = command.nexus();
        int number = LunAddress.decode(command.lun());
        LogicalUnit lu = inventory.visible(nexus, number);
        RunningTask rt = new RunningTask(new Task(command, lu, alloc, this), lu != null ? lu.observer() : noLunObserver);
        if (!inFlight.tryAcquire()) {
            rt.complete(CommandResult.status(ScsiStatus.TASK_SET_FULL), null, () -> { });
            return rt;
        }
        running.add(rt);
        if (lu != null && inventory.visible(nexus, number) != lu) {
            // Removed (or masked) between the lookup and running.add, so removeLun may not have waited for
            // this task: it must not touch that LU. (removeLun swaps the inventory, then reads running.)
            running.remove(rt);
            rt = new RunningTask(new Task(command, null, alloc, this), noLunObserver);
            running.add(rt);
            lu = null;
        }
        return run(rt, nexus, lu == null && removedNumbers.contains(number), command.dataOutLength());
    }

    private TaskHandle run(RunningTask rt, ItNexus nexus, boolean removedLun, long dataOutBytes) {
        NexusActivity known = nexuses.get(nexus); // the common case: no lambda, no bin lock
        NexusActivity activity = known != null ? known : nexuses.computeIfAbsent(nexus, k -> new NexusActivity());
        activity.started();
        CompletionStage<CommandResult> stage;
        try {
            stage = gates.execute(rt.task(), removedLun);
            if (stage == null) {
                stage = CompletableFuture.failedFuture(new IllegalStateException("handler returned no stage"));
            }
        } catch (Throwable t) {
            // A handler that throws synchronously is a bug; it still becomes a result (StoreErrors).
            stage = CompletableFuture.failedFuture(t);
        }
        stage.whenComplete((r, e) -> {
            boolean good = r != null && r.status() == ScsiStatus.GOOD;
            activity.finished(good ? r.dataInLength() : 0, good ? dataOutBytes : 0);
            rt.complete(r, e, () -> {
                running.remove(rt);
                inFlight.release();
            });
        });
        return rt;
    }

    // ---------------------------------------------------------------- live changes of the LUN inventory

    /**
     * Adds a logical unit while the device runs. Every I_T nexus that has used this device, and every
     * one in {@code tell} (the transport's sessions of this target), gets REPORTED LUNS DATA HAS CHANGED
     * (SPC-5 6.33: the logical unit inventory changed).
     *
     * @throws IllegalArgumentException when a LU with that number exists
     */
    public void addLun(LogicalUnit lu, Collection<ItNexus> tell) {
        synchronized (inventoryLock) {
            Inventory inv = inventory;
            if (inv.byNumber().containsKey(lu.number())) {
                throw new IllegalArgumentException("LUN " + lu.number() + " exists in target " + name);
            }
            lu.observer(targetObserver.lun(name, lu.number()));
            Map<Integer, LogicalUnit> byNumber = new TreeMap<>(inv.byNumber());
            byNumber.put(lu.number(), lu);
            markInventoryChanged(tell);
            removedNumbers.remove(lu.number());
            inventory = Inventory.of(byNumber, inv.mask());
        }
        LOG.info("Target {}: LUN {} added", name, lu.number());
    }

    /**
     * Removes a logical unit while the device runs: it leaves REPORT LUNS at once, and every I_T nexus
     * that has used this device (and each in {@code tell}) gets REPORTED LUNS DATA HAS CHANGED. A nexus
     * that addresses the removed LUN before it has been told gets that unit attention there, and
     * LOGICAL UNIT NOT SUPPORTED only afterwards (see {@link ExecutionGates}). The tasks already on the LU
     * run to completion.
     *
     * @return completes with the removed LU once its tasks have completed; the caller closes it (which
     *         may block, so not on an event loop). Fails when there is no such LUN.
     */
    public CompletableFuture<LogicalUnit> removeLun(int number, Collection<ItNexus> tell) {
        LogicalUnit lu;
        synchronized (inventoryLock) {
            Inventory inv = inventory;
            lu = inv.byNumber().get(number);
            if (lu == null) {
                return CompletableFuture.failedFuture(
                        new IllegalArgumentException("target " + name + " has no LUN " + number));
            }
            Map<Integer, LogicalUnit> byNumber = new TreeMap<>(inv.byNumber());
            byNumber.remove(number);
            markInventoryChanged(tell);
            removedNumbers.add(number);
            inventory = Inventory.of(byNumber, inv.mask());   // volatile write before reading running
        }
        List<RunningTask> inFlightOnLu = tasksOf(lu, null);
        LOG.info("Target {}: LUN {} removed; waiting for its {} task(s) in flight", name, number, inFlightOnLu.size());
        return whenAllDone(inFlightOnLu).thenApply(v -> lu);
    }

    /**
     * Replaces the LUN masking. Each I_T nexus (that has used the device, or in {@code tell}) whose set of
     * visible LUNs changes gets REPORTED LUNS DATA HAS CHANGED; LUNs it can no longer see answer as absent
     * at once (the transport logs out sessions that lose LUNs, see README "Live reconfiguration").
     */
    public void setMask(LunMask mask, Collection<ItNexus> tell) {
        synchronized (inventoryLock) {
            Inventory before = inventory;
            Inventory after = Inventory.of(before.byNumber(), Objects.requireNonNull(mask, "mask"));
            Set<ItNexus> changed = new HashSet<>();
            for (ItNexus n : union(tell)) {
                if (!before.visibleTo(n).equals(after.visibleTo(n))) {
                    changed.add(n);
                }
            }
            inventoryChanged.addAll(changed);
            inventory = after;
        }
    }

    /** The counters of an I_T nexus that has submitted tasks (null for one that has not, or was lost). */
    public NexusActivity activity(ItNexus nexus) {
        return nexuses.get(nexus);
    }

    /** Under {@link #inventoryLock}: every known nexus and every one in {@code tell} is to be told. */
    private void markInventoryChanged(Collection<ItNexus> tell) {
        inventoryChanged.addAll(union(tell));
    }

    private Set<ItNexus> union(Collection<ItNexus> tell) {
        Set<ItNexus> all = new HashSet<>(nexuses.keySet());
        all.addAll(tell);
        all.remove(ItNexus.internal(name));
        return all;
    }

    /**
     * Takes the pending REPORTED LUNS DATA HAS CHANGED of {@code nexus}: true once per change, for the
     * command that reports it (SAM-5 5.14). One condition per nexus for the whole target, reported on
     * whichever LU the nexus addresses next (LIO raises it on every LU of the nexus instead; one report
     * is enough for an initiator to rescan, and it cannot then be reported again on the other LUs).
     */
    @Override
    public boolean takeInventoryChange(ItNexus nexus) {
        if (!inventoryChanged.contains(nexus)) {
            return false;    // the common case: no lock
        }
        synchronized (inventoryLock) {
            return inventoryChanged.remove(nexus);
        }
    }

    /**
     * REPORT LUNS has shown {@code nexus} the current inventory: its pending REPORTED LUNS DATA HAS
     * CHANGED is cleared: the initiator now has the inventory that condition announces a change of (our
     * choice; REPORT LUNS itself never reports a unit attention, SAM-5 5.14).
     */
    private void inventoryReported(ItNexus nexus) {
        if (inventoryChanged.contains(nexus)) {
            synchronized (inventoryLock) {
                inventoryChanged.remove(nexus);
            }
        }
    }

    /**
     * The LUNs and the masking, replaced together.
     *
     * @param byNumber LUN number to LU
     * @param luns     the same LUs ordered by number
     * @param mask     which of them each nexus sees
     */
    private record Inventory(Map<Integer, LogicalUnit> byNumber, List<LogicalUnit> luns, LunMask mask) {
        static Inventory of(Map<Integer, LogicalUnit> byNumber, LunMask mask) {
            List<LogicalUnit> ordered = new ArrayList<>(byNumber.values());
            ordered.sort(Comparator.comparingInt(LogicalUnit::number));
            return new Inventory(Map.copyOf(byNumber), List.copyOf(ordered), mask);
        }

        /** THE LUN lookup: null when the LUN does not exist or is masked from this nexus ({@link LunMask}). */
        LogicalUnit visible(ItNexus nexus, int number) {
            return number < 0 || !mask.visible(nexus, number) ? null : byNumber.get(number);
        }

        List<LogicalUnit> visibleTo(ItNexus nexus) {
            return mask == LunMask.NONE ? luns : luns.stream().filter(lu -> mask.visible(nexus, lu.number())).toList();
        }
    }

    /**
     * SAM-5 6.3.3 / 7.7: aborts every task on the LU from every nexus (other nexuses' tasks end with TASK
     * ABORTED, TAS=1), waits for them, and establishes BUS DEVICE RESET FUNCTION OCCURRED for every I_T
     * nexus, the resetting one included ("for each I_T nexus"; libiscsi's LUN reset tests loop TEST UNIT
     * READY until the UA is consumed). Mode parameters are kept (this target has no saved pages that
     * could differ from the current ones).
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
        CompletableFuture<Void> aborted = abortAll(lu, victims, from, n -> true);
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
        return CompletableFuture.allOf(aborted, others, released)
                .thenApply(v -> TaskManagementResponse.FUNCTION_COMPLETE);
    }

    /**
     * TARGET WARM RESET and the SCSI part of TARGET COLD RESET (SAM-5 6.3.2): a logical unit reset of
     * every LU the requesting nexus may see. LUs masked from it are left alone: LUN masking is access
     * control, and a host must not abort other hosts' commands, or release their reservations, on a
     * LU it cannot even address.
     */
    @Override
    public CompletionStage<TaskManagementResponse> targetReset(ItNexus from) {
        List<CompletableFuture<TaskManagementResponse>> resets = new ArrayList<>();
        for (LogicalUnit lu : luns(from)) {
            resets.add(resetLu(lu, from));
        }
        return CompletableFuture.allOf(resets.toArray(CompletableFuture[]::new))
                .thenApply(v -> TaskManagementResponse.FUNCTION_COMPLETE);
    }

    /**
     * CLEAR TASK SET (SAM-5 7.4): aborts every task on the LU, from every nexus (this target keeps one
     * task set per LU). With TAS=1 the other nexuses' tasks end with TASK ABORTED; with TAS=0 every other
     * nexus that lost tasks would get COMMANDS CLEARED BY ANOTHER INITIATOR instead (SAM-5 5.6).
     * Completes when the aborted tasks have finished.
     */
    @Override
    public CompletionStage<TaskManagementResponse> clearTaskSet(ItNexus from, long lun) {
        LogicalUnit lu = lunFor(from, lun);
        if (lu == null) {
            return CompletableFuture.completedFuture(TaskManagementResponse.LUN_DOES_NOT_EXIST);
        }
        List<RunningTask> victims = tasksOf(lu, null);
        CompletableFuture<Void> aborted = abortAll(lu, victims, from, n -> true);
        if (!lu.mode().taskAbortedStatus()) {
            Set<ItNexus> others = new HashSet<>();
            for (RunningTask rt : victims) {
                if (!rt.task().nexus().equals(from)) {
                    others.add(rt.task().nexus());
                }
            }
            others.forEach(n -> lu.unitAttentions().raise(n, SenseReason.COMMANDS_CLEARED_BY_ANOTHER_INITIATOR));
        }
        LOG.info("CLEAR TASK SET of LUN {} on {} from {}: {} task(s) aborted", lu.number(), name, from,
                victims.size());
        return aborted.thenApply(v -> TaskManagementResponse.FUNCTION_COMPLETE);
    }

    /**
     * Aborts {@code victims} (core tasks on {@code lu}) for a request of {@code from}, and the tasks the
     * transports of the other nexuses accepted by {@code nexuses} still hold for {@code lu}; completes when
     * all are gone. The requesting nexus's own pending tasks are its transport's business.
     */
    private CompletableFuture<Void> abortAll(LogicalUnit lu, List<RunningTask> victims, ItNexus from,
                                             java.util.function.Predicate<ItNexus> nexuses) {
        List<CompletableFuture<?>> waits = new ArrayList<>();
        boolean tas = lu.mode().taskAbortedStatus();
        for (Map.Entry<ItNexus, PendingTasks> e : pending.entrySet()) {
            if (!e.getKey().equals(from) && nexuses.test(e.getKey())) {
                waits.add(e.getValue().abortPending(lu.number(), tas).toCompletableFuture());
            }
        }
        for (RunningTask rt : victims) {
            rt.abortFor(from);
            waits.add(rt.done());
        }
        return CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new));
    }

    @Override
    public void attach(ItNexus nexus, PendingTasks tasks) {
        pending.put(nexus, Objects.requireNonNull(tasks, "tasks"));
    }

    @Override
    public void detach(ItNexus nexus, PendingTasks tasks) {
        pending.remove(nexus, tasks);
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
        nexuses.remove(nexus);
        inventoryChanged.remove(nexus);
        List<CompletableFuture<Void>> released = new ArrayList<>();
        for (LogicalUnit lu : inventory.luns()) {
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
    public void useNexusLiveness(NexusLiveness liveness) {
        this.liveness = Objects.requireNonNull(liveness, "liveness");
    }

    @Override
    public CompletionStage<Void> confirmAlive(Set<ItNexus> nexuses) {
        return liveness.confirm(nexuses);
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
                victims.add(rt);
            }
        }
        CompletableFuture<Void> aborted = abortAll(lu, victims, self.nexus(), nexuses::contains);
        if (!victims.isEmpty()) {
            LOG.info("PREEMPT AND ABORT on LUN {} of {}: {} task(s) of {} aborted", lu.number(), name,
                    victims.size(), nexuses);
        }
        return aborted;
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
        for (LogicalUnit lu : inventory.luns()) {
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

    /** The LU a nexus addresses with this LUN field: null when it does not exist or is masked from it. */
    private LogicalUnit lunFor(ItNexus nexus, long lunField) {
        return inventory.visible(nexus, LunAddress.decode(lunField));
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
