package org.vaaitarget.server.app;

import java.io.IOException;
import java.net.BindException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.core.dispatch.TargetDevice;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.assembly.LogicalUnits;
import org.vaaitarget.server.login.AccessControl;
import org.vaaitarget.server.login.AuthFailureThrottle;
import org.vaaitarget.server.login.TargetAccess;
import org.vaaitarget.server.net.IscsiServer;
import org.vaaitarget.server.login.ServerContext;
import org.vaaitarget.server.session.ServerTarget;
import org.vaaitarget.server.session.SessionRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.core.assembly.StandardDevice;

/**
 * Wires a {@link ServerConfig} into a running server: opens each LUN, builds a {@link TargetDevice} per
 * target, and binds the portals. The programmatic entry point for {@link Main} and for in-process tests.
 */
public final class TargetServer {
    private static final Logger LOG = LoggerFactory.getLogger(TargetServer.class);

    private TargetServer() {
    }

    /**
     * Opens the LUNs and starts listening. On failure everything opened so far is closed again.
     *
     * @throws StartupException when a LUN cannot be opened or a portal cannot be bound; the message is
     *                          one line naming the file or address
     */
    public static RunningServer start(ServerConfig config) throws StartupException {
        // Every target is in one portal group, all portals of this server (RFC 7143 4.4.1); its tag is the gateway
        // id, so that the servers (gateways) in front of one RBD image are distinct SCSI target ports.
        List<TargetDevice> devices = new ArrayList<>();
        Map<String, ServerTarget> targets = new LinkedHashMap<>();
        Map<String, TargetAccess> access = new LinkedHashMap<>();
        Metrics metrics = Metrics.start(config.metricsListen());   // first: /healthz says "starting" meanwhile
        try {
            for (ServerConfig.Target target : config.targets()) {
                TargetDevice device = device(target.iqn(), openLuns(target), target.access());
                device.observe(metrics.observer());
                access.put(target.iqn(), target.access());
                devices.add(device);
                targets.put(target.iqn(), serverTarget(target, device, config.gateway()));
            }
            SessionRegistry sessions = new SessionRegistry();
            for (TargetDevice device : devices) {
                FencedConnections.install(device, sessions); // RBD LUNs: what a fenced gateway ends before reconnecting
            }
            metrics.bindSessions(sessions, targets.keySet());
            ServerContext context = new ServerContext(targets, config.portals(), config.offer(), sessions,
                    new AccessControl(config.discoveryAuth(), access, new AuthFailureThrottle()),
                    config.limits(), config.zeroCopyReads(), metrics.events());
            IscsiServer server;
            try {
                server = IscsiServer.start(context);
            } catch (IOException e) {
                throw new StartupException("cannot listen: " + e.getMessage(), e);
            } catch (RuntimeException e) {
                BindException bind = bindCause(e);
                if (bind == null) {
                    throw e;
                }
                throw new StartupException("cannot listen on " + config.portals() + ": " + bind.getMessage(), e);
            }
            metrics.serving();
            return new RunningServer(config, server, context, devices, metrics);
        } catch (StartupException | RuntimeException e) {
            devices.forEach(TargetServer::closeQuietly);
            metrics.close();
            throw e;
        }
    }

    /** Opens LUN {@code n} of a target; the message of the failure names LUN, target and file. */
    static LogicalUnit openLun(String iqn, int n, LunConfig lun) throws StartupException {
        try {
            LogicalUnit lu = LogicalUnits.open(n, lun);
            LOG.debug("Opened LUN {} of {}: {}", n, iqn, lun.describe());
            return lu;
        } catch (IOException | IllegalArgumentException e) {
            throw new StartupException("cannot open LUN " + n + " of " + iqn + " ('" + lun.describe() + "'): "
                    + e.getMessage(), e);
        }
    }

    /** A target's device: its LUNs, masked by its access rules. */
    static TargetDevice device(String iqn, List<LogicalUnit> luns, TargetAccess access) {
        return StandardDevice.of(iqn, luns, access.lunMask());
    }

    /** How the iSCSI layer sees a target. */
    /**
     * @param gateway this server's gateway id: the portal group tag of all its portals (RFC 7143 4.4.1; one group per
     *                server), so that the gateways in front of one RBD image are distinct SCSI target ports
     */
    static ServerTarget serverTarget(ServerConfig.Target target, TargetDevice device, int gateway) {
        return new ServerTarget(target.iqn(), target.alias(), gateway, device, target.abortFinishedTask());
    }

    private static List<LogicalUnit> openLuns(ServerConfig.Target target) throws StartupException {
        List<LogicalUnit> luns = new ArrayList<>();
        try {
            for (int n = 0; n < target.luns().size(); n++) {
                luns.add(openLun(target.iqn(), n, target.luns().get(n)));
            }
            return luns;
        } catch (StartupException | RuntimeException e) {
            luns.forEach(TargetServer::closeQuietly);
            throw e;
        }
    }

    /** Netty may report a port in use as an unchecked exception wrapping a BindException. */
    private static BindException bindCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof BindException b) {
                return b;
            }
        }
        return null;
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("Closing {} after a failed start: {}", c, e.toString());
        }
    }
}
