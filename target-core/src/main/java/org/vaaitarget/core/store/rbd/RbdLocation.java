package org.vaaitarget.core.store.rbd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.config.LunBackend;
import org.vaaitarget.core.lu.LunIdentity;
import org.vaaitarget.core.lu.LunIdentityStore;
import org.vaaitarget.core.lu.LunLimits;
import org.vaaitarget.core.lu.lock.StripedRangeLockManager;
import org.vaaitarget.core.lu.pr.ReservationState;

/**
 * A LUN on a Ceph RBD image (YAML {@code rbd: {pool, image, conf, user}}): the image is opened (created with the
 * layering feature only when missing and the LUN has a size), its identity kept with the image, so that every
 * gateway serving it reports the same device.
 *
 * <p>Identity: the first gateway to open the image creates the RADOS object {@link #identityObject} exclusively
 * ({@code rados_write_op_create(LIBRADOS_CREATE_EXCLUSIVE)}: of two racing gateways exactly one succeeds, the
 * other gets EEXIST and reads the winner's), and copies it to the image metadata key {@value #METADATA_KEY}
 * (visible with {@code rbd image-meta get}). Later opens read the metadata.
 *
 * <p>Limits: 512-byte blocks and MAXIMUM COMPARE AND WRITE LENGTH 1 (librbd compares within one sector).
 *
 * @param pool  the RADOS pool
 * @param image the image name
 * @param conf  the ceph.conf path (null: librados' default search)
 * @param user  the cephx user without {@code client.} (null: admin)
 * @param gateway this server's gateway id (YAML {@code gateway: {id: N}}): its target port group and relative port
 * @param exclusive one gateway at a time writes the image, taking it over (and fencing the previous owner) on its
 *                  first write (YAML {@code ownership: exclusive}, the default there; see {@code RbdOwnership});
 *                  false: every gateway writes (YAML {@code ownership: shared})
 */
public record RbdLocation(String pool, String image, String conf, String user, int gateway, boolean exclusive)
        implements LunBackend {
    private static final Logger LOG = LoggerFactory.getLogger(RbdLocation.class);
    /** The image metadata key holding the LUN identity (properties text, as in a file LUN's .id file). */
    public static final String METADATA_KEY = "vaaitarget.identity";

    public RbdLocation {
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(image, "image");
        if (gateway < 1 || gateway > 0xFFFF) {
            throw new IllegalArgumentException("gateway id must be 1 to 65535, not " + gateway);
        }
    }

    /** Served by gateway 1, shared (every gateway writes). */
    public RbdLocation(String pool, String image, String conf, String user) {
        this(pool, image, conf, user, 1, false);
    }

    /** The same image served by gateway {@code id}. */
    public RbdLocation onGateway(int id) {
        return new RbdLocation(pool, image, conf, user, id, exclusive);
    }

    /** The same image with exclusive ownership (true) or shared by every gateway (false). */
    public RbdLocation withExclusive(boolean value) {
        return new RbdLocation(pool, image, conf, user, gateway, value);
    }

    /** The RADOS object (in the image's pool) whose exclusive creation decides the image's identity. */
    public String identityObject() {
        return "vaaitarget_identity." + image;
    }

    String clientName() {
        String u = user == null ? "admin" : user;
        return u.startsWith("client.") ? u : "client." + u;
    }

    @Override
    public LogicalUnit open(int number, LunConfig config) throws IOException {
        if (config.blockSize() != RbdBlockStore.BLOCK_SIZE) {
            throw new IllegalArgumentException("an RBD LUN has 512-byte blocks (librbd compares within 512-byte sectors),"
                    + " not " + config.blockSize());
        }
        RbdImage rbd = RbdImage.open(this, config.sizeBytes());
        RbdBlockStore store = RbdBlockStore.on(rbd);
        try {
            LunIdentity identity = identity(rbd, config.productId());
            LunLimits d = LunLimits.defaults(RbdBlockStore.BLOCK_SIZE);
            LunLimits limits = new LunLimits(d.maxTransferBlocks(), d.optimalTransferBlocks(), 1, d.maxWriteSameBlocks(),
                    d.maxUnmapLbaCount(), d.maxUnmapDescriptors(), d.unmapGranularityBlocks());
            RbdOwnership ownership = exclusive ? new RbdOwnership(store, gateway) : null;
            if (ownership != null) {
                store.requireOwnership(ownership);
            }
            RbdGateways gateways = RbdGateways.register(store, gateway, ownership);
            RbdReservations reservations = new RbdReservations(store, gateway);
            LogicalUnit lu = new LogicalUnit(number, store, limits, identity, new StripedRangeLockManager(),
                    new ReservationState(reservations), config.softThresholdPercent(), config.removable(), gateways);
            gateways.attach(lu, reservations);
            return lu;
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    private LunIdentity identity(RbdImage rbd, String productId) throws IOException {
        String where = this + " metadata " + METADATA_KEY;
        String text = rbd.metadata(METADATA_KEY);
        if (text == null) {
            String mine = LunIdentityStore.newIdentityText("RBD image " + pool + "/" + image);
            boolean created = rbd.createExclusive(identityObject(), mine.getBytes(StandardCharsets.ISO_8859_1));
            byte[] winner = rbd.readObject(identityObject(), 4096);
            if (winner == null) {
                throw new IOException(this + ": the identity object " + identityObject() + " vanished while being read");
            }
            text = new String(winner, StandardCharsets.ISO_8859_1);
            LunIdentityStore.parse(text, productId, this + " object " + identityObject()); // check before copying
            rbd.setMetadata(METADATA_KEY, text);
            if (created) {
                LOG.info("{}: created the LUN identity (object {}, metadata {})", this, identityObject(), METADATA_KEY);
            }
        }
        return LunIdentityStore.parse(text, productId, where);
    }

    @Override
    public String describe(LunConfig config) {
        return toString();
    }

    @Override
    public Object identityKey(LunConfig config) {
        return toString() + "@" + (conf == null ? "" : conf);
    }

    @Override
    public String toString() {
        return "rbd:" + pool + "/" + image;
    }
}
