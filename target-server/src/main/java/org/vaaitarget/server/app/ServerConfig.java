package org.vaaitarget.server.app;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.server.login.AuthConfig;
import org.vaaitarget.server.login.TargetAccess;
import org.vaaitarget.server.session.AbortFinishedTask;
import org.vaaitarget.server.session.ResourceLimits;
import org.vaaitarget.server.session.TargetOffer;
import org.vaaitarget.server.session.ZeroCopyReads;

/**
 * Everything needed to start a server: where to listen, what to offer in negotiation, and the targets
 * with their LUNs (LUN numbers are list positions: 0, 1, 2...). Built by {@link Main} from flags or by
 * {@link ConfigLoader} from YAML, or directly by tests.
 *
 * @param portals listen addresses (port 0 picks a free port)
 * @param offer   negotiation offers
 * @param targets targets, in order
 * @param discoveryAuth authentication of discovery sessions
 * @param limits  resource bounds (YAML {@code limits:})
 * @param zeroCopyReads which connections get large reads sent straight from the LUN file (YAML {@code zeroCopyReads});
 *                      the configuration only yields {@link ZeroCopyReads#NEVER}, the other modes being withdrawn
 * @param metricsListen where to serve {@code /metrics} and {@code /healthz} (YAML {@code metrics.listen},
 *                      {@code --metrics}), or null: no metrics (the default)
 * @param gateway this server's gateway id (YAML {@code gateway: {id: N}}, 1 by default): the portal group tag of its
 *                portals, hence its relative target port identifier and, on LUNs several gateways serve, its target
 *                port group
 */
public record ServerConfig(List<InetSocketAddress> portals, TargetOffer offer, List<Target> targets,
                           AuthConfig discoveryAuth, ResourceLimits limits, ZeroCopyReads zeroCopyReads,
                           InetSocketAddress metricsListen, int gateway) {

    /** Gateway 1. */
    public ServerConfig(List<InetSocketAddress> portals, TargetOffer offer, List<Target> targets,
                        AuthConfig discoveryAuth, ResourceLimits limits, ZeroCopyReads zeroCopyReads,
                        InetSocketAddress metricsListen) {
        this(portals, offer, targets, discoveryAuth, limits, zeroCopyReads, metricsListen, 1);
    }

    /** Without metrics. */
    public ServerConfig(List<InetSocketAddress> portals, TargetOffer offer, List<Target> targets,
                        AuthConfig discoveryAuth, ResourceLimits limits, ZeroCopyReads zeroCopyReads, int gateway) {
        this(portals, offer, targets, discoveryAuth, limits, zeroCopyReads, null, gateway);
    }

    public static final String DEFAULT_IQN = "iqn.2026-11.org.vaaitarget:disk0";
    public static final String DEFAULT_PRODUCT_ID = "VAAI-TARGET";

    public ServerConfig {
        portals = List.copyOf(portals);
        Objects.requireNonNull(offer, "offer");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(zeroCopyReads, "zeroCopyReads");
        targets = List.copyOf(targets);
        discoveryAuth = discoveryAuth == null ? AuthConfig.NONE : discoveryAuth;
        if (gateway < 1 || gateway > 0xFFFF) {
            throw new IllegalArgumentException("gateway id must be 1 to 65535, not " + gateway);
        }
        if (portals.isEmpty() || targets.isEmpty()) {
            throw new IllegalArgumentException("a server needs at least one portal and one target");
        }
    }

    /** Without metrics, gateway 1. */
    public ServerConfig(List<InetSocketAddress> portals, TargetOffer offer, List<Target> targets,
                        AuthConfig discoveryAuth, ResourceLimits limits, ZeroCopyReads zeroCopyReads) {
        this(portals, offer, targets, discoveryAuth, limits, zeroCopyReads, null, 1);
    }

    /** With {@link ZeroCopyReads#NEVER}. */
    public ServerConfig(List<InetSocketAddress> portals, TargetOffer offer, List<Target> targets,
                        AuthConfig discoveryAuth, ResourceLimits limits) {
        this(portals, offer, targets, discoveryAuth, limits, ZeroCopyReads.NEVER);
    }

    /** Discovery without authentication, default limits. */
    public ServerConfig(List<InetSocketAddress> portals, TargetOffer offer, List<Target> targets) {
        this(portals, offer, targets, AuthConfig.NONE, ResourceLimits.defaults());
    }

    /** With {@link ResourceLimits#defaults()}. */
    public ServerConfig(List<InetSocketAddress> portals, TargetOffer offer, List<Target> targets,
                        AuthConfig discoveryAuth) {
        this(portals, offer, targets, discoveryAuth, ResourceLimits.defaults());
    }

    /** Discovery without authentication. */
    public ServerConfig(List<InetSocketAddress> portals, TargetOffer offer, List<Target> targets,
                        ResourceLimits limits) {
        this(portals, offer, targets, AuthConfig.NONE, limits);
    }

    /** The same configuration with other limits. */
    public ServerConfig withLimits(ResourceLimits newLimits) {
        return new ServerConfig(portals, offer, targets, discoveryAuth, newLimits, zeroCopyReads, metricsListen,
                gateway);
    }

    /** The same configuration with another zero-copy read setting. */
    public ServerConfig withZeroCopyReads(ZeroCopyReads mode) {
        return new ServerConfig(portals, offer, targets, discoveryAuth, limits, mode, metricsListen, gateway);
    }

    /** The same configuration serving metrics on {@code listen} (null: no metrics). */
    public ServerConfig withMetrics(InetSocketAddress listen) {
        return new ServerConfig(portals, offer, targets, discoveryAuth, limits, zeroCopyReads, listen, gateway);
    }

    /** The same configuration as gateway {@code id} (its LUNs' backends are not changed). */
    public ServerConfig withGateway(int id) {
        return new ServerConfig(portals, offer, targets, discoveryAuth, limits, zeroCopyReads, metricsListen, id);
    }

    /** The same configuration with another negotiation offer. */
    public ServerConfig withOffer(TargetOffer newOffer) {
        return new ServerConfig(portals, newOffer, targets, discoveryAuth, limits, zeroCopyReads, metricsListen,
                gateway);
    }

    /** One target on the given portal with the given LUNs and the default offer. */
    public static ServerConfig single(InetSocketAddress portal, String iqn, List<LunConfig> luns) {
        return new ServerConfig(List.of(portal), TargetOffer.defaults(), List.of(new Target(iqn, null, luns)));
    }

    /**
     * @param iqn   the iSCSI target name
     * @param alias TargetAlias, or null
     * @param luns  the LUNs; index = LUN number
     * @param access authentication, allowed initiators and LUN masking
     * @param abortFinishedTask the answer to ABORT TASK of a finished task (YAML {@code abortFinishedTask})
     */
    public record Target(String iqn, String alias, List<LunConfig> luns, TargetAccess access,
                         AbortFinishedTask abortFinishedTask) {
        public Target {
            Objects.requireNonNull(iqn, "iqn");
            luns = List.copyOf(luns);
            access = access == null ? TargetAccess.OPEN : access;
            abortFinishedTask = abortFinishedTask == null ? AbortFinishedTask.AUTO : abortFinishedTask;
            if (luns.isEmpty()) {
                throw new IllegalArgumentException("target " + iqn + " has no LUN");
            }
        }

        /** With {@link AbortFinishedTask#AUTO}. */
        public Target(String iqn, String alias, List<LunConfig> luns, TargetAccess access) {
            this(iqn, alias, luns, access, AbortFinishedTask.AUTO);
        }

        /** Open to every initiator, without authentication. */
        public Target(String iqn, String alias, List<LunConfig> luns) {
            this(iqn, alias, luns, TargetAccess.OPEN);
        }
    }
}
