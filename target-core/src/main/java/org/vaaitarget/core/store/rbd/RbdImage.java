package org.vaaitarget.core.store.rbd;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open RBD image and the cluster connection it was opened through: {@code rados_create2},
 * {@code rados_conf_read_file}, {@code rados_connect}, {@code rados_ioctx_create}, {@code rbd_open}.
 * Each image gets its own connection, so that closing one LUN never disturbs another.
 *
 * <p>Every client sets {@code rbd_cache=false} (several gateways write the image: a client-side cache would
 * serve one gateway stale data written through another) and {@code rbd_skip_partial_discard=false} (a discard
 * then zeroes the parts of objects it cannot free, so that unmapped blocks always read back as zeros).
 */
final class RbdImage implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RbdImage.class);

    private final RbdLocation location;
    private final long cluster;
    private final long ioctx;
    private final long image;
    private final long sizeBytes;
    private final long instanceId;
    /**
     * A second I/O context for {@link #readVersioned} and {@link #writeIfVersion} only: {@code rados_get_last_version}
     * reports the last operation of the context, and other threads' calls (notify, acknowledgements) on the main one
     * would change it between a read and the version query.
     */
    private final long versionedIoctx;
    /**
     * Native calls on this image in progress, plus {@link #CLOSING} once {@link #close} began: a gateway fenced off the
     * image reconnects with a new image while other threads may still be about to call into this one, and a call on a
     * closed handle would crash the JVM. {@link #enter} refuses once closing; close waits for the calls that entered.
     */
    private final AtomicInteger users = new AtomicInteger();
    private static final int CLOSING = 1 << 30;
    private final java.util.concurrent.atomic.AtomicBoolean closeStarted = new java.util.concurrent.atomic.AtomicBoolean();

    private RbdImage(RbdLocation location, long cluster, long ioctx, long versionedIoctx, long image, long sizeBytes,
                     long instanceId) {
        this.versionedIoctx = versionedIoctx;
        this.location = location;
        this.cluster = cluster;
        this.ioctx = ioctx;
        this.image = image;
        this.sizeBytes = sizeBytes;
        this.instanceId = instanceId;
    }

    /**
     * Connects and opens the image, creating it (layering only) when missing and {@code createBytes} is positive.
     *
     * @throws IOException naming the image and the failing step, with the errno's name
     */
    static RbdImage open(RbdLocation location, long createBytes) throws IOException {
        Throwable unavailable = RbdNative.loadFailure();
        if (unavailable != null) {
            throw new IOException("librbd is not available (install the librbd1 package): " + unavailable.getMessage());
        }
        Memory out = new Memory(8);
        out.setLong(0, 0);
        check(location, "rados_create2", RbdNative.rados_create2(Pointer.nativeValue(out), "ceph", location.clientName(), 0));
        long cluster = out.getLong(0);
        long ioctx = 0;
        long versioned = 0;
        try {
            if (location.conf() != null) {
                check(location, "reading " + location.conf(), RbdNative.rados_conf_read_file(cluster, location.conf()));
            } else {
                check(location, "reading the default ceph.conf", RbdNative.rados_conf_read_file(cluster, null));
            }
            check(location, "rbd_cache=false", RbdNative.rados_conf_set(cluster, "rbd_cache", "false"));
            check(location, "rbd_skip_partial_discard=false",
                    RbdNative.rados_conf_set(cluster, "rbd_skip_partial_discard", "false"));
            check(location, "rados_conf_set", RbdNative.rados_conf_set(cluster, "client_mount_timeout", "30"));
            check(location, "connecting to the cluster", RbdNative.rados_connect(cluster));
            out.setLong(0, 0);
            check(location, "opening pool '" + location.pool() + "'",
                    RbdNative.rados_ioctx_create(cluster, location.pool(), Pointer.nativeValue(out)));
            ioctx = out.getLong(0);
            out.setLong(0, 0);
            check(location, "opening pool '" + location.pool() + "'",
                    RbdNative.rados_ioctx_create(cluster, location.pool(), Pointer.nativeValue(out)));
            versioned = out.getLong(0);
            out.setLong(0, 0);
            int rc = RbdNative.rbd_open(ioctx, location.image(), Pointer.nativeValue(out), null);
            if (rc == -Errno.ENOENT && createBytes > 0) {
                Memory order = new Memory(4);
                order.setInt(0, 0); // default object size (4 MiB)
                int created = RbdNative.rbd_create2(ioctx, location.image(), createBytes, RbdNative.RBD_FEATURE_LAYERING,
                        Pointer.nativeValue(order));
                if (created != -Errno.EEXIST) { // another gateway may create it at the same moment
                    check(location, "creating the image", created);
                    LOG.info("{}: created the image ({} bytes, layering only)", location, createBytes);
                }
                rc = RbdNative.rbd_open(ioctx, location.image(), Pointer.nativeValue(out), null);
                // EEXIST: another gateway is creating it right now, and its header may not be there yet
                for (int attempt = 0; created == -Errno.EEXIST && rc == -Errno.ENOENT && attempt < 50; attempt++) {
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                    rc = RbdNative.rbd_open(ioctx, location.image(), Pointer.nativeValue(out), null);
                }
            }
            if (rc == -Errno.ENOENT) {
                throw new IOException(location + ": the image does not exist; give a size to create it");
            }
            check(location, "opening the image", rc);
            long image = out.getLong(0);
            out.setLong(0, 0);
            int sized = RbdNative.rbd_get_size(image, Pointer.nativeValue(out));
            if (sized < 0) {
                RbdNative.rbd_close(image);
                check(location, "rbd_get_size", sized);
            }
            return new RbdImage(location, cluster, ioctx, versioned, image, out.getLong(0),
                    RbdNative.rados_get_instance_id(cluster));
        } catch (IOException | RuntimeException e) {
            if (versioned != 0) {
                RbdNative.rados_ioctx_destroy(versioned);
            }
            if (ioctx != 0) {
                RbdNative.rados_ioctx_destroy(ioctx);
            }
            RbdNative.rados_shutdown(cluster);
            throw e;
        }
    }

    static void check(RbdLocation location, String step, int rc) throws IOException {
        if (rc < 0) {
            throw new IOException(location + ": " + step + " failed: " + Errno.describe(-rc));
        }
    }

    /** Whether a native call on this image may start (false once {@link #close} began); pair with {@link #exit}. */
    boolean enter() {
        if (users.incrementAndGet() >= CLOSING) {
            exit();
            return false;
        }
        return true;
    }

    void exit() {
        if (users.decrementAndGet() == CLOSING) {
            synchronized (users) {
                users.notifyAll();
            }
        }
    }

    /** A synchronous call on the image, or an IOException once the image is closing. */
    private <T> T guarded(String step, IoCall<T> call) throws IOException {
        if (!enter()) {
            throw new IOException(location + ": " + step + ": this cluster connection has been closed (reconnected?)");
        }
        try {
            return call.run();
        } finally {
            exit();
        }
    }

    private interface IoCall<T> {
        T run() throws IOException;
    }

    RbdLocation location() {
        return location;
    }

    long handle() {
        return image;
    }

    long ioctx() {
        return ioctx;
    }

    long cluster() {
        return cluster;
    }

    long sizeBytes() {
        return sizeBytes;
    }

    /** This client's RADOS instance id (the {@code client.N} the cluster knows it by). */
    long instanceId() {
        return instanceId;
    }

    /** The image metadata value of {@code key}, or null when there is none. */
    String metadata(String key) throws IOException {
        return guarded("reading metadata", () -> {
            byte[] value = new byte[4096];
            Memory length = new Memory(8);
            length.setLong(0, value.length);
            int rc = RbdNative.rbd_metadata_get(image, key, value, Pointer.nativeValue(length));
            if (rc == -Errno.ENOENT) {
                return null;
            }
            check(location, "reading metadata '" + key + "'", rc);
            int n = (int) length.getLong(0);
            while (n > 0 && value[n - 1] == 0) {
                n--;
            }
            return new String(value, 0, n, StandardCharsets.UTF_8);
        });
    }

    /** Every image metadata entry whose key starts with {@code prefix}, in key order. */
    java.util.SortedMap<String, String> metadataWithPrefix(String prefix) throws IOException {
        return guarded("listing metadata", () -> {
            byte[] keys = new byte[65536];
            byte[] values = new byte[65536];
            Memory lengths = new Memory(16);
            lengths.setLong(0, keys.length);
            lengths.setLong(8, values.length);
            check(location, "listing metadata", RbdNative.rbd_metadata_list(image, "", 0, keys, Pointer.nativeValue(lengths),
                    values, Pointer.nativeValue(lengths) + 8));
            java.util.SortedMap<String, String> out = new java.util.TreeMap<>();
            int k = 0;
            int v = 0;
            int keyEnd = (int) lengths.getLong(0);
            int valueEnd = (int) lengths.getLong(8);
            while (k < keyEnd && v < valueEnd) {
                int kz = k;
                while (kz < keyEnd && keys[kz] != 0) {
                    kz++;
                }
                int vz = v;
                while (vz < valueEnd && values[vz] != 0) {
                    vz++;
                }
                String key = new String(keys, k, kz - k, StandardCharsets.UTF_8);
                if (key.isEmpty()) {
                    break;
                }
                if (key.startsWith(prefix)) {
                    out.put(key, new String(values, v, vz - v, StandardCharsets.UTF_8));
                }
                k = kz + 1;
                v = vz + 1;
            }
            return out;
        });
    }

    void setMetadata(String key, String value) throws IOException {
        guarded("writing metadata", () -> {
            check(location, "writing metadata '" + key + "'", RbdNative.rbd_metadata_set(image, key, value));
            return null;
        });
    }

    /**
     * The RADOS instance ids ({@code client.N}) watching the image's header: every client that has the image open
     * (librbd watches the header from {@code rbd_open} to {@code rbd_close}). The OSDs drop a watch when its client
     * closes the image, is blocklisted, or has not pinged it for {@code osd_client_watch_timeout} (30 s by default:
     * a killed, frozen or cut-off client).
     */
    Set<Long> watchers() throws IOException {
        return guarded("listing the image's watchers", () -> {
            for (int capacity = 16; ; capacity *= 4) {
                Memory list = new Memory(24L * capacity); // rbd_image_watcher_t: char *addr; int64_t id; uint64_t cookie
                Memory count = new Memory(8);
                count.setLong(0, capacity);
                int rc = RbdNative.rbd_watchers_list(image, Pointer.nativeValue(list), Pointer.nativeValue(count));
                if (rc == -Errno.ERANGE && capacity < 4096) {
                    continue;
                }
                check(location, "listing the image's watchers", rc);
                long n = count.getLong(0);
                Set<Long> ids = new HashSet<>();
                for (int i = 0; i < n; i++) {
                    ids.add(list.getLong(24L * i + 8));
                }
                RbdNative.rbd_watchers_list_cleanup(Pointer.nativeValue(list), n);
                return ids;
            }
        });
    }

    /**
     * Creates the RADOS object {@code oid} in the image's pool with {@code content}, only when it does not exist
     * yet (one atomic exclusive create).
     *
     * @return true when this call created it, false when it existed
     */
    synchronized boolean createExclusive(String oid, byte[] content) throws IOException {
        return guarded("creating object " + oid, () -> {
            long op = RbdNative.rados_create_write_op();
            try {
                RbdNative.rados_write_op_create(op, RbdNative.LIBRADOS_CREATE_EXCLUSIVE, null);
                RbdNative.rados_write_op_write_full(op, content, content.length);
                int rc = RbdNative.rados_write_op_operate(op, ioctx, oid, 0, 0);
                if (rc == -Errno.EEXIST) {
                    return false;
                }
                check(location, "creating object '" + oid + "'", rc);
                return true;
            } finally {
                RbdNative.rados_release_write_op(op);
            }
        });
    }

    /** The first bytes (at most {@code max}) of RADOS object {@code oid}, or null when it does not exist. */
    synchronized byte[] readObject(String oid, int max) throws IOException {
        return guarded("reading object " + oid, () -> {
            byte[] buf = new byte[max];
            int rc = RbdNative.rados_read(ioctx, oid, buf, max, 0);
            if (rc == -Errno.ENOENT) {
                return null;
            }
            check(location, "reading object '" + oid + "'", rc);
            return java.util.Arrays.copyOf(buf, rc);
        });
    }

    /** An object's content (empty when it does not exist) and its version (0 then), read together. */
    record Versioned(byte[] content, long version) {
    }

    synchronized Versioned readVersioned(String oid, int max) throws IOException {
        return guarded("reading object " + oid, () -> {
            byte[] buf = new byte[max];
            int rc = RbdNative.rados_read(versionedIoctx, oid, buf, max, 0);
            if (rc == -Errno.ENOENT) {
                return new Versioned(new byte[0], 0);
            }
            check(location, "reading object '" + oid + "'", rc);
            if (rc == max) {
                throw new IOException(location + ": object '" + oid + "' is larger than " + max + " bytes");
            }
            return new Versioned(java.util.Arrays.copyOf(buf, rc), RbdNative.rados_get_last_version(versionedIoctx));
        });
    }

    /**
     * Replaces object {@code oid} with {@code content} only if its version is still {@code version} (0: only if it
     * does not exist).
     *
     * @return false when the version had changed (nothing written)
     */
    synchronized boolean writeIfVersion(String oid, byte[] content, long version) throws IOException {
        return guarded("writing object " + oid, () -> {
            long op = RbdNative.rados_create_write_op();
            try {
                if (version == 0) {
                    RbdNative.rados_write_op_create(op, RbdNative.LIBRADOS_CREATE_EXCLUSIVE, null);
                } else {
                    RbdNative.rados_write_op_assert_version(op, version);
                }
                RbdNative.rados_write_op_write_full(op, content, content.length);
                int rc = RbdNative.rados_write_op_operate(op, versionedIoctx, oid, 0, 0);
                if (rc == -Errno.ERANGE || rc == -Errno.EOVERFLOW || rc == -Errno.EEXIST) {
                    return false;
                }
                check(location, "writing object '" + oid + "'", rc);
                return true;
            } finally {
                RbdNative.rados_release_write_op(op);
            }
        });
    }

    /** Takes the exclusive RADOS lock {@code name} on {@code oid} for at most {@code seconds}; false while another holds it. */
    boolean tryLock(String oid, String name, String cookie, int seconds) throws IOException {
        return guarded("locking object " + oid, () -> {
            Memory duration = new Memory(16);
            duration.setLong(0, seconds);
            duration.setLong(8, 0);
            int rc = RbdNative.rados_lock_exclusive(ioctx, oid, name, cookie, "vaaitarget", Pointer.nativeValue(duration),
                    (byte) 0);
            if (rc == -Errno.EBUSY || rc == -Errno.EEXIST) {
                return false;
            }
            check(location, "locking object '" + oid + "'", rc);
            return true;
        });
    }

    /** The holder of an exclusive lock: its client name ({@code client.N}), cookie and address. */
    record Locker(String client, String cookie, String address) {
    }

    /** The holder of lock {@code name} on {@code oid}, or null when nobody holds it. */
    Locker lockHolder(String oid, String name) throws IOException {
        return guarded("listing lockers of " + oid, () -> {
            byte[] tag = new byte[256];
            byte[] clients = new byte[1024];
            byte[] cookies = new byte[1024];
            byte[] addresses = new byte[1024];
            Memory lengths = new Memory(8 * 5);
            lengths.setLong(0, 0);
            lengths.setLong(8, tag.length);
            lengths.setLong(16, clients.length);
            lengths.setLong(24, cookies.length);
            lengths.setLong(32, addresses.length);
            long base = Pointer.nativeValue(lengths);
            long n = RbdNative.rados_list_lockers(ioctx, oid, name, base, tag, base + 8, clients, base + 16, cookies,
                    base + 24, addresses, base + 32);
            if (n == -Errno.ENOENT || n == 0) {
                return null;
            }
            check(location, "listing the holders of lock '" + name + "' on '" + oid + "'", (int) n);
            return new Locker(firstString(clients), firstString(cookies), firstString(addresses));
        });
    }

    private static String firstString(byte[] b) {
        int end = 0;
        while (end < b.length && b[end] != 0) {
            end++;
        }
        return new String(b, 0, end, StandardCharsets.UTF_8);
    }

    /**
     * Fences {@code holder} (blocklists its address for an hour, so the OSDs refuse its operations from the next
     * osdmap on), breaks its lock, and waits for the latest osdmap, so that this client's next operations carry an
     * epoch at which the fence holds.
     */
    void fenceAndBreak(String oid, String name, Locker holder) throws IOException {
        guarded("fencing " + holder.client(), () -> {
        check(location, "blocklisting " + holder.address(), RbdNative.rados_blocklist_add(cluster, holder.address(), 3600));
        int rc = RbdNative.rados_break_lock(ioctx, oid, name, holder.client(), holder.cookie());
        if (rc != -Errno.ENOENT) {
            check(location, "breaking the lock of " + holder.client(), rc);
        }
        check(location, "waiting for the latest osdmap", RbdNative.rados_wait_for_latest_osdmap(cluster));
            return null;
        });
    }

    void unlock(String oid, String name, String cookie) {
        if (!enter()) {
            return;
        }
        try {
            int rc = RbdNative.rados_unlock(ioctx, oid, name, cookie);
            if (rc < 0) {
                LOG.warn("{}: unlocking object '{}' failed: {}", location, oid, Errno.describe(-rc));
            }
        } finally {
            exit();
        }
    }

    /** Waits for the native calls in progress (new ones are refused from now on), then closes everything. */
    @Override
    public void close() {
        if (!closeStarted.compareAndSet(false, true)) {
            return;
        }
        users.addAndGet(CLOSING);
        synchronized (users) {
            boolean interrupted = false;
            while (users.get() != CLOSING) {
                try {
                    users.wait(100);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        int rc = RbdNative.rbd_close(image);
        if (rc < 0) {
            LOG.warn("{}: closing the image failed: {}", location, Errno.describe(-rc));
        }
        RbdNative.rados_ioctx_destroy(versionedIoctx);
        RbdNative.rados_ioctx_destroy(ioctx);
        RbdNative.rados_shutdown(cluster);
    }
}
