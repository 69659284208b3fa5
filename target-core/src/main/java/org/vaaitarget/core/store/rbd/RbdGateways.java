package org.vaaitarget.core.store.rbd;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.core.lu.Gateways;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.lu.TargetPortGroups;
import org.vaaitarget.core.store.StoreException;

/**
 * The gateways serving one image, kept in the image's metadata: each gateway, when it opens the image, writes
 * {@code vaaitarget.gateway.<id>} (its host, process and time), and REPORT TARGET PORT GROUPS lists every such
 * key, so that each gateway gives the same answer. A gateway's group id and its one relative target port are
 * its id (YAML {@code gateway: {id: N}}). Entries stay when a gateway stops (it is still configured); remove a
 * retired gateway with {@code rbd image-meta remove POOL/IMAGE vaaitarget.gateway.N}.
 *
 * <p>States: on a shared image every gateway writes directly, so every group is active/optimized; with exclusive
 * ownership see {@link #stateOf}.
 *
 * <p>Events: a LOGICAL UNIT RESET through one gateway reaches the others through {@link RbdEvents}: each
 * establishes the unit attention for its own nexuses before acknowledging; so do changes of the shared reservation
 * state ({@link RbdReservations}).
 */
final class RbdGateways implements Gateways, TargetPortGroups {
    static final String PREFIX = "vaaitarget.gateway.";
    private static final Logger LOG = LoggerFactory.getLogger(RbdGateways.class);
    private static final String RESET = "reset";

    private final RbdBlockStore store;
    private final int self;
    private final RbdOwnership ownership;
    private volatile RbdEvents events;
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
        events = RbdEvents.watch(store, message -> {
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
        });
        store.closeFirst(events);
        if (ownership != null) {
            ownership.useEvents(events);
            store.closeFirst(ownership::close);
        }
        reservations.attach(lu.reservations(), lu.unitAttentions(), events);
    }

    @Override
    public TargetPortGroups portGroups() {
        return this;
    }

    @Override
    public CompletionStage<Void> announceReset() {
        RbdEvents e = events;
        return e == null ? java.util.concurrent.CompletableFuture.completedFuture(null) : e.tell(RESET + " from gateway " + self);
    }

    /** Registers gateway {@code id} in the image's metadata (idempotent) and returns the image's port groups. */
    static RbdGateways register(RbdBlockStore store, int id, RbdOwnership ownership) throws IOException {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown";
        }
        store.image().setMetadata(PREFIX + id, "host=" + host + " pid=" + ManagementFactory.getRuntimeMXBean().getPid()
                + " opened=" + Instant.now());
        RbdGateways gateways = new RbdGateways(store, id, ownership);
        gateways.lastSeen = List.of(id);
        return gateways;
    }

    private static int idOf(String key) {
        try {
            return Integer.parseInt(key.substring(PREFIX.length()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Shared images: every gateway active/optimized. Exclusive ownership: the owner's group (or, with no owner yet,
     * the lowest id's) active/optimized, the others active/non-optimized (usable: a write there takes the image
     * over), and this gateway unavailable once fenced.
     */
    private AccessState stateOf(int id, int preferred) {
        if (ownership == null) {
            return AccessState.ACTIVE_OPTIMIZED;
        }
        if (id == self && ownership.state() == RbdOwnership.State.FENCED) {
            return AccessState.UNAVAILABLE;
        }
        return id == preferred ? AccessState.ACTIVE_OPTIMIZED : AccessState.ACTIVE_NON_OPTIMIZED;
    }

    /**
     * From the cluster (the registry in the image metadata, the owner from its lock); a fenced gateway can no longer
     * read the cluster and answers from the gateways it last saw: itself unavailable, the others active/non-optimized.
     */
    @Override
    public CompletionStage<List<PortGroup>> groups() {
        return store.offload(() -> {
            if (ownership != null && ownership.state() == RbdOwnership.State.FENCED) {
                return groupsOf(lastSeen, 0);
            }
            List<Integer> ids = new ArrayList<>();
            for (String key : store.image().metadataWithPrefix(PREFIX).keySet()) {
                int id = idOf(key);
                if (id >= 1 && id <= 0xFFFF) {
                    ids.add(id);
                }
            }
            if (!ids.contains(self)) {
                throw new StoreException(StoreException.Kind.IO_READ, store.image().location() + ": gateway " + self
                        + " is missing from the image metadata (" + PREFIX + self + " removed while serving?)");
            }
            ids.sort(null);
            lastSeen = List.copyOf(ids);
            int preferred = ownership == null ? 0 : ownership.owner();
            if (ownership != null && preferred == 0) {
                preferred = ids.get(0); // no owner yet: the lowest id is the one to use, so that hosts do not spread
            }
            return groupsOf(ids, preferred);
        });
    }

    private List<PortGroup> groupsOf(List<Integer> ids, int preferred) {
        List<PortGroup> out = new ArrayList<>();
        for (int id : ids) {
            out.add(new PortGroup(id, stateOf(id, preferred), List.of(id)));
        }
        return out;
    }
}
