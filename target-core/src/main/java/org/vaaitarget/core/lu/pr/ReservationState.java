package org.vaaitarget.core.lu.pr;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.vaaitarget.core.lu.ua.UnitAttentions;
import org.vaaitarget.core.scsi.ItNexus;

/**
 * The reservation state of ONE logical unit: persistent reservation registrations, the persistent
 * reservation (holder and type), APTPL, PRGENERATION, and the SCSI-2 reservation holder. Every read and
 * change happens under this object's monitor, including the dispatcher's conflict check
 * ({@link #conflicts}), so a command's gate decision and a PERSISTENT RESERVE OUT or RESERVE change are
 * ordered: a command either sees the reservation or was admitted before it was made (and a RESERVE then
 * waits for it; see {@code ReservationCommands}).
 *
 * <p>Persistence (APTPL, SPC-5 5.14.5): {@link #persistLocked} snapshots the state under the monitor and
 * writes it, in change order, on {@link PrStateFile}'s writer thread; without APTPL (or with no
 * registration left) the file is removed, so nothing survives a restart.
 *
 * <p>Shared (several gateways, {@link ReservationSync}): every change goes through {@link #changed}, which loads
 * the cluster's state first and stores it after; the gate ({@link #conflicts}) reads the local copy, which every
 * gateway has updated before a change is answered.
 */
public final class ReservationState {
    /** At most this many registrations per LU; beyond: INSUFFICIENT REGISTRATION RESOURCES. */
    public static final int MAX_REGISTRATIONS = 512;

    private final Map<ItNexus, Long> registrations = new LinkedHashMap<>();
    private final PrStateFile file;
    private ItNexus holder;
    private ReservationType type;
    private boolean aptpl;
    private int generation;
    private ItNexus scsi2Holder;
    private CompletableFuture<Void> lastWrite = CompletableFuture.completedFuture(null);
    private final ReservationSync sync;

    /** State that lives in memory only (no APTPL persistence: REPORT CAPABILITIES says PTPL_C=0). */
    public ReservationState() {
        this.file = null;
        this.sync = null;
    }

    private ReservationState(PrStateFile file) {
        this.file = file;
        this.sync = null;
    }

    /** State shared by the gateways of one LU through {@code sync} (kept in the cluster: APTPL holds by nature). */
    public ReservationState(ReservationSync sync) {
        this.file = null;
        this.sync = java.util.Objects.requireNonNull(sync);
    }

    /**
     * Runs a change of this state: here, or, when shared, against the cluster's current state (see
     * {@link ReservationSync}). The unit attentions it raises in {@code staged} reach {@code local} (and, shared,
     * the other gateways' nexuses) together with the change, under this object's monitor.
     */
    public <T> CompletableFuture<T> changed(Supplier<T> change, UnitAttentions staged, UnitAttentions local) {
        if (sync != null) {
            return sync.change(this, change, staged, local);
        }
        try {
            synchronized (this) {
                T result = change.get();
                staged.moveTo(local, n -> true);
                return CompletableFuture.completedFuture(result);
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** {@link #changed} for a change that raises no unit attention. */
    public <T> CompletableFuture<T> changed(Supplier<T> change) {
        UnitAttentions none = new UnitAttentions();
        return changed(change, none, none);
    }

    // ---------------------------------------------------------------- the shared form

    /**
     * The whole state as text (one item per line), for the cluster: {@code gen N}, {@code aptpl 0|1},
     * {@code res TYPE holder}, {@code scsi2 holder}, {@code reg KEY nexus}; a nexus is
     * {@code relativePort isid target initiator}, {@code -} for none.
     */
    public synchronized String export() {
        StringBuilder b = new StringBuilder();
        b.append("gen ").append(generation).append('\n');
        b.append("aptpl ").append(aptpl ? 1 : 0).append('\n');
        b.append("res ").append(type == null ? "-" : Integer.toString(type.code())).append(' ').append(nexusText(holder))
                .append('\n');
        b.append("scsi2 ").append(nexusText(scsi2Holder)).append('\n');
        registrations.forEach((n, k) -> b.append("reg ").append(Long.toHexString(k)).append(' ').append(nexusText(n))
                .append('\n'));
        return b.toString();
    }

    /** Replaces the whole state with {@link #export}'s text (an empty text is the initial state). */
    public synchronized void load(String text) {
        registrations.clear();
        generation = 0;
        aptpl = false;
        type = null;
        holder = null;
        scsi2Holder = null;
        for (String line : text.split("\n")) {
            String[] f = line.trim().split(" ", 2);
            if (f.length < 2) {
                continue;
            }
            switch (f[0]) {
                case "gen" -> generation = Integer.parseInt(f[1]);
                case "aptpl" -> aptpl = "1".equals(f[1]);
                case "res" -> {
                    String[] r = f[1].split(" ", 2);
                    type = "-".equals(r[0]) ? null : ReservationType.of(Integer.parseInt(r[0]));
                    holder = parseNexus(r[1]);
                }
                case "scsi2" -> scsi2Holder = parseNexus(f[1]);
                case "reg" -> {
                    String[] r = f[1].split(" ", 2);
                    registrations.put(parseNexus(r[1]), Long.parseUnsignedLong(r[0], 16));
                }
                default -> throw new IllegalArgumentException("unknown reservation state line '" + line + "'");
            }
        }
    }

    /** A nexus as one line's tail ({@code relativePort isid target initiator}), {@code -} for none. */
    public static String nexusText(ItNexus n) {
        return n == null ? "-" : n.relativeTargetPort() + " " + n.isid() + " " + n.targetName() + " " + n.initiatorName();
    }

    /** The nexus {@link #nexusText} wrote, or null for {@code -}. */
    public static ItNexus parseNexus(String text) {
        if ("-".equals(text)) {
            return null;
        }
        String[] f = text.split(" ", 4);
        return new ItNexus(f[3], f[1], f[2], Integer.parseInt(f[0]));
    }

    /**
     * State persisted in {@code file}: restores what an earlier run saved with APTPL set.
     *
     * @throws IOException when the file exists but cannot be read or is corrupt (the message names it)
     */
    public static ReservationState open(PrStateFile file) throws IOException {
        ReservationState s = new ReservationState(file);
        PrSnapshot saved = file.read();
        if (saved != null) {
            synchronized (s) {
                for (Registration r : saved.registrations()) {
                    s.registrations.put(r.nexus(), r.key());
                }
                s.type = saved.type();
                s.holder = saved.holder();
                s.aptpl = true;
            }
        }
        return s;
    }

    /** Whether APTPL persistence is available for this LU (a file beside it, or the cluster when shared). */
    public boolean persistenceCapable() {
        return file != null || sync != null;
    }

    // ---------------------------------------------------------------- the dispatcher's gate

    /**
     * The reservation gate: true when {@code nexus} must get RESERVATION CONFLICT for a command that is or is not
     * {@code scsi2Exempt} and that a persistent reservation of a type holds back when {@code heldBackBy} says so
     * (the dispatcher's {@code ConflictPolicy} says both). A SCSI-2 reservation held by another nexus holds back
     * everything but its exemptions; a persistent reservation holds back non-holders as the command's class says.
     */
    public synchronized boolean conflicts(ItNexus nexus, boolean scsi2Exempt, Predicate<ReservationType> heldBackBy) {
        if (scsi2Holder != null && !scsi2Holder.equals(nexus)) {
            return !scsi2Exempt;
        }
        if (type == null || hasAccess(nexus)) {
            return false;
        }
        return heldBackBy.test(type);
    }

    /** Reservation holder, or a registrant under a registrants-only or all-registrants type. */
    synchronized boolean hasAccess(ItNexus nexus) {
        return type != null && (nexus.equals(holder) || (type.registrantsOnly() && registrations.containsKey(nexus)));
    }

    // ---------------------------------------------------------------- SCSI-2 RESERVE / RELEASE

    /** What a SCSI-2 RESERVE or RELEASE did. */
    public enum Scsi2Outcome {
        ESTABLISHED,
        RELEASED,
        NO_CHANGE,
        CONFLICT
    }

    /**
     * RESERVE(6)/(10) (SPC-2 7.21). With persistent reservation registrations present, SPC-5 5.14.3
     * (compatible reservation handling, CRH=1): GOOD without change for the persistent reservation
     * holder or a registrant under a registrants-only type, RESERVATION CONFLICT for anyone else while a
     * persistent reservation exists; otherwise SPC-2 rules. Re-reserving by the holder is GOOD.
     */
    public synchronized Scsi2Outcome reserveScsi2(ItNexus nexus) {
        if (type != null) {
            return hasAccess(nexus) ? Scsi2Outcome.NO_CHANGE : Scsi2Outcome.CONFLICT;
        }
        if (scsi2Holder != null && !scsi2Holder.equals(nexus)) {
            return Scsi2Outcome.CONFLICT;
        }
        boolean fresh = scsi2Holder == null;
        scsi2Holder = nexus;
        return fresh ? Scsi2Outcome.ESTABLISHED : Scsi2Outcome.NO_CHANGE;
    }

    /** RELEASE(6)/(10) (SPC-2 7.22): releases the holder's reservation; from anyone else GOOD, no change. */
    public synchronized Scsi2Outcome releaseScsi2(ItNexus nexus) {
        if (type != null) {
            return hasAccess(nexus) ? Scsi2Outcome.NO_CHANGE : Scsi2Outcome.CONFLICT;
        }
        if (nexus.equals(scsi2Holder)) {
            scsi2Holder = null;
            return Scsi2Outcome.RELEASED;
        }
        return Scsi2Outcome.NO_CHANGE;
    }

    /** LOGICAL UNIT RESET and target reset release a SCSI-2 reservation (SPC-2 5.5.1); PR state stays. */
    public synchronized void reset() {
        scsi2Holder = null;
    }

    /** I_T nexus loss releases that nexus's SCSI-2 reservation; registrations survive (SPC-5 5.14.7). */
    public synchronized void nexusLost(ItNexus nexus) {
        if (nexus.equals(scsi2Holder)) {
            scsi2Holder = null;
        }
    }

    /** The SCSI-2 reservation holder, or null. */
    public synchronized ItNexus scsi2Holder() {
        return scsi2Holder;
    }

    // ---------------------------------------------------------------- persistent reservations

    /** A consistent copy for PERSISTENT RESERVE IN. */
    public synchronized PrSnapshot snapshot() {
        List<Registration> regs = new ArrayList<>(registrations.size());
        registrations.forEach((n, k) -> regs.add(new Registration(n, k)));
        return new PrSnapshot(generation, regs, type, holder, aptpl);
    }

    /** The nexus's key, or null when it is not registered. Caller holds the monitor. */
    Long keyOf(ItNexus nexus) {
        return registrations.get(nexus);
    }

    Map<ItNexus, Long> registrationsLocked() {
        return registrations;
    }

    ReservationType typeLocked() {
        return type;
    }

    ItNexus holderLocked() {
        return holder;
    }

    /** Whether {@code nexus} holds the persistent reservation (any registrant for AR types). */
    boolean holdsLocked(ItNexus nexus) {
        return type != null && (type.allRegistrants() ? registrations.containsKey(nexus) : nexus.equals(holder));
    }

    void reserveLocked(ItNexus newHolder, ReservationType newType) {
        type = newType;
        holder = newType.allRegistrants() ? null : newHolder;
    }

    void releaseLocked() {
        type = null;
        holder = null;
    }

    void setAptplLocked(boolean value) {
        aptpl = value;
    }

    void bumpGenerationLocked() {
        generation++;
    }

    /**
     * Snapshots the state (caller holds the monitor) and writes it after every earlier write; the stage
     * completes when the file is durable (or removed), exceptionally when that failed.
     */
    CompletableFuture<Void> persistLocked() {
        if (file == null) {
            return CompletableFuture.completedFuture(null);
        }
        PrSnapshot s = aptpl && !registrations.isEmpty() ? snapshot() : null;
        CompletableFuture<Void> next = lastWrite.exceptionally(e -> null)
                .thenRunAsync(() -> file.writeOrDelete(s), PrStateFile.WRITER);
        lastWrite = next;
        return next;
    }

    /** Completes when every write requested so far is done (tests and orderly shutdown). */
    public synchronized CompletableFuture<Void> flushed() {
        return lastWrite.exceptionally(e -> null);
    }
}
