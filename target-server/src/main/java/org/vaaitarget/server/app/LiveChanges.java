package org.vaaitarget.server.app;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.core.dispatch.LunMask;
import org.vaaitarget.core.dispatch.TargetDevice;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.lu.LunIdentityStore;
import org.vaaitarget.core.scsi.ItNexus;
import org.vaaitarget.server.login.AccessControl;
import org.vaaitarget.server.login.TargetAccess;
import org.vaaitarget.server.net.IscsiServer;
import org.vaaitarget.server.login.ServerContext;
import org.vaaitarget.server.session.ServerTarget;
import org.vaaitarget.server.session.Session;
import org.vaaitarget.server.session.SessionType;

/**
 * Changes a running server: applies the difference to a new configuration (reload), grows a LUN, logs
 * sessions out. One change at a time (this object's monitor); never called on an event loop (it waits
 * for files to open, portals to bind and removed LUNs' commands to finish).
 *
 * <p>A reload first does everything that can fail (open the new LUN files, bind the new portals, grow
 * LUNs), undoing it on failure, so a reload that fails changes nothing except LUNs already grown. Then it
 * applies the rest, which cannot fail: targets, access rules, negotiation offer and limits for new
 * logins; LUNs added and removed in each running target (REPORTED LUNS DATA HAS CHANGED to its
 * sessions); sessions no longer allowed asked to log out; removed portals and targets closed. README
 * "Live reconfiguration" is the user's description.
 */
public final class LiveChanges {
    private static final Logger LOG = LoggerFactory.getLogger(LiveChanges.class);
    /** How long a reload waits for the commands in flight on removed LUNs before closing them later. */
    static final long REMOVAL_WAIT_SECONDS = 30;
    /** How long growing one file may take. */
    static final long GROW_WAIT_SECONDS = 60;
    /** How long {@link #logout} waits for the sessions to be gone (they get the logout grace period). */
    static final long LOGOUT_WAIT_SECONDS = 15;

    private final RunningServer running;

    LiveChanges(RunningServer running) {
        this.running = running;
    }

    /** One LUN to open and add. */
    private record LunAdd(String iqn, int number, LunConfig config) {
    }

    /** One LUN to grow to {@code bytes}. */
    private record Grow(String iqn, int number, LogicalUnit lu, long bytes) {
    }

    /** What a reload changes, worked out before anything is touched. */
    private static final class Plan {
        final List<LunAdd> adds = new ArrayList<>();
        final Map<String, List<Integer>> removes = new LinkedHashMap<>();
        final List<Grow> grows = new ArrayList<>();
        final List<InetSocketAddress> newPortals = new ArrayList<>();
        final List<InetSocketAddress> oldPortals = new ArrayList<>();
        final List<String> newTargets = new ArrayList<>();
        final List<String> oldTargets = new ArrayList<>();
    }

    /**
     * Applies {@code file} (already validated by {@link ConfigLoader#read}) to the running server.
     *
     * @return the changes made, one line each ("no change" when there was none)
     * @throws LiveChangeException when a new LUN cannot be opened, a portal cannot be bound or a LUN cannot
     *                             be grown; nothing else has changed then
     */
    public synchronized List<String> reload(ConfigLoader.ConfigFile file) throws LiveChangeException {
        if (running.isClosing()) {
            throw new LiveChangeException("the server is shutting down");
        }
        ServerConfig current = running.config();
        ServerConfig next = file.server();
        if (next.gateway() != current.gateway()) {
            // The gateway id is the portal group tag of every session and the port group of the RBD LUNs already open.
            throw new LiveChangeException("gateway.id " + current.gateway() + " -> " + next.gateway()
                    + ": the gateway id changes only with a restart; nothing was changed");
        }
        Plan plan = plan(current, next, file.requestedSizes());
        List<String> done = new ArrayList<>();

        // 1. Everything that can fail, undone on failure.
        Map<String, Map<Integer, LogicalUnit>> opened = new LinkedHashMap<>();
        List<Path> created = new ArrayList<>();
        List<InetSocketAddress> bound = new ArrayList<>();
        IscsiServer network = running.network();
        try {
            for (LunAdd a : plan.adds) {
                if (a.config().file() != null) {   // a file LUN (an RBD image is not created here)
                    createParent(a.config().file());
                    if (!Files.exists(a.config().file())) {
                        created.add(a.config().file());
                    }
                }
                LogicalUnit lu = TargetServer.openLun(a.iqn(), a.number(), a.config());
                opened.computeIfAbsent(a.iqn(), k -> new LinkedHashMap<>()).put(a.number(), lu);
            }
            for (InetSocketAddress p : plan.newPortals) {
                network.addPortal(p);
                bound.add(p);
            }
            for (Grow g : plan.grows) {
                grow(g.iqn(), g.number(), g.lu(), g.bytes());
                done.add("target " + g.iqn() + ": LUN " + g.number() + " grown to " + Sizes.format(g.bytes()));
            }
        } catch (StartupException | IOException | LiveChangeException | RuntimeException e) {
            bound.forEach(network::removePortal);
            opened.values().forEach(m -> m.values().forEach(LogicalUnit::close));
            created.forEach(LiveChanges::deleteCreated);
            String grown = done.isEmpty() ? "" : " (already done: " + String.join("; ", done) + ")";
            String why = e instanceof RuntimeException ? "internal failure: " + e : Main.firstLine(e.getMessage());
            throw new LiveChangeException(why + "; nothing was changed" + grown, e);
        }

        // 2. The rest cannot fail.
        ServerContext context = running.context();
        Map<String, ServerConfig.Target> before = byIqn(current);
        Map<String, ServerTarget> targets = new LinkedHashMap<>();
        Map<String, TargetAccess> access = new LinkedHashMap<>();
        for (ServerConfig.Target t : next.targets()) {
            TargetDevice device = running.device(t.iqn());
            if (device == null) {
                List<LogicalUnit> luns = new ArrayList<>(opened.getOrDefault(t.iqn(), Map.of()).values());
                device = TargetServer.device(t.iqn(), luns, t.access());
                device.observe(running.metrics().observer());
                device.useNexusLiveness(running.network().nexusLiveness());
                FencedConnections.install(device, context.sessions());
                running.devices().add(device);
                done.add("target " + t.iqn() + " added with " + luns.size() + " LUN(s)");
            }
            targets.put(t.iqn(), TargetServer.serverTarget(t, device, current.gateway()));
            access.put(t.iqn(), t.access());
        }
        AccessControl rules = new AccessControl(next.discoveryAuth(), access, context.access().throttle());
        List<Session> sessions = context.sessions().all();
        List<Session> logOut = new ArrayList<>();
        List<CompletableFuture<LogicalUnit>> removals = new ArrayList<>();
        for (ServerConfig.Target t : next.targets()) {
            ServerConfig.Target old = before.get(t.iqn());
            if (old == null) {
                continue;
            }
            TargetDevice device = running.device(t.iqn());
            List<Session> ofTarget = sessionsOf(sessions, t.iqn());
            List<ItNexus> tell = ofTarget.stream().map(Session::nexus).toList();
            Set<Integer> replaced = new HashSet<>(plan.removes.getOrDefault(t.iqn(), List.of()));
            if (!old.access().equals(t.access())) {
                logOut.addAll(noLongerAllowed(ofTarget, old, t, replaced));
                device.setMask(t.access().lunMask(), tell);
                done.add("target " + t.iqn() + ": access rules changed");
            }
            for (int n : plan.removes.getOrDefault(t.iqn(), List.of())) {
                removals.add(device.removeLun(n, tell));
                done.add("target " + t.iqn() + ": LUN " + n + " removed");
            }
            for (LogicalUnit lu : opened.getOrDefault(t.iqn(), Map.of()).values()) {
                device.addLun(lu, tell);
                FencedConnections.install(device, lu, context.sessions());
                done.add("target " + t.iqn() + ": LUN " + lu.number() + " added");
            }
            if (!Objects.equals(old.alias(), t.alias())) {
                done.add("target " + t.iqn() + ": alias changed (new logins)");
            }
        }
        context.update(targets, next.offer(), rules, next.limits(), next.zeroCopyReads());
        if (!next.offer().equals(current.offer()) || !next.limits().equals(current.limits())
                || next.zeroCopyReads() != current.zeroCopyReads() || !next.discoveryAuth().equals(current.discoveryAuth())) {
            done.add("negotiation, limits or discovery settings changed (new logins)");
        }
        for (String iqn : plan.oldTargets) {
            logOut.addAll(sessionsOf(sessions, iqn));
            done.add("target " + iqn + " removed");
        }
        for (InetSocketAddress p : plan.oldPortals) {
            network.removePortal(p);
            done.add("portal " + Portals.format(p) + " removed");
        }
        for (InetSocketAddress p : plan.newPortals) {
            done.add("portal " + Portals.format(p) + " added");
        }
        for (Session s : logOut) {
            LOG.info("Reload: asking {} ({}) on {} to log out: no longer allowed", s.initiatorName(), s.isid(),
                    s.target().name());
            IscsiServer.endConnection(s.channel());
        }
        if (!logOut.isEmpty()) {
            done.add(logOut.size() + " session(s) no longer allowed asked to log out");
        }
        closeRemovedTargets(plan.oldTargets, sessions);
        closeRemovedLuns(removals);
        running.config(withActualSizes(next));
        if (done.isEmpty()) {
            done.add("no change");
        }
        LOG.info("Reload applied: {}", String.join("; ", done));
        return done;
    }

    /**
     * Grows LUN {@code number} of {@code iqn} to {@code bytes} (a whole number of blocks, not smaller than
     * now); every nexus that has used it gets CAPACITY DATA HAS CHANGED.
     *
     * @return what was done, one line
     */
    public synchronized String resize(String iqn, int number, long bytes) throws LiveChangeException {
        TargetDevice device = running.device(iqn);
        if (device == null) {
            throw new LiveChangeException("no target " + iqn + " (targets: " + targetNames() + ")");
        }
        LogicalUnit lu = device.lun(number);
        if (lu == null) {
            throw new LiveChangeException("target " + iqn + " has no LUN " + number);
        }
        long now = lu.blockCount() * lu.blockSize();
        if (bytes == now) {
            return "LUN " + number + " of " + iqn + " is already " + Sizes.format(bytes) + "; unchanged";
        }
        grow(iqn, number, lu, bytes);
        running.config(withActualSizes(running.config()));
        return "LUN " + number + " of " + iqn + " grown from " + Sizes.format(now) + " to " + Sizes.format(bytes);
    }

    /**
     * Asks the sessions of a target (only those of {@code initiator}, when given) to log out (Async
     * Message, RFC 7143 11.9.1 event 1) and waits, bounded, until they are gone (dropped after the grace
     * period if they do not log out).
     *
     * @return how many sessions were asked
     */
    public int logout(String iqn, String initiator) throws LiveChangeException {
        if (running.device(iqn) == null) {
            throw new LiveChangeException("no target " + iqn + " (targets: " + targetNames() + ")");
        }
        List<Session> chosen = new ArrayList<>();
        for (Session s : sessionsOf(running.context().sessions().all(), iqn)) {
            if (initiator == null || s.initiatorName().equalsIgnoreCase(initiator)) {
                chosen.add(s);
            }
        }
        if (chosen.isEmpty() && initiator != null) {
            throw new LiveChangeException("no session of " + initiator + " on " + iqn);
        }
        List<CompletableFuture<Void>> gone = new ArrayList<>();
        for (Session s : chosen) {
            LOG.info("Admin: asking {} ({}) on {} to log out", s.initiatorName(), s.isid(), iqn);
            gone.add(running.context().sessions().whenGone(s));
            IscsiServer.endConnection(s.channel());
        }
        try {
            CompletableFuture.allOf(gone.toArray(CompletableFuture[]::new)).get(LOGOUT_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new LiveChangeException(chosen.size() + " session(s) asked to log out, but not all were gone after "
                    + LOGOUT_WAIT_SECONDS + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LiveChangeException("interrupted while waiting for the sessions to log out");
        } catch (ExecutionException e) {
            throw new LiveChangeException("logout failed: " + e.getCause());
        }
        return chosen.size();
    }

    // ---------------------------------------------------------------- planning

    private Plan plan(ServerConfig current, ServerConfig next, Map<Path, Long> requested) {
        Plan plan = new Plan();
        Map<String, ServerConfig.Target> before = byIqn(current);
        Map<String, ServerConfig.Target> after = byIqn(next);
        for (ServerConfig.Target t : next.targets()) {
            ServerConfig.Target old = before.get(t.iqn());
            if (old == null) {
                plan.newTargets.add(t.iqn());
                for (int n = 0; n < t.luns().size(); n++) {
                    plan.adds.add(new LunAdd(t.iqn(), n, t.luns().get(n)));
                }
                continue;
            }
            TargetDevice device = running.device(t.iqn());
            int count = Math.max(old.luns().size(), t.luns().size());
            for (int n = 0; n < count; n++) {
                LunConfig was = n < old.luns().size() ? old.luns().get(n) : null;
                LunConfig is = n < t.luns().size() ? t.luns().get(n) : null;
                if (is == null) {
                    plan.removes.computeIfAbsent(t.iqn(), k -> new ArrayList<>()).add(n);
                } else if (was == null) {
                    plan.adds.add(new LunAdd(t.iqn(), n, is));
                } else if (!sameBacking(was, is)) {
                    plan.removes.computeIfAbsent(t.iqn(), k -> new ArrayList<>()).add(n);
                    plan.adds.add(new LunAdd(t.iqn(), n, is));
                } else {
                    LogicalUnit lu = device.lun(n);
                    Long bytes = is.file() == null ? null : requested.get(is.file().toAbsolutePath().normalize());
                    if (lu != null && bytes != null && bytes > lu.blockCount() * lu.blockSize()) {
                        plan.grows.add(new Grow(t.iqn(), n, lu, bytes));
                    }
                }
            }
        }
        for (ServerConfig.Target t : current.targets()) {
            if (!after.containsKey(t.iqn())) {
                plan.oldTargets.add(t.iqn());
            }
        }
        for (InetSocketAddress p : next.portals()) {
            if (!current.portals().contains(p)) {
                plan.newPortals.add(p);
            }
        }
        for (InetSocketAddress p : current.portals()) {
            if (!next.portals().contains(p)) {
                plan.oldPortals.add(p);
            }
        }
        return plan;
    }

    /**
     * Same backing (file, or RBD pool/image) and the same way of serving it; only the size may differ (it grows,
     * never shrinks).
     */
    static boolean sameBacking(LunConfig a, LunConfig b) {
        return Objects.equals(a.backend(), b.backend()) && a.identityKey().equals(b.identityKey())
                && a.readOnly() == b.readOnly() && a.sanitize() == b.sanitize()
                && a.sanitizeBytesPerSecond() == b.sanitizeBytesPerSecond()
                && a.blockSize() == b.blockSize() && a.writeCache() == b.writeCache()
                && a.productId().equals(b.productId()) && a.softThresholdPercent() == b.softThresholdPercent()
                && a.removable() == b.removable();
    }

    /**
     * Sessions of a target whose access changed that the new rules no longer allow: the allow list
     * refuses their initiator or address, the target's authentication changed (they proved other
     * credentials, or none), or a LUN they could see (and that stays) is now masked from them.
     */
    static List<Session> noLongerAllowed(List<Session> sessions, ServerConfig.Target old,
                                                 ServerConfig.Target now, Set<Integer> replaced) {
        List<Session> out = new ArrayList<>();
        boolean authChanged = !old.access().auth().equals(now.access().auth());
        LunMask before = old.access().lunMask();
        LunMask after = now.access().lunMask();
        for (Session s : sessions) {
            boolean refused = !now.access().allows(s.initiatorName(), address(s));
            boolean lostLun = false;
            for (int n = 0; n < Math.min(old.luns().size(), now.luns().size()) && !lostLun; n++) {
                lostLun = !replaced.contains(n) && before.visible(s.nexus(), n) && !after.visible(s.nexus(), n);
            }
            if (refused || authChanged || lostLun) {
                out.add(s);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- helpers

    private void grow(String iqn, int number, LogicalUnit lu, long bytes) throws LiveChangeException {
        long now = lu.blockCount() * lu.blockSize();
        if (bytes % lu.blockSize() != 0) {
            throw new LiveChangeException("size " + bytes + " bytes is not a multiple of the " + lu.blockSize()
                    + "-byte block size of LUN " + number + " of " + iqn);
        }
        if (bytes < now) {
            throw new LiveChangeException("LUN " + number + " of " + iqn + " is " + Sizes.format(now)
                    + "; shrinking it to " + Sizes.format(bytes) + " is refused (it would cut off data); give at least "
                    + Sizes.format(now));
        }
        try {
            lu.grow(bytes / lu.blockSize()).get(GROW_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new LiveChangeException("cannot grow LUN " + number + " of " + iqn + ": "
                    + Main.firstLine(String.valueOf(e.getCause().getMessage())), e.getCause());
        } catch (TimeoutException e) {
            throw new LiveChangeException("growing LUN " + number + " of " + iqn + " takes over " + GROW_WAIT_SECONDS + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LiveChangeException("interrupted while growing LUN " + number + " of " + iqn);
        }
        LOG.info("Target {}: LUN {} grown from {} to {} bytes", iqn, number, now, bytes);
    }

    /** Removed targets: gone from new logins already; closed once their sessions are gone. */
    private void closeRemovedTargets(List<String> iqns, List<Session> sessions) {
        for (String iqn : iqns) {
            TargetDevice device = running.device(iqn);
            running.devices().remove(device);
            List<CompletableFuture<Void>> gone = new ArrayList<>();
            for (Session s : sessionsOf(sessions, iqn)) {
                gone.add(running.context().sessions().whenGone(s));
            }
            CompletableFuture.allOf(gone.toArray(CompletableFuture[]::new))
                    .completeOnTimeout(null, REMOVAL_WAIT_SECONDS, TimeUnit.SECONDS)
                    .whenCompleteAsync((v, e) -> {
                        device.close();
                        LOG.info("Removed target {}: LUNs flushed and files closed", iqn);
                    });
        }
    }

    /** Waits (bounded) for the removed LUNs' commands in flight, then closes their files (never deletes). */
    private static void closeRemovedLuns(List<CompletableFuture<LogicalUnit>> removals) {
        for (CompletableFuture<LogicalUnit> r : removals) {
            try {
                close(r.get(REMOVAL_WAIT_SECONDS, TimeUnit.SECONDS));
            } catch (TimeoutException e) {
                LOG.warn("A removed LUN still has commands in flight after {} s; it is closed when they finish",
                        REMOVAL_WAIT_SECONDS);
                r.thenAcceptAsync(LiveChanges::close);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                r.thenAcceptAsync(LiveChanges::close);
            } catch (ExecutionException e) {
                LOG.warn("Removing a LUN failed: {}", e.getCause().toString());
            }
        }
    }

    private static void close(LogicalUnit lu) {
        lu.close();
        LOG.info("Removed LUN {}: flushed and file closed", lu.number());
    }

    /** The configuration with each LUN's size as it is now (grown LUNs). */
    private ServerConfig withActualSizes(ServerConfig config) {
        List<ServerConfig.Target> targets = new ArrayList<>();
        for (ServerConfig.Target t : config.targets()) {
            TargetDevice device = running.device(t.iqn());
            List<LunConfig> luns = new ArrayList<>();
            for (int n = 0; n < t.luns().size(); n++) {
                LunConfig l = t.luns().get(n);
                LogicalUnit lu = device == null ? null : device.lun(n);
                long size = lu == null ? l.sizeBytes() : lu.blockCount() * lu.blockSize();
                luns.add(l.with(size, l.softThresholdPercent(), l.removable()));
            }
            targets.add(new ServerConfig.Target(t.iqn(), t.alias(), luns, t.access(), t.abortFinishedTask()));
        }
        return new ServerConfig(config.portals(), config.offer(), targets, config.discoveryAuth(), config.limits(),
                config.zeroCopyReads(), config.metricsListen(), config.gateway());
    }

    static List<Session> sessionsOf(Collection<Session> sessions, String iqn) {
        List<Session> out = new ArrayList<>();
        for (Session s : sessions) {
            if (s.type() == SessionType.NORMAL && s.target() != null && s.target().name().equals(iqn)) {
                out.add(s);
            }
        }
        return out;
    }

    private static Map<String, ServerConfig.Target> byIqn(ServerConfig config) {
        Map<String, ServerConfig.Target> out = new LinkedHashMap<>();
        for (ServerConfig.Target t : config.targets()) {
            out.put(t.iqn(), t);
        }
        return out;
    }

    private String targetNames() {
        return String.join(", ", running.devices().stream().map(TargetDevice::targetName).toList());
    }

    private static InetAddress address(Session s) {
        return s.channel().remoteAddress() instanceof InetSocketAddress i ? i.getAddress() : null;
    }

    /** A LUN file this failed reload created (empty, sparse) and its identity file: gone again. */
    private static void deleteCreated(Path file) {
        try {
            Files.deleteIfExists(file);
            Files.deleteIfExists(LunIdentityStore.identityFile(file));
        } catch (IOException e) {
            LOG.warn("Could not remove {} created by the failed reload: {}", file, e.toString());
        }
    }

    private static void createParent(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
    }
}
