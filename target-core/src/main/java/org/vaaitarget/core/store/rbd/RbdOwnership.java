package org.vaaitarget.core.store.rbd;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.core.store.StoreException;

/**
 * Exclusive ownership of an image by one gateway at a time (YAML {@code rbd.ownership: exclusive}), so that a
 * gateway frozen with writes in flight can never complete them after the host has failed over and written newer
 * data through another gateway.
 *
 * <p>The owner holds the exclusive RADOS lock {@value #LOCK} on {@code vaaitarget_owner.<image>} (no expiry).
 * The first medium access through a gateway that does not own the image takes it over: it reads the holder's
 * address from the lock, blocklists that address ({@code rados_blocklist_add}: the OSDs refuse the old owner's
 * operations from the osdmap epoch that carries it, whatever it had queued), breaks the lock, waits for the
 * latest osdmap (so that its own operations carry that epoch), takes the lock, and only then does the access.
 * ALUA says which path to use: the owner's target port group is active/optimized, the others active/non-optimized
 * (a host that honours ALUA, like ESXi's VMW_SATP_ALUA, uses them only when the owner's paths fail: that is the
 * implicit transition). A fenced gateway answers every medium access with NOT READY, TARGET PORT IN UNAVAILABLE
 * STATE, which makes the host retry through another path, until it has reconnected ({@link #reconnected}, driven by
 * {@code RbdGateways}: first every connection that could still hold commands sent before the fence is ended and
 * their commands finished, then a new cluster client replaces the blocklisted one); then it serves again as a
 * non-owner.
 *
 * <p>This is the scheme of ceph-iscsi (exclusive lock + blocklisting the previous owner), on a lock of our own
 * because the images have the layering feature only.
 */
final class RbdOwnership {
    private static final Logger LOG = LoggerFactory.getLogger(RbdOwnership.class);
    static final String LOCK = "vaaitarget_owner";
    static final String MESSAGE = "owner";
    private static final int ATTEMPTS = 10;

    enum State { NOT_OWNER, OWNER, FENCED }

    private final RbdBlockStore store;
    private final int self;
    private final String oid;
    private final ExecutorService worker;
    private volatile State state = State.NOT_OWNER;
    private CompletableFuture<Void> acquiring;
    private volatile RbdEvents events;
    /** Told (once per fence) when this gateway has been fenced; null: stay fenced. */
    private volatile Runnable onFenced;

    RbdOwnership(RbdBlockStore store, int self) {
        this.store = store;
        this.self = self;
        RbdImage image = store.image();
        this.oid = "vaaitarget_owner." + image.location().image();
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "rbd-ownership-" + image.location().image());
            t.setDaemon(true);
            return t;
        });
    }

    static String cookieOf(int gateway, long instance) {
        return "gateway-" + gateway + "-client-" + instance;
    }

    /** The gateway id in a cookie written by {@link #cookieOf}, or 0. */
    static int gatewayOf(String cookie) {
        String[] f = cookie == null ? new String[0] : cookie.split("-");
        try {
            return f.length >= 2 && "gateway".equals(f[0]) ? Integer.parseInt(f[1]) : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    void useEvents(RbdEvents channel) {
        this.events = channel;
    }

    /** What to do when this gateway learns it has been fenced (runs on the thread that learnt it: must not block). */
    void onFenced(Runnable action) {
        this.onFenced = action;
    }

    /** The one thread that takes the image over and reconnects (so that the two never overlap). */
    ExecutorService worker() {
        return worker;
    }

    /** The lock cookie of this gateway's current cluster client. */
    private String cookie() {
        return cookieOf(self, store.image().instanceId());
    }

    State state() {
        return state;
    }

    /** The gateway that owns the image now (from the lock in the cluster), 0 when none. */
    int owner() throws IOException {
        RbdImage.Locker holder = store.image().lockHolder(oid, LOCK);
        return holder == null ? 0 : gatewayOf(holder.cookie());
    }

    /** Completes when this gateway owns the image (taking it over if needed); fails when it was fenced. */
    synchronized CompletableFuture<Void> acquire() {
        if (state == State.OWNER) {
            return CompletableFuture.completedFuture(null);
        }
        if (state == State.FENCED) {
            return CompletableFuture.failedFuture(fencedError());
        }
        if (acquiring == null) {
            CompletableFuture<Void> f = CompletableFuture.runAsync(this::takeOver, worker);
            acquiring = f;
            f.whenComplete((v, e) -> {
                synchronized (this) {
                    acquiring = null;
                }
            });
        }
        return acquiring;
    }

    private void takeOver() {
        RbdImage image = store.image();
        String cookie = cookieOf(self, image.instanceId());
        try {
            for (int attempt = 1; ; attempt++) {
                if (image.tryLock(oid, LOCK, cookie, 0)) {
                    break;
                }
                RbdImage.Locker holder = image.lockHolder(oid, LOCK);
                if (holder == null) {
                    continue; // released meanwhile
                }
                if (attempt > ATTEMPTS) {
                    throw new IOException("could not take the image over from " + holder.client() + " in " + ATTEMPTS
                            + " attempts");
                }
                LOG.warn("{}: gateway {} takes the image over from gateway {} ({} at {}): blocklisting it",
                        image.location(), self, gatewayOf(holder.cookie()), holder.client(), holder.address());
                image.fenceAndBreak(oid, LOCK, holder);
            }
            synchronized (this) {
                if (state == State.FENCED) { // fenced (or reconnected) meanwhile: this lock belongs to a dead client
                    throw new IOException("fenced while taking the image over");
                }
                state = State.OWNER;
            }
            LOG.info("{}: gateway {} owns the image", image.location(), self);
            RbdEvents e = events;
            if (e != null) {
                e.tell(MESSAGE + " " + self); // the others update their view (and a fenced owner learns it)
            }
        } catch (IOException e) {
            throw new StoreException(StoreException.Kind.UNAVAILABLE, image.location() + ": gateway " + self
                    + " could not take the image over: " + e.getMessage(), e);
        }
    }

    /** Another gateway took the image over: if this one owned it, it has been fenced. */
    void ownerChanged(int gateway) {
        if (gateway != self && state == State.OWNER) {
            fenced("gateway " + gateway + " took the image over");
        }
    }

    /** librbd reported this client blocklisted, or another gateway said it took over. */
    void fenced(String why) {
        Runnable action;
        synchronized (this) {
            if (state == State.FENCED) {
                return;
            }
            state = State.FENCED;
            action = onFenced;
        }
        LOG.error("{}: gateway {} has been fenced off the image ({}): it answers every medium access with NOT READY,"
                + " TARGET PORT IN UNAVAILABLE STATE {}", store.image().location(), self, why,
                action == null ? "until it is restarted" : "until it has ended its connections and reconnected");
        if (action != null) {
            action.run();
        }
    }

    /** The gateway reconnected with a new cluster client (not blocklisted): it serves again, as a non-owner. */
    synchronized void reconnected() {
        state = State.NOT_OWNER;
    }

    StoreException fencedError() {
        return new StoreException(StoreException.Kind.UNAVAILABLE, store.image().location() + ": gateway " + self
                + " has been fenced off the image (another gateway owns it)" + (onFenced == null
                ? "; restart it to serve again" : "; it serves again once it has reconnected"));
    }

    /** Releases the lock on an orderly shutdown, so that the next owner need not fence this one. */
    void close() {
        worker.shutdown();
        if (state == State.OWNER) {
            store.image().unlock(oid, LOCK, cookie());
        }
    }
}
