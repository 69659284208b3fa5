package org.vaaitarget.server.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.core.dispatch.NexusActivity;
import org.vaaitarget.core.dispatch.TargetDevice;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.store.rbd.RbdLocation;
import org.vaaitarget.server.admin.AdminCommand;
import org.vaaitarget.server.admin.AdminException;
import org.vaaitarget.server.admin.AdminReply;
import org.vaaitarget.server.metrics.AtsReport;
import org.vaaitarget.server.login.AuthConfig;
import org.vaaitarget.server.login.ChapCredentials;
import org.vaaitarget.server.login.InitiatorRule;
import org.vaaitarget.server.login.TargetAccess;
import org.vaaitarget.server.session.NegotiatedParameters;
import org.vaaitarget.server.session.ResourceLimits;
import org.vaaitarget.server.session.Session;
import org.vaaitarget.server.session.SessionType;

/**
 * The admin socket's commands ({@code bin/vaai-target ctl COMMAND}): what they show and what they change.
 * Each returns text for people and data for {@code --json}. A new command is one more entry in
 * {@link #all()} (and a {@code ctl} subcommand in {@link Ctl}).
 */
final class AdminCommands {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    private final RunningServer running;
    /** The --config file to re-read on reload, or null when the server was started with flags. */
    private final Path configFile;
    private final Path adminSocket;

    AdminCommands(RunningServer running, Path configFile, Path adminSocket) {
        this.running = running;
        this.configFile = configFile;
        this.adminSocket = adminSocket;
    }

    /** Command name to command. */
    Map<String, AdminCommand> all() {
        Map<String, AdminCommand> m = new LinkedHashMap<>();
        m.put("status", (args, options) -> status());
        m.put("sessions", (args, options) -> sessions());
        m.put("luns", (args, options) -> luns());
        m.put("config", (args, options) -> config());
        m.put("reload", (args, options) -> reload());
        m.put("resize", (args, options) -> resize(args));
        m.put("logout", (args, options) -> logout(args, options.get("initiator")));
        m.put("ats", (args, options) -> ats());
        return m;
    }

    // ---------------------------------------------------------------- views

    AdminReply status() {
        Map<String, Object> data = new LinkedHashMap<>();
        Duration up = Duration.between(running.started(), Instant.now());
        data.put("version", Main.VERSION);
        data.put("started", running.started().toString());
        data.put("uptimeSeconds", up.toSeconds());
        List<String> portals = running.boundAddresses().stream().map(Portals::format).toList();
        data.put("portals", portals);
        data.put("adminSocket", adminSocket == null ? null : adminSocket.toString());
        data.put("config", configFile == null ? null : configFile.toAbsolutePath().toString());
        List<Session> sessions = running.context().sessions().all();
        List<Map<String, Object>> targets = new ArrayList<>();
        int lunCount = 0;
        for (TargetDevice d : running.devices()) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("iqn", d.targetName());
            t.put("luns", d.luns().stream().map(LogicalUnit::number).toList());
            t.put("sessions", LiveChanges.sessionsOf(sessions, d.targetName()).size());
            targets.add(t);
            lunCount += d.luns().size();
        }
        data.put("targets", targets);
        data.put("lunCount", lunCount);
        data.put("sessionCount", sessions.stream().filter(s -> s.type() == SessionType.NORMAL).count());
        data.put("discoverySessionCount", sessions.stream().filter(s -> s.type() == SessionType.DISCOVERY).count());
        StringBuilder text = new StringBuilder();
        text.append("vaai-target ").append(Main.VERSION).append(", up ").append(uptime(up)).append('\n');
        text.append("portals: ").append(String.join(", ", portals)).append('\n');
        text.append("targets: ").append(targets.size()).append(", LUNs: ").append(lunCount).append(", sessions: ")
                .append(data.get("sessionCount")).append('\n');
        for (Map<String, Object> t : targets) {
            text.append("  ").append(t.get("iqn")).append(": LUNs ").append(t.get("luns")).append(", ")
                    .append(t.get("sessions")).append(" session(s)\n");
        }
        return new AdminReply(text.toString().stripTrailing(), data);
    }

    /** COMPARE AND WRITE per LUN and per initiator: attempts, miscompares by cause, lock wait (README runbook). */
    AdminReply ats() throws AdminException {
        AtsReport report = running.atsReport();
        try {
            return new AdminReply(report.toText().stripTrailing(), JSON.readTree(report.toJson()));
        } catch (java.io.IOException e) {
            throw new AdminException("ATS report: " + e.getMessage());
        }
    }

    AdminReply sessions() {
        List<Map<String, Object>> list = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (Session s : running.context().sessions().all()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("initiator", s.initiatorName());
            m.put("alias", s.initiatorAlias());
            m.put("address", s.channel().remoteAddress() instanceof InetSocketAddress a ? Portals.format(a)
                    : String.valueOf(s.channel().remoteAddress()));
            m.put("portal", s.channel().localAddress() instanceof InetSocketAddress a ? Portals.format(a) : null);
            m.put("type", s.type() == SessionType.NORMAL ? "normal" : "discovery");
            m.put("isid", s.isid());
            m.put("tsih", s.tsih());
            Instant login = running.context().sessions().loginTime(s);
            m.put("loginTime", login == null ? null : login.toString());
            TargetDevice device = s.target() == null ? null : running.device(s.target().name());
            m.put("target", s.target() == null ? null : s.target().name());
            NexusActivity activity = device == null ? null : device.activity(s.nexus());
            m.put("luns", device == null ? List.of() : device.luns(s.nexus()).stream().map(LogicalUnit::number).toList());
            m.put("commandsInFlight", activity == null ? 0 : activity.tasksInFlight());
            m.put("bytesRead", activity == null ? 0 : activity.bytesRead());
            m.put("bytesWritten", activity == null ? 0 : activity.bytesWritten());
            m.put("parameters", parameters(s.params()));
            list.add(m);
            text.append(m.get("initiator")).append(" from ").append(m.get("address")).append(" isid ")
                    .append(m.get("isid")).append(" tsih ").append(m.get("tsih")).append('\n');
            text.append("  ").append(m.get("type")).append(m.get("target") == null ? "" : " session on " + m.get("target"))
                    .append(", LUNs ").append(m.get("luns")).append(", logged in ").append(m.get("loginTime")).append('\n');
            text.append("  in flight ").append(m.get("commandsInFlight")).append(", read ")
                    .append(m.get("bytesRead")).append(" bytes, written ").append(m.get("bytesWritten")).append(" bytes\n");
            text.append("  ").append(parametersText(s.params())).append('\n');
        }
        return new AdminReply(list.isEmpty() ? "no sessions" : text.toString().stripTrailing(), list);
    }

    AdminReply luns() {
        List<Map<String, Object>> list = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        ServerConfig config = running.config();
        for (TargetDevice d : running.devices()) {
            ServerConfig.Target target = target(config, d.targetName());
            for (LogicalUnit lu : d.luns()) {
                LunConfig cfg = target == null || lu.number() >= target.luns().size() ? null : target.luns().get(lu.number());
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("target", d.targetName());
                m.put("lun", lu.number());
                m.put("file", cfg == null || cfg.file() == null ? null : cfg.file().toString());
                if (cfg != null && cfg.file() == null) {
                    m.put("backing", cfg.describe());   // rbd:pool/image
                }
                long size = lu.blockCount() * lu.blockSize();
                m.put("sizeBytes", size);
                m.put("blockSize", lu.blockSize());
                m.put("writeCache", lu.store().capabilities().volatileWriteCache() ? "back" : "through");
                Long allocated = allocatedBytes(lu);
                m.put("allocatedBytes", allocated);
                m.put("productId", cfg == null ? null : cfg.productId());
                list.add(m);
                text.append(d.targetName()).append(" LUN ").append(lu.number()).append(": ").append(cfg == null ? null : cfg.describe())
                        .append(", ").append(Sizes.format(size)).append(" (").append(size).append(" bytes), ")
                        .append(lu.blockSize()).append("-byte blocks, write-").append(m.get("writeCache"))
                        .append(", allocated ").append(allocated == null ? "unknown" : allocated + " bytes").append('\n');
            }
        }
        return new AdminReply(text.toString().stripTrailing(), list);
    }

    /** The configuration in force, in the YAML file's shape (CHAP secrets hidden). */
    AdminReply config() throws AdminException {
        Map<String, Object> data = effective(running.config());
        try {
            return new AdminReply(YAML.writeValueAsString(data).stripTrailing(), data);
        } catch (JsonProcessingException e) {
            throw new AdminException("cannot print the configuration: " + e.getOriginalMessage());
        }
    }

    // ---------------------------------------------------------------- changes

    /** Re-reads the --config file and applies the difference; the same as SIGHUP. */
    AdminReply reload() throws AdminException {
        List<String> changes = reloadChanges();
        return new AdminReply(String.join("\n", changes), Map.of("changes", changes));
    }

    List<String> reloadChanges() throws AdminException {
        if (configFile == null) {
            throw new AdminException("the server was started without --config: there is no file to reload");
        }
        ConfigLoader.ConfigFile file;
        try {
            file = ConfigLoader.read(configFile);
        } catch (ConfigException e) {
            throw new AdminException(e.getMessage() + " (nothing was changed)");
        }
        try {
            return running.live().reload(file);
        } catch (LiveChangeException e) {
            throw new AdminException(e.getMessage());
        }
    }

    private AdminReply resize(List<String> args) throws AdminException {
        if (args.size() != 3) {
            throw new AdminException("resize needs TARGET LUN SIZE, like: resize " + ServerConfig.DEFAULT_IQN + " 0 20G");
        }
        int lun;
        try {
            lun = Integer.parseInt(args.get(1));
        } catch (NumberFormatException e) {
            throw new AdminException("LUN '" + args.get(1) + "' is not a number");
        }
        long bytes;
        try {
            bytes = Sizes.parse(args.get(2));
        } catch (ConfigException e) {
            throw new AdminException("size '" + args.get(2) + "': " + e.getMessage());
        }
        try {
            String done = running.live().resize(args.get(0), lun, bytes);
            return new AdminReply(done, Map.of("target", args.get(0), "lun", lun, "sizeBytes", bytes));
        } catch (LiveChangeException e) {
            throw new AdminException(e.getMessage());
        }
    }

    private AdminReply logout(List<String> args, String initiator) throws AdminException {
        if (args.size() != 1) {
            throw new AdminException("logout needs TARGET, like: logout " + ServerConfig.DEFAULT_IQN);
        }
        try {
            int n = running.live().logout(args.get(0), initiator);
            return new AdminReply(n + " session(s) logged out", Map.of("sessions", n));
        } catch (LiveChangeException e) {
            throw new AdminException(e.getMessage());
        }
    }

    // ---------------------------------------------------------------- rendering

    private static Long allocatedBytes(LogicalUnit lu) {
        try {
            OptionalLong blocks = lu.store().allocatedBlocks().get(5, TimeUnit.SECONDS);
            return blocks.isPresent() ? blocks.getAsLong() * lu.blockSize() : null;
        } catch (Exception e) {
            return null;
        }
    }

    private static Map<String, Object> parameters(NegotiatedParameters p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("HeaderDigest", p.headerDigest() ? "CRC32C" : "None");
        m.put("DataDigest", p.dataDigest() ? "CRC32C" : "None");
        m.put("MaxRecvDataSegmentLength", p.maxRecvDataSegmentLength());
        m.put("MaxXmitDataSegmentLength", p.maxXmitDataSegmentLength());
        m.put("MaxBurstLength", p.maxBurstLength());
        m.put("FirstBurstLength", p.firstBurstLength());
        m.put("InitialR2T", p.initialR2T());
        m.put("ImmediateData", p.immediateData());
        m.put("MaxOutstandingR2T", p.maxOutstandingR2T());
        m.put("DataPDUInOrder", p.dataPduInOrder());
        m.put("DataSequenceInOrder", p.dataSequenceInOrder());
        m.put("ErrorRecoveryLevel", p.errorRecoveryLevel());
        m.put("MaxConnections", p.maxConnections());
        m.put("DefaultTime2Wait", p.defaultTime2Wait());
        m.put("DefaultTime2Retain", p.defaultTime2Retain());
        return m;
    }

    private static String parametersText(NegotiatedParameters p) {
        List<String> parts = new ArrayList<>();
        parameters(p).forEach((k, v) -> parts.add(k + "=" + v));
        return String.join(" ", parts);
    }

    private Map<String, Object> effective(ServerConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("portals", c.portals().stream().map(Portals::format).toList());
        if (adminSocket != null) {
            m.put("admin", Map.of("socket", adminSocket.toString()));
        }
        Map<String, Object> negotiation = new LinkedHashMap<>();
        negotiation.put("maxRecvDataSegmentLength", c.offer().maxRecvDataSegmentLength());
        negotiation.put("maxBurstLength", c.offer().maxBurstLength());
        negotiation.put("firstBurstLength", c.offer().firstBurstLength());
        negotiation.put("maxOutstandingR2T", c.offer().maxOutstandingR2T());
        negotiation.put("queueDepth", c.offer().queueDepth());
        negotiation.put("nopInIntervalSeconds", c.offer().nopInIntervalSeconds());
        negotiation.put("nopInTimeoutSeconds", c.offer().nopInTimeoutSeconds());
        m.put("negotiation", negotiation);
        ResourceLimits l = c.limits();
        Map<String, Object> limits = new LinkedHashMap<>();
        limits.put("maxConnections", l.maxConnections());
        limits.put("maxSessions", l.maxSessions());
        limits.put("maxSessionsPerTarget", l.maxSessionsPerTarget());
        limits.put("loginTimeoutSeconds", l.loginTimeout().toSeconds());
        limits.put("writeBufferPerConnection", yamlSize(l.writeBytesPerConnection()));
        limits.put("dataOutTimeoutSeconds", l.dataOutTimeout().toSeconds());
        m.put("limits", limits);
        m.put("zeroCopyReads", c.zeroCopyReads().name().toLowerCase(java.util.Locale.ROOT));
        if (c.gateway() != 1) {
            m.put("gateway", Map.of("id", c.gateway()));
        }
        if (c.discoveryAuth().required()) {
            m.put("discoveryAuth", auth(c.discoveryAuth()));
        }
        List<Map<String, Object>> targets = new ArrayList<>();
        for (ServerConfig.Target t : c.targets()) {
            Map<String, Object> tm = new LinkedHashMap<>();
            tm.put("iqn", t.iqn());
            if (t.alias() != null) {
                tm.put("alias", t.alias());
            }
            TargetAccess access = t.access();
            if (access.auth().required()) {
                tm.put("auth", auth(access.auth()));
            }
            if (!access.allow().isEmpty()) {
                tm.put("allow", access.allow().stream().map(AdminCommands::rule).toList());
            }
            List<Map<String, Object>> luns = new ArrayList<>();
            for (int n = 0; n < t.luns().size(); n++) {
                LunConfig lun = t.luns().get(n);
                Map<String, Object> lm = new LinkedHashMap<>();
                if (lun.backend() instanceof RbdLocation rbd) {
                    lm.put("rbd", rbdEntry(rbd));
                } else {
                    lm.put("file", lun.file().toString());
                }
                lm.put("size", yamlSize(lun.sizeBytes()));
                lm.put("blockSize", lun.blockSize());
                lm.put("writeCache", lun.writeCache() == LunConfig.WriteCacheMode.WRITE_BACK ? "back" : "through");
                lm.put("productId", lun.productId());
                if (lun.softThresholdPercent() > 0) {
                    lm.put("softThresholdPercent", lun.softThresholdPercent());
                }
                if (lun.removable()) {
                    lm.put("removable", true);
                }
                if (lun.readOnly()) {
                    lm.put("readOnly", true);
                }
                if (lun.sanitize()) {
                    lm.put("sanitize", true);
                }
                if (lun.sanitizeBytesPerSecond() > 0) {
                    lm.put("sanitizeRate", yamlSize(lun.sanitizeBytesPerSecond()));
                }
                if (access.lunAllow().containsKey(n)) {
                    lm.put("allow", access.lunAllow().get(n).stream().sorted().toList());
                }
                luns.add(lm);
            }
            tm.put("luns", luns);
            targets.add(tm);
        }
        m.put("targets", targets);
        return m;
    }

    /** An RBD LUN's {@code rbd:} entry as the YAML file takes it back. */
    private static Map<String, Object> rbdEntry(RbdLocation rbd) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pool", rbd.pool());
        m.put("image", rbd.image());
        if (rbd.conf() != null) {
            m.put("conf", rbd.conf());
        }
        if (rbd.user() != null) {
            m.put("user", rbd.user());
        }
        m.put("ownership", rbd.exclusive() ? "exclusive" : "shared");
        return m;
    }

    /** A size as the YAML file takes it back: {@code 16 MiB}, or bytes when not a whole KiB. */
    private static String yamlSize(long bytes) {
        return bytes % 1024 == 0 ? Sizes.format(bytes) : String.valueOf(bytes);
    }

    private static Map<String, Object> auth(AuthConfig auth) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("chap", chap(auth.chap()));
        if (auth.mutualChap() != null) {
            m.put("mutualChap", chap(auth.mutualChap()));
        }
        return m;
    }

    private static Map<String, Object> chap(ChapCredentials c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", c.user());
        m.put("secret", "(hidden)");
        return m;
    }

    private static Object rule(InitiatorRule r) {
        if (r.from() == null) {
            return r.initiator();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        if (r.initiator() != null) {
            m.put("initiator", r.initiator());
        }
        m.put("address", r.from().toString());
        return m;
    }

    private static ServerConfig.Target target(ServerConfig config, String iqn) {
        for (ServerConfig.Target t : config.targets()) {
            if (t.iqn().equals(iqn)) {
                return t;
            }
        }
        return null;
    }

    private static String uptime(Duration d) {
        long s = d.toSeconds();
        return (s >= 86400 ? s / 86400 + "d " : "") + String.format("%02dh %02dm %02ds", s / 3600 % 24, s / 60 % 60, s % 60);
    }
}
