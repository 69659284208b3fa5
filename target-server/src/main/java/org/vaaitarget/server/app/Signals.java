package org.vaaitarget.server.app;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** SIGHUP: reload the configuration, on a thread of its own (one reload at a time, in signal order). */
final class Signals {
    private static final Logger LOG = LoggerFactory.getLogger(Signals.class);

    private Signals() {
    }

    /** Runs {@code action} on a daemon thread for each SIGHUP; logs and does nothing where signals are unavailable. */
    @SuppressWarnings("removal")
    static void onHangup(Runnable action) {
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sighup");
            t.setDaemon(true);
            return t;
        });
        try {
            // sun.misc.Signal (module jdk.unsupported) is the JDK's only way to catch a signal.
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> worker.execute(action));
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LOG.warn("SIGHUP cannot be handled here ({}); use 'ctl reload'", e.getMessage());
        }
    }
}
