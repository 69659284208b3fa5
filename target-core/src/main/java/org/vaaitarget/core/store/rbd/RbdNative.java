package org.vaaitarget.core.store.rbd;

import com.sun.jna.Callback;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * librbd and librados (Ceph Pacific, librbd 1.16) bound by JNA direct mapping: every handle
 * ({@code rados_t}, {@code rados_ioctx_t}, {@code rbd_image_t}, {@code rbd_completion_t}) and every
 * out-parameter is a native address passed as a Java {@code long} (64-bit Linux only). Functions return
 * 0 or a negative errno, as librbd does. librados symbols are looked up through librbd's handle (librbd
 * links librados, and {@code dlsym} searches a library's dependencies).
 *
 * <p>{@code com.ceph:rados} has neither asynchronous I/O nor compare-and-write nor image metadata, which is
 * why these calls are bound here.
 */
final class RbdNative {
    private static final Throwable LOAD_FAILURE;

    static {
        Throwable failure = null;
        try {
            NativeLibrary lib;
            try {
                lib = NativeLibrary.getInstance("rbd");
            } catch (UnsatisfiedLinkError e) {
                lib = NativeLibrary.getInstance("librbd.so.1"); // the runtime package ships no unversioned link
            }
            Native.register(RbdNative.class, lib);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            failure = e;
        }
        LOAD_FAILURE = failure;
    }

    private RbdNative() {
    }

    /** Null when librbd is loaded, else why not (the package librbd1 is missing). */
    static Throwable loadFailure() {
        return LOAD_FAILURE;
    }

    static final long RBD_FEATURE_LAYERING = 1;
    static final int LIBRADOS_CREATE_EXCLUSIVE = 1;

    /** {@code void (*rbd_callback_t)(rbd_completion_t cb, void *arg)}: runs on a librbd thread. */
    interface CompletionCallback extends Callback {
        void invoke(Pointer completion, Pointer arg);
    }

    /** {@code int (*)(uint64_t off, size_t len, int exists, void *arg)} of rbd_diff_iterate2. */
    interface DiffCallback extends Callback {
        int invoke(long offset, long length, int exists, Pointer arg);
    }

    // librados
    static native int rados_create2(long clusterOut, String clusterName, String userName, long flags);

    static native int rados_conf_read_file(long cluster, String path);

    static native int rados_conf_set(long cluster, String option, String value);

    static native int rados_connect(long cluster);

    static native void rados_shutdown(long cluster);

    static native int rados_ioctx_create(long cluster, String pool, long ioctxOut);

    static native void rados_ioctx_destroy(long ioctx);

    static native long rados_get_instance_id(long cluster);

    static native long rados_create_write_op();

    static native void rados_release_write_op(long op);

    static native void rados_write_op_create(long op, int exclusive, String category);

    static native void rados_write_op_write_full(long op, byte[] buffer, long length);

    static native int rados_write_op_operate(long op, long ioctx, String oid, long mtime, int flags);

    static native void rados_write_op_assert_version(long op, long version);

    static native long rados_get_last_version(long ioctx);

    /** {@code duration}: the address of a struct timeval; -EBUSY while another cookie holds it. */
    static native int rados_lock_exclusive(long ioctx, String oid, String name, String cookie, String description,
                                           long duration, byte flags);

    static native int rados_unlock(long ioctx, String oid, String name, String cookie);

    /** The holders of lock {@code name}: NUL-separated client names, cookies and addresses; their count. */
    static native long rados_list_lockers(long ioctx, String oid, String name, long exclusiveOut, byte[] tag,
                                          long tagLength, byte[] clients, long clientsLength, byte[] cookies,
                                          long cookiesLength, byte[] addresses, long addressesLength);

    static native int rados_break_lock(long ioctx, String oid, String name, String client, String cookie);

    /** Fences a client: the OSDs refuse its operations from the osdmap epoch that carries this on. */
    static native int rados_blocklist_add(long cluster, String address, int expireSeconds);

    static native int rados_wait_for_latest_osdmap(long cluster);

    static native int rados_read(long ioctx, String oid, byte[] buffer, long length, long offset);

    static native int rados_remove(long ioctx, String oid);

    /** {@code rados_watchcb2_t}: a notify arrived on a watched object (on a librados thread). */
    interface WatchCallback extends Callback {
        void invoke(Pointer arg, long notifyId, long handle, long notifierId, Pointer data, long dataLength);
    }

    /** {@code rados_watcherrcb_t}: the watch was lost (notifies may have been missed). */
    interface WatchErrorCallback extends Callback {
        void invoke(Pointer arg, long cookie, int error);
    }

    static native int rados_watch2(long ioctx, String oid, long cookieOut, WatchCallback callback,
                                   WatchErrorCallback errorCallback, Pointer arg);

    static native int rados_unwatch2(long ioctx, long cookie);

    static native int rados_watch_flush(long cluster);

    /** Blocks until every watcher acknowledged or {@code timeoutMs} passed (-ETIMEDOUT). */
    static native int rados_notify2(long ioctx, String oid, byte[] buffer, int length, long timeoutMs, long replyOut,
                                    long replyLengthOut);

    static native int rados_notify_ack(long ioctx, String oid, long notifyId, long cookie, byte[] buffer, int length);

    static native void rados_buffer_free(Pointer buffer);

    // librbd: images
    static native int rbd_create2(long ioctx, String name, long size, long features, long orderOut);

    static native int rbd_open(long ioctx, String name, long imageOut, String snapName);

    static native int rbd_close(long image);

    static native int rbd_get_size(long image, long sizeOut);

    static native int rbd_metadata_get(long image, String key, byte[] value, long lengthInOut);

    static native int rbd_metadata_set(long image, String key, String value);

    /** Keys and values from {@code start} on, each NUL-terminated, back to back; -ERANGE when a buffer is short. */
    static native int rbd_metadata_list(long image, String start, long max, byte[] keys, long keysLengthInOut,
                                        byte[] values, long valuesLengthInOut);

    /** {@code watchers}: an array of rbd_image_watcher_t (24 bytes each); {@code countInOut}: its capacity, then the count. */
    static native int rbd_watchers_list(long image, long watchers, long countInOut);

    static native void rbd_watchers_list_cleanup(long watchers, long count);

    static native int rbd_diff_iterate2(long image, String fromSnap, long offset, long length, byte includeParent,
                                        byte wholeObject, DiffCallback callback, Pointer arg);

    // librbd: asynchronous I/O
    static native int rbd_aio_create_completion(Pointer arg, CompletionCallback callback, long completionOut);

    static native long rbd_aio_get_return_value(Pointer completion);

    static native void rbd_aio_release(Pointer completion);

    static native int rbd_aio_read(long image, long offset, long length, long buffer, Pointer completion);

    static native int rbd_aio_write(long image, long offset, long length, long buffer, Pointer completion);

    static native int rbd_aio_discard(long image, long offset, long length, Pointer completion);

    static native int rbd_aio_write_zeroes(long image, long offset, long length, Pointer completion, int zeroFlags,
                                           int opFlags);

    static native int rbd_aio_flush(long image, Pointer completion);

    /**
     * Compares and, when equal, writes; Pacific accepts only ranges inside one 512-byte sector (else -EINVAL),
     * completes with -EILSEQ on a mismatch and stores at {@code mismatchOffsetOut} the object's base plus the
     * index of the first differing byte (use it modulo 512).
     */
    static native long rbd_aio_compare_and_write(long image, long offset, long length, long compareBuffer,
                                                 long writeBuffer, Pointer completion, long mismatchOffsetOut,
                                                 int opFlags);
}
