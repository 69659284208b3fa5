package org.vaaitarget.core.store.rbd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.core.lu.ua.UnitAttentions;
import org.vaaitarget.core.scsi.ItNexus;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.lu.pr.ReservationState;
import org.vaaitarget.core.lu.pr.ReservationSync;
import org.vaaitarget.core.store.StoreException;

/**
 * The SCSI-2 and persistent reservation state of an image, one for all its gateways, in the RADOS object
 * {@code vaaitarget_pr.<image>} ({@link ReservationState#export}'s text).
 *
 * <p>A change (RESERVE, RELEASE, PERSISTENT RESERVE OUT, the release by a reset or a lost nexus), on this LU's one
 * reservation thread: take the exclusive RADOS lock on the object (30 s at most, so that a dead gateway cannot keep
 * it), read the state and its version, load it, apply the change under the state's monitor, write it back guarded
 * by the version read ({@code rados_write_op_assert_version}: a write by anyone else in between fails it), tell the
 * other gateways ({@link RbdEvents}: they load the new state and raise the unit attentions of their nexuses before
 * acknowledging), unlock, and only then answer. So a RESERVE through one gateway is a conflict through the others as
 * soon as it is answered, and the gate check itself stays local.
 */
final class RbdReservations implements ReservationSync {
    private static final Logger LOG = LoggerFactory.getLogger(RbdReservations.class);
    static final String MESSAGE = "pr";
    private static final String LOCK = "vaaitarget_pr";
    private static final int LOCK_SECONDS = 30;
    private static final int MAX_BYTES = 1 << 20;

    private final RbdBlockStore store;
    private final int self;
    private final String oid;
    private final ExecutorService worker;
    private volatile RbdEvents events;
    private volatile ReservationState state;
    private volatile UnitAttentions local;

    RbdReservations(RbdBlockStore store, int self) {
        this.store = store;
        this.self = self;
        this.oid = "vaaitarget_pr." + store.image().location().image();
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "rbd-reservations-" + store.image().location().image());
            t.setDaemon(true);
            return t;
        });
    }

    /** Binds the LU's state and unit attentions, loads the cluster's state, and sends changes through {@code channel}. */
    void attach(ReservationState lu, UnitAttentions uas, RbdEvents channel) throws IOException {
        this.state = lu;
        this.local = uas;
        this.events = channel;
        lu.load(text(store.image().readVersioned(oid, MAX_BYTES)));
        store.closeFirst(worker::shutdown);
    }

    /**
     * After a reconnect: changes now go through {@code channel}, and the state is loaded again (while this gateway was
     * fenced it may have missed other gateways' messages).
     */
    void reattach(RbdEvents channel) throws IOException {
        this.events = channel;
        ReservationState s = state;
        if (s != null) {
            String text = text(store.image().readVersioned(oid, MAX_BYTES));
            synchronized (s) {
                s.load(text);
            }
        }
    }

    @Override
    public <T> CompletableFuture<T> change(ReservationState s, Supplier<T> change, UnitAttentions staged,
                                           UnitAttentions uas) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return changeLocked(s, change, staged, uas);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, worker).handle((result, e) -> {
            if (e == null) {
                return result;
            }
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new StoreException(StoreException.Kind.IO_WRITE, store.image().location()
                    + ": the shared reservation state could not be changed: " + cause.getMessage(), cause);
        });
    }

    private <T> T changeLocked(ReservationState s, Supplier<T> change, UnitAttentions staged, UnitAttentions uas)
            throws IOException {
        RbdImage image = store.image();
        String cookie = "gateway-" + self + "-client-" + image.instanceId();
        long deadline = System.nanoTime() + LOCK_SECONDS * 1_000_000_000L;
        long pause = 1;
        while (!image.tryLock(oid, LOCK, cookie, LOCK_SECONDS)) {
            if (System.nanoTime() > deadline) {
                throw new IOException("another gateway has held the reservation lock on " + oid + " for " + LOCK_SECONDS + " s");
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the reservation lock", e);
            }
            pause = Math.min(20, pause * 2);
        }
        try {
            RbdImage.Versioned current = image.readVersioned(oid, MAX_BYTES);
            T result;
            String before;
            String after;
            StringBuilder forwarded = new StringBuilder();
            synchronized (s) {
                s.load(text(current));
                before = s.export();
                result = change.get();
                after = s.export();
                staged.moveTo(uas, n -> n.relativeTargetPort() == self);
                for (Map.Entry<ItNexus, List<SenseReason>> e : staged.pending().entrySet()) {
                    for (SenseReason r : e.getValue()) {
                        forwarded.append("ua ").append(r.name()).append(' ')
                                .append(ReservationState.nexusText(e.getKey())).append('\n');
                    }
                }
                staged.moveTo(new UnitAttentions(), n -> true);
            }
            if (!after.equals(before)) {
                if (!image.writeIfVersion(oid, after.getBytes(StandardCharsets.UTF_8), current.version())) {
                    s.load(text(image.readVersioned(oid, MAX_BYTES))); // someone wrote without the lock: back to theirs
                    throw new IOException("the state changed while this gateway held the lock (lock expired?)");
                }
            }
            if (!after.equals(before) || forwarded.length() > 0) {
                events.tell(MESSAGE + "\n" + forwarded).join();
            }
            return result;
        } finally {
            image.unlock(oid, LOCK, cookie);
        }
    }

    /** Another gateway changed the state: load it and raise the unit attentions it sent for our nexuses. */
    void received(String message) {
        ReservationState s = state;
        if (s == null) {
            return;
        }
        try {
            String text = text(store.image().readVersioned(oid, MAX_BYTES));
            synchronized (s) {
                s.load(text);
                for (String line : message.split("\n")) {
                    if (line.startsWith("ua ")) {
                        String[] f = line.split(" ", 3);
                        ItNexus n = ReservationState.parseNexus(f[2]);
                        if (n != null && n.relativeTargetPort() == self) {
                            local.raise(n, SenseReason.valueOf(f[1]));
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: loading the reservation state another gateway changed failed", store.image().location(), e);
        }
    }

    private static String text(RbdImage.Versioned v) {
        return new String(v.content(), StandardCharsets.UTF_8);
    }
}
