package org.vaaitarget.core.store.rbd;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.core.lu.FenceListener;
import org.vaaitarget.core.lu.Gateways;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.lu.TargetPortGroups;
import org.vaaitarget.core.store.StoreException;

/**
 * The gateways serving one image, kept in the image's metadata: each gateway, when it opens the image (and when it
 * reconnects after a fence), writes {@code vaaitarget.gateway.<id>} (its host, process, RADOS client id and time), and
 * REPORT TARGET PORT GROUPS lists every such key, so that each gateway gives the same answer. A gateway's group id and
 * its one relative target port are its id (YAML {@code gateway: {id: N}}). Entries stay when a gateway stops (it is
 * still configured); remove a retired gateway with {@code rbd image-meta remove POOL/IMAGE vaaitarget.gateway.N}.
 *
 * <p>Liveness: a gateway is alive while its RADOS client watches the image header ({@code rbd_watchers_list}: librbd
 * watches it from open to close). The OSDs drop the watch at once when the gateway closes the image or is blocklisted,
 * and {@code osd_client_watch_timeout} (30 s by default) after a killed, frozen or cut-off gateway last pinged it. A
 * gateway that is not alive is reported UNAVAILABLE (SPC-5 5.16.2.6 and 6.37: the host sends it no I/O; UNAVAILABLE
 * rather than OFFLINE, which SPC-4 added later, because every host's ALUA support knows it) until it is back. Every
 * gateway reads the same registry and watcher list, so they give the same answer (within that delay).
 *
 * <p>States: on a shared image every live gateway writes directly, so every live group is active/optimized; with
 * exclusive ownership see {@link #stateOf}.
 *
 * <p>Fencing: with exclusive ownership, a gateway fenced off the image (another took it over and blocklisted it) ends
 * every connection that can reach the LU through the {@link FenceListener} the server installed, waits until their
 * commands have finished, then reconnects with a new RADOS client and serves the image again as a non-owner (see
 * {@link #reconnect}).
 *
 * <p>Events: a LOGICAL UNIT RESET through one gateway reaches the others through {@link RbdEvents}: each
 * establishes the unit attention for its own nexuses before acknowledging; so do changes of the shared reservation
 * state ({@link RbdReservations}).
 */
final class RbdGateways implements Gateways, TargetPortGroups {
    static final String PREFIX = "vaaitarget.gateway.";
    private static final Logger LOG = LoggerFactory.getLogger(RbdGateways.class);
    private static final String RESET = "reset";
    private static final Pattern CLIENT = Pattern.compile("(?:^|\\s)client=(\\d+)(?:\\s|$)");
    /** Between attempts to reconnect when the cluster cannot be reached. */
    private static final long RETRY_SECONDS = 5;

    private final RbdBlockStore store;
    private final int self;
    private final RbdOwnership ownership;
    private volatile RbdEvents events;
    private volatile LogicalUnit lu;
    private volatile RbdReservations reservations;
    private volatile FenceListener fenceListener;
    /** The gateway ids the last successful listing found (what a fenced gateway still reports). */
    private volatile List<Integer> lastSeen;

    private RbdGateways(RbdBlockStore store, int self, RbdOwnership ownership) {
        this.store = store;
        this.self = self;
        this.ownership = ownership;
    }

    /**
     * Starts receiving the other gateways' events for {@code lu} (the LU this object was built for): resets, and
     * changes of the shared reservation state.
     */
    void attach(LogicalUnit lu, RbdReservations reservations) throws IOException {
        this.lu = lu;
        this.reservations = reservations;
        events = RbdEvents.watch(store, store.image(), this::received);
        store.closeFirst(() -> {
            RbdEvents e;
            synchronized (this) { // not while a reconnect switches to its new watch
                e = events;
            }
            if (e != null) {
                e.close();
            }
        });
        if (ownership != null) {
            ownership.useEvents(events);
            store.closeFirst(ownership::close);
        }
        reservations.attach(lu.reservations(), lu.unitAttentions(), events);
    }

    /** Another gateway's message, on the store's completion thread. */
    private void received(String message) {
        if (message.startsWith(RESET)) {
            // the resetting gateway releases the SCSI-2 reservation in the shared state itself
            LOG.info("{}: LOGICAL UNIT RESET through another gateway ({})", store.image().location(), message);
            lu.unitAttentions().raiseForAll(SenseReason.BUS_DEVICE_RESET_FUNCTION_OCCURRED, null);
            lu.medium().reset();
        } else if (message.startsWith(RbdReservations.MESSAGE)) {
            reservations.received(message);
        } else if (message.startsWith(RbdOwnership.MESSAGE + " ") && ownership != null) {
            ownership.ownerChanged(Integer.parseInt(message.substring(RbdOwnership.MESSAGE.length() + 1).trim()));
        }
    }

    @Override
    public TargetPortGroups portGroups() {
        return this;
    }

    @Override
    public CompletionStage<Void> announceReset() {
        RbdEvents e = events;
        return e == null ? CompletableFuture.completedFuture(null) : e.tell(RESET + " from gateway " + self);
    }

    /** Shared images are never fenced, so only exclusive ownership needs the listener. */
    @Override
    public void onFenced(FenceListener listener) {
        this.fenceListener = listener;
        if (ownership != null) {
            ownership.onFenced(this::fenced);
        }
    }

    /**
     * This gateway has been fenced (it answers every medium access with NOT READY, TARGET PORT IN UNAVAILABLE STATE from
     * now on). Commands the host sent before the fence may still be in this gateway's sockets or pipeline: they must
     * never reach the image through a new client. So first every connection that can reach the LU is ended and their
     * commands allowed to finish (failing), then the gateway reconnects.
     */
    private void fenced() {
        FenceListener listener = fenceListener;
        LogicalUnit unit = lu;
        if (listener == null || unit == null) {
            return;
        }
        try {
            ownership.worker().execute(() -> {
                LOG.warn("{}: gateway {} was fenced: ending every connection to LUN {} before it reconnects",
                        store.image().location(), self, unit.number());
                CompletionStage<Void> gone;
                try {
                    gone = listener.fenced(unit);
                } catch (RuntimeException e) {
                    LOG.error("{}: ending the connections failed; gateway {} stays fenced until it is restarted",
                            store.image().location(), self, e);
                    return;
                }
                CompletableFuture<Void> done = gone.toCompletableFuture();
                CompletableFuture.delayedExecutor(30, TimeUnit.SECONDS).execute(() -> {
                    if (!done.isDone()) {
                        LOG.warn("{}: gateway {} still waits for the commands of its ended connections to finish; it"
                                + " reconnects once they have", store.image().location(), self);
                    }
                });
                done.whenComplete((v, e) -> {
                    if (e != null) {
                        LOG.error("{}: ending the connections failed; gateway {} stays fenced until it is restarted",
                                store.image().location(), self, e);
                    } else {
                        reconnectOnWorker(0);
                    }
                });
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the store is closing: nothing to reconnect
        }
    }

    private void reconnectOnWorker(long delaySeconds) {
        try {
            CompletableFuture.runAsync(this::reconnect, delaySeconds == 0 ? ownership.worker()
                    : CompletableFuture.delayedExecutor(delaySeconds, TimeUnit.SECONDS, ownership.worker()));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the store is closing
        }
    }

    /**
     * On the ownership thread, once every connection that could hold commands from before the fence is gone: opens the
     * image with a new RADOS client (a new address, which the blocklist does not cover), watches the events object,
     * registers the new client id, switches the store over, reloads the reservation state, and serves again as a
     * non-owner (active/non-optimized; the next write takes the image over as usual). The old client is closed after.
     */
    private void reconnect() {
        if (store.isClosed()) {
            return;
        }
        RbdImage current = store.image();
        RbdImage fresh = null;
        RbdEvents freshEvents = null;
        try {
            fresh = RbdImage.open(current.location(), 0);
            freshEvents = RbdEvents.watch(store, fresh, this::received);
            fresh.setMetadata(PREFIX + self, entry(fresh));
        } catch (IOException | RuntimeException e) {
            LOG.error("{}: gateway {} could not reconnect ({}); trying again in {} s", current.location(), self,
                    e.getMessage(), RETRY_SECONDS);
            if (freshEvents != null) {
                freshEvents.close();
            }
            if (fresh != null) {
                fresh.close();
            }
            reconnectOnWorker(RETRY_SECONDS);
            return;
        }
        RbdImage old;
        RbdEvents oldEvents;
        synchronized (this) {
            old = store.reconnected(fresh);
            if (old != null) {
                oldEvents = events;
                events = freshEvents;
            } else {
                oldEvents = null;
            }
        }
        if (old == null) { // the store is closing
            freshEvents.close();
            fresh.close();
            return;
        }
        ownership.useEvents(freshEvents);
        try {
            reservations.reattach(freshEvents);
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: reloading the reservation state after the reconnect failed", current.location(), e);
        }
        ownership.reconnected();
        LOG.warn("{}: gateway {} reconnected as client.{} (client.{} stays blocklisted): serving the image again,"
                + " active/non-optimized until its next write takes it over", current.location(), self,
                fresh.instanceId(), old.instanceId());
        Thread closer = new Thread(() -> {
            if (oldEvents != null) {
                oldEvents.close();
            }
            old.close();
        }, "rbd-close-fenced-" + current.location().image());
        closer.setDaemon(true);
        closer.start();
    }

    /** Registers gateway {@code id} in the image's metadata (idempotent) and returns the image's port groups. */
    static RbdGateways register(RbdBlockStore store, int id, RbdOwnership ownership) throws IOException {
        store.image().setMetadata(PREFIX + id, entry(store.image()));
        RbdGateways gateways = new RbdGateways(store, id, ownership);
        gateways.lastSeen = List.of(id);
        return gateways;
    }

    /** A registry entry: where this gateway runs, and the RADOS client whose watch shows it alive. */
    private static String entry(RbdImage image) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown";
        }
        return "host=" + host + " pid=" + ManagementFactory.getRuntimeMXBean().getPid() + " client="
                + image.instanceId() + " opened=" + Instant.now();
    }

    /** The RADOS client id in a registry entry, or -1 (an entry written before entries had one). */
    static long clientOf(String entry) {
        Matcher m = CLIENT.matcher(entry == null ? "" : entry);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static int idOf(String key) {
        try {
            return Integer.parseInt(key.substring(PREFIX.length()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * A gateway that is not alive: UNAVAILABLE. Shared images: every live gateway active/optimized. Exclusive
     * ownership: the {@code preferred} group (the owner's, or when the owner is not alive or there is none, the lowest
     * live id's) active/optimized, the other live ones active/non-optimized (usable: a write there takes the image
     * over), and this gateway unavailable while fenced.
     */
    private AccessState stateOf(int id, boolean alive, int preferred) {
        if (!alive || id == self && ownership != null && ownership.state() == RbdOwnership.State.FENCED) {
            return AccessState.UNAVAILABLE;
        }
        if (ownership == null) {
            return AccessState.ACTIVE_OPTIMIZED;
        }
        return id == preferred ? AccessState.ACTIVE_OPTIMIZED : AccessState.ACTIVE_NON_OPTIMIZED;
    }

    /**
     * From the cluster (the registry in the image metadata, the watchers of the image header, the owner from its
     * lock); a fenced gateway can no longer read the cluster and answers from the gateways it last saw: itself
     * unavailable, the others active/non-optimized.
     */
    @Override
    public CompletionStage<List<PortGroup>> groups() {
        return store.offload(() -> {
            if (ownership != null && ownership.state() == RbdOwnership.State.FENCED) {
                List<PortGroup> out = new ArrayList<>();
                for (int id : lastSeen) {
                    out.add(new PortGroup(id, stateOf(id, true, 0), List.of(id)));
                }
                return out;
            }
            RbdImage image = store.image();
            Map<String, String> entries = image.metadataWithPrefix(PREFIX);
            Set<Long> watching = image.watchers();
            List<Integer> ids = new ArrayList<>();
            Set<Integer> alive = new java.util.HashSet<>();
            for (Map.Entry<String, String> e : entries.entrySet()) {
                int id = idOf(e.getKey());
                if (id >= 1 && id <= 0xFFFF) {
                    ids.add(id);
                    long client = clientOf(e.getValue());
                    if (id == self || client < 0 || watching.contains(client)) { // no client id: an older gateway
                        alive.add(id);
                    }
                }
            }
            if (!ids.contains(self)) {
                throw new StoreException(StoreException.Kind.IO_READ, image.location() + ": gateway " + self
                        + " is missing from the image metadata (" + PREFIX + self + " removed while serving?)");
            }
            ids.sort(null);
            lastSeen = List.copyOf(ids);
            int preferred = 0;
            if (ownership != null) {
                int owner = ownership.owner();
                preferred = alive.contains(owner) ? owner
                        : ids.stream().filter(alive::contains).findFirst().orElse(self);
                // no live owner: the lowest live id is the one to use, so that hosts do not spread
            }
            List<PortGroup> out = new ArrayList<>();
            for (int id : ids) {
                out.add(new PortGroup(id, stateOf(id, alive.contains(id), preferred), List.of(id)));
            }
            return out;
        });
    }
}
