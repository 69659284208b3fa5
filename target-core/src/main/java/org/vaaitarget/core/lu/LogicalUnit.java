package org.vaaitarget.core.lu;

import java.util.Objects;
import org.vaaitarget.core.lu.lock.RangeLockManager;
import org.vaaitarget.core.lu.ua.UnitAttentions;
import org.vaaitarget.core.observe.LunObserver;
import org.vaaitarget.core.sbc.forensics.AtsStatistics;
import org.vaaitarget.core.sbc.forensics.WriterHistory;
import org.vaaitarget.core.sbc.sanitize.SanitizeSettings;
import org.vaaitarget.core.sbc.sanitize.Sanitizer;
import org.vaaitarget.core.lu.pr.ReservationState;
import org.vaaitarget.core.store.BlockStore;

/**
 * One logical unit: its number within the target, its store, the limits it enforces and advertises,
 * its identity, the range locks every medium access goes through, unit attentions and mode state.
 */
public final class LogicalUnit implements AutoCloseable {
    private final int number;
    private final BlockStore store;
    private final LunLimits limits;
    private final LunIdentity identity;
    private final RangeLockManager locks;
    private final UnitAttentions unitAttentions = new UnitAttentions();
    private final ModeParameters mode;
    private final AtsStatistics ats = new AtsStatistics();
    private final WriterHistory writerHistory = new WriterHistory();
    private final ReservationState reservations;
    private final SoftThresholdMonitor softThreshold;
    private final RemovableMedium medium;
    private volatile LunObserver observer = LunObserver.NONE;
    private final Sanitizer sanitizer;
    private final Gateways gateways;

    /** A LU whose reservation state lives in memory only (no APTPL persistence). */
    public LogicalUnit(int number, BlockStore store, LunLimits limits, LunIdentity identity, RangeLockManager locks) {
        this(number, store, limits, identity, locks, new ReservationState(), 0);
    }

    /**
     * @param reservations         reservation state (file LUs: restored from and persisted beside the file)
     * @param softThresholdPercent thin-provisioning soft threshold in percent of the capacity, 0 for none
     *                             (see {@link SoftThresholdMonitor})
     */
    public LogicalUnit(int number, BlockStore store, LunLimits limits, LunIdentity identity, RangeLockManager locks,
                       ReservationState reservations, int softThresholdPercent) {
        this(number, store, limits, identity, locks, reservations, softThresholdPercent, false);
    }

    /**
     * @param removable report a removable medium (INQUIRY RMB=1) that START STOP UNIT can eject and load
     *                  and PREVENT ALLOW MEDIUM REMOVAL can lock (see {@link RemovableMedium})
     */
    public LogicalUnit(int number, BlockStore store, LunLimits limits, LunIdentity identity, RangeLockManager locks,
                       ReservationState reservations, int softThresholdPercent, boolean removable) {
        this(number, store, limits, identity, locks, reservations, softThresholdPercent, removable, SanitizeSettings.NONE,
                null);
    }

    /** @param sanitize whether and how this LU serves SANITIZE (see {@link Sanitizer}) */
    public LogicalUnit(int number, BlockStore store, LunLimits limits, LunIdentity identity, RangeLockManager locks,
                       ReservationState reservations, int softThresholdPercent, boolean removable,
                       SanitizeSettings sanitize) {
        this(number, store, limits, identity, locks, reservations, softThresholdPercent, removable, sanitize, null);
    }

    /**
     * @param gateways the other gateways when several serve this LU (implicit ALUA, shared events), else null
     */
    public LogicalUnit(int number, BlockStore store, LunLimits limits, LunIdentity identity, RangeLockManager locks,
                       ReservationState reservations, int softThresholdPercent, boolean removable,
                       Gateways gateways) {
        this(number, store, limits, identity, locks, reservations, softThresholdPercent, removable, SanitizeSettings.NONE,
                gateways);
    }

    /**
     * @param sanitize whether and how this LU serves SANITIZE (see {@link Sanitizer})
     * @param gateways the other gateways when several serve this LU (implicit ALUA, shared events), else null
     */
    public LogicalUnit(int number, BlockStore store, LunLimits limits, LunIdentity identity, RangeLockManager locks,
                       ReservationState reservations, int softThresholdPercent, boolean removable,
                       SanitizeSettings sanitize, Gateways gateways) {
        this.gateways = gateways;
        this.medium = removable ? RemovableMedium.removable() : RemovableMedium.fixed();
        this.reservations = Objects.requireNonNull(reservations);
        this.number = number;
        this.store = Objects.requireNonNull(store);
        this.limits = Objects.requireNonNull(limits);
        this.identity = Objects.requireNonNull(identity);
        this.locks = Objects.requireNonNull(locks);
        this.mode = new ModeParameters(store.capabilities().volatileWriteCache());
        this.softThreshold = new SoftThresholdMonitor(store, unitAttentions, softThresholdPercent);
        this.sanitizer = new Sanitizer(store, locks, sanitize);
    }

    /** SANITIZE state: allowed or not, in progress, failure mode. */
    public Sanitizer sanitizer() {
        return sanitizer;
    }

    public int number() {
        return number;
    }

    public BlockStore store() {
        return store;
    }

    public LunLimits limits() {
        return limits;
    }

    public LunIdentity identity() {
        return identity;
    }

    public RangeLockManager locks() {
        return locks;
    }

    public UnitAttentions unitAttentions() {
        return unitAttentions;
    }

    /** SCSI-2 and persistent reservations of this LU: one state, one lock. */
    public ReservationState reservations() {
        return reservations;
    }

    public ModeParameters mode() {
        return mode;
    }

    /** COMPARE AND WRITE (ATS) counters of this LU. */
    public AtsStatistics ats() {
        return ats;
    }

    /** Who is told about this LU's completed commands (metrics); {@link LunObserver#NONE} by default. */
    public LunObserver observer() {
        return observer;
    }

    /** Set by {@link org.vaaitarget.core.dispatch.TargetDevice#observe} before the LU serves. */
    public void observer(LunObserver o) {
        this.observer = Objects.requireNonNull(o, "observer");
    }

    /** Recent writers of recently written small ranges, for miscompare forensics. */
    public WriterHistory writerHistory() {
        return writerHistory;
    }

    /** The thin-provisioning soft threshold; writers report completed writes to it. */
    public SoftThresholdMonitor softThreshold() {
        return softThreshold;
    }

    /** The medium: removable or fixed, loaded or not, and who prevents its removal. */
    public RemovableMedium medium() {
        return medium;
    }

    /**
     * Whether the medium is write-protected now: a read-only LUN, or SWP set in the control mode page
     * (SBC-4 4.11 write protection; MODE SENSE reports it as WP).
     */
    public boolean writeProtected() {
        return store.readOnly() || mode.softwareWriteProtect();
    }

    /** The target port groups (implicit ALUA) when several gateways serve this LU; null for one server. */
    public TargetPortGroups portGroups() {
        return gateways == null ? null : gateways.portGroups();
    }

    /** The other gateways serving this LU; null when this server is the only one. */
    public Gateways gateways() {
        return gateways;
    }

    public int blockSize() {
        return store.blockSize();
    }

    public long blockCount() {
        return store.blockCount();
    }

    /** The file systems behind file-backed LUNs allocate in 4 KiB units: the physical block size we report. */
    public static final int PHYSICAL_BLOCK_SIZE = 4096;

    /**
     * LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT (READ CAPACITY(16) byte 13; SBC-4 5.20.2): 3 for 512-byte
     * logical blocks on 4 KiB physical blocks, 0 for 4096-byte blocks. OPTIMAL TRANSFER LENGTH
     * GRANULARITY in the Block Limits page is the same physical block, in logical blocks.
     */
    public int physicalBlockExponent() {
        return Integer.numberOfTrailingZeros(Math.max(1, PHYSICAL_BLOCK_SIZE / blockSize()));
    }

    /**
     * Grows the medium to {@code newBlockCount} blocks and then establishes CAPACITY DATA HAS CHANGED
     * (SBC-4 4.6: the capacity changed) for every I_T nexus that has used this LU, so that READ CAPACITY
     * is asked again. A smaller count fails (the store refuses to shrink); the same count changes nothing
     * and raises nothing.
     */
    public java.util.concurrent.CompletableFuture<Void> grow(long newBlockCount) {
        long before = store.blockCount();
        return store.grow(newBlockCount).thenRun(() -> {
            if (store.blockCount() != before) {
                unitAttentions.raiseForAll(org.vaaitarget.core.scsi.sense.SenseReason.CAPACITY_DATA_HAS_CHANGED, null);
            }
        });
    }

    @Override
    public void close() {
        sanitizer.close();
        store.close();
    }
}
