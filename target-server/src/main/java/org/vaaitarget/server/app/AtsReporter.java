package org.vaaitarget.server.app;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.core.dispatch.TargetDevice;
import org.vaaitarget.core.lu.LogicalUnit;

/**
 * Logs each LU's COMPARE AND WRITE counters ({@link org.vaaitarget.core.sbc.forensics.AtsStatistics}),
 * then one line per initiator, on logger {@code org.vaaitarget.ats.stats}: every interval while they
 * change, and once at shutdown.
 * Miscompares themselves are logged one record each, as they happen, on {@code org.vaaitarget.ats}.
 */
final class AtsReporter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("org.vaaitarget.ats.stats");

    private final List<TargetDevice> devices;
    private final Map<String, Long> lastTotals = new HashMap<>();
    private final ScheduledExecutorService timer;

    AtsReporter(List<TargetDevice> devices, long intervalSeconds) {
        this.devices = devices;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ats-stats");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(() -> report(false), intervalSeconds, intervalSeconds, TimeUnit.SECONDS);
    }

    private synchronized void report(boolean always) {
        for (TargetDevice device : devices) {
            for (LogicalUnit lu : device.luns()) {
                String key = device.targetName() + "/" + lu.number();
                long total = lu.ats().total();
                Long before = lastTotals.put(key, total);
                if (always ? total > 0 : before == null ? total > 0 : before != total) {
                    LOG.info("ATS {} LUN {}: {}", device.targetName(), lu.number(), lu.ats().summary());
                    lu.ats().snapshotByInitiator().forEach((initiator, s) -> LOG.info("ATS {} LUN {} initiator {}: {}",
                            device.targetName(), lu.number(), initiator, s.summary()));
                }
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        report(true);
    }
}
