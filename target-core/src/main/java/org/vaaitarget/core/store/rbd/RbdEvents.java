package org.vaaitarget.core.store.rbd;

import com.sun.jna.CallbackThreadInitializer;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Messages between the gateways serving one image, by RADOS watch/notify on one object in the image's pool
 * ({@code vaaitarget_events.<image>}). {@link #tell} returns once every other watching gateway has handled the
 * message and acknowledged it (or after {@value #TIMEOUT_MS} ms: a gateway that does not acknowledge is stopped
 * or cut off), so that what a command changed is known everywhere before the command is answered.
 *
 * <p>Threads: librados calls {@link #notified} on its own thread; it hands the message to the store's completion
 * thread, which runs the handler and then acknowledges.
 */
final class RbdEvents implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RbdEvents.class);
    static final long TIMEOUT_MS = 5000;
    private static final Map<Long, RbdEvents> WATCHERS = new ConcurrentHashMap<>();
    private static final AtomicLong IDS = new AtomicLong(1);
    private static final RbdNative.WatchCallback CALLBACK = RbdEvents::notified;
    private static final RbdNative.WatchErrorCallback ERROR_CALLBACK = RbdEvents::watchFailed;

    static {
        Native.setCallbackThreadInitializer(CALLBACK, new CallbackThreadInitializer(true, false, "rados-watch"));
        Native.setCallbackThreadInitializer(ERROR_CALLBACK, new CallbackThreadInitializer(true, false, "rados-watch"));
    }

    private final RbdBlockStore store;
    /** The connection this watch lives on (a reconnect starts a new watch on the new one). */
    private final RbdImage image;
    private final String oid;
    private final String self;
    private final Consumer<String> handler;
    private final long id = IDS.getAndIncrement();
    private volatile long cookie;
    /** Whether {@link #cookie} is a live watch (unwatching a handle twice frees it twice: a crash in librados). */
    private boolean watching;
    private boolean closed;
    /** Runs the blocking notify calls, so that neither the caller nor the store's completion thread waits. */
    private final java.util.concurrent.ExecutorService notifier;

    private RbdEvents(RbdBlockStore store, RbdImage image, String oid, Consumer<String> handler) {
        this.store = store;
        this.image = image;
        this.oid = oid;
        this.self = Long.toString(image.instanceId());
        this.handler = handler;
        this.notifier = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "rados-notify-" + image.location().image());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Watches the image's event object (created when missing) through {@code image} (the store's connection, or the
     * one a reconnect is about to switch to); {@code handler} gets other gateways' messages.
     */
    static RbdEvents watch(RbdBlockStore store, RbdImage image, Consumer<String> handler) throws IOException {
        String oid = "vaaitarget_events." + image.location().image();
        image.createExclusive(oid, new byte[0]); // EEXIST is fine: the first gateway made it
        RbdEvents events = new RbdEvents(store, image, oid, handler);
        WATCHERS.put(events.id, events);
        try {
            events.start();
        } catch (IOException e) {
            WATCHERS.remove(events.id);
            throw e;
        }
        return events;
    }

    private synchronized void start() throws IOException {
        Memory out = new Memory(8);
        out.setLong(0, 0);
        if (!image.enter()) {
            throw new IOException(image.location() + ": watching " + oid + ": the connection has been closed");
        }
        try {
            int rc = RbdNative.rados_watch2(image.ioctx(), oid, Pointer.nativeValue(out), CALLBACK, ERROR_CALLBACK,
                    new Pointer(id));
            if (rc == -Errno.EBLOCKLISTED) {
                store.blocklisted(image, "watching " + oid);
            }
            RbdImage.check(image.location(), "watching " + oid, rc);
        } finally {
            image.exit();
        }
        cookie = out.getLong(0);
        watching = true;
    }

    /** Sends {@code message} to every other gateway and completes when they have handled it (or timed out). */
    CompletableFuture<Void> tell(String message) {
        byte[] payload = (self + " " + message).getBytes(StandardCharsets.UTF_8);
        return CompletableFuture.supplyAsync(() -> {
            Memory reply = new Memory(8);
            Memory replyLength = new Memory(8);
            reply.setLong(0, 0);
            if (!image.enter()) {
                LOG.warn("{}: '{}' not sent: the connection has been closed", image.location(), message);
                return (Void) null;
            }
            int rc;
            try {
                rc = RbdNative.rados_notify2(image.ioctx(), oid, payload, payload.length, TIMEOUT_MS,
                        Pointer.nativeValue(reply), Pointer.nativeValue(replyLength));
                Pointer buffer = reply.getPointer(0);
                if (buffer != null) {
                    RbdNative.rados_buffer_free(buffer);
                }
            } finally {
                image.exit();
            }
            if (rc == -Errno.EBLOCKLISTED) {
                store.blocklisted(image, "notifying the other gateways");
            }
            if (rc < 0) {
                LOG.warn("{}: not every gateway acknowledged '{}' within {} ms: {}", image.location(), message,
                        TIMEOUT_MS, Errno.describe(-rc));
            }
            return (Void) null;
        }, notifier);
    }

    private static void notified(Pointer arg, long notifyId, long handle, long notifierId, Pointer data, long length) {
        RbdEvents events = WATCHERS.get(Pointer.nativeValue(arg));
        if (events == null) {
            return;
        }
        String text = data == null || length <= 0 ? "" : new String(data.getByteArray(0, (int) length), StandardCharsets.UTF_8);
        int space = text.indexOf(' ');
        String sender = space < 0 ? text : text.substring(0, space);
        String message = space < 0 ? "" : text.substring(space + 1);
        if (sender.equals(events.self)) { // our own message: nothing to do, acknowledge at once
            events.ack(notifyId, handle);
            return;
        }
        Runnable work = () -> {
            try {
                events.handler.accept(message);
            } catch (RuntimeException e) {
                LOG.warn("{}: handling the gateway message '{}' failed", events.image.location(), message, e);
            } finally {
                events.ack(notifyId, handle);
            }
        };
        events.store.offload(() -> {
            work.run();
            return null;
        });
    }

    private void ack(long notifyId, long handle) {
        if (image.enter()) {
            try {
                RbdNative.rados_notify_ack(image.ioctx(), oid, notifyId, handle, null, 0);
            } finally {
                image.exit();
            }
        }
    }

    private static void watchFailed(Pointer arg, long cookie, int error) {
        RbdEvents events = WATCHERS.get(Pointer.nativeValue(arg));
        if (events == null) {
            return;
        }
        if (error == -Errno.EBLOCKLISTED) { // another gateway took the image over and fenced this client
            events.store.blocklisted(events.image, "the watch on " + events.oid);
            return;
        }
        LOG.warn("{}: the watch on {} was lost ({}); watching again (messages in between are missed)",
                events.image.location(), events.oid, Errno.describe(-error));
        events.store.offload(() -> {
            synchronized (events) {
                if (!events.closed && events.watching && events.cookie == cookie && events.image.enter()) {
                    try {
                        events.watching = false;
                        RbdNative.rados_unwatch2(events.image.ioctx(), cookie);
                        events.start(); // fails for good once this client is blocklisted
                    } finally {
                        events.image.exit();
                    }
                }
            }
            return null;
        });
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (image.enter()) {
            try {
                if (watching) {
                    watching = false;
                    RbdNative.rados_unwatch2(image.ioctx(), cookie);
                }
                RbdNative.rados_watch_flush(image.cluster());
            } finally {
                image.exit();
            }
        }
        WATCHERS.remove(id);
        notifier.shutdown();
    }
}
