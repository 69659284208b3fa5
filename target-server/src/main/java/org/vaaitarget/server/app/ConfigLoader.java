package org.vaaitarget.server.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.server.login.AuthConfig;
import org.vaaitarget.server.login.TargetAccess;
import org.vaaitarget.server.session.AbortFinishedTask;
import org.vaaitarget.server.session.ResourceLimits;
import org.vaaitarget.server.session.TargetOffer;
import org.vaaitarget.server.session.ZeroCopyReads;

/**
 * Reads the YAML configuration file (see README for the annotated example). Unknown keys, wrong types
 * and bad values are errors naming the key path, like {@code config targets[1].luns[0].size: ...}.
 * Relative LUN file paths are resolved against the directory of the configuration file.
 */
public final class ConfigLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private ConfigLoader() {
    }

    /** The file's shape; every field is optional in YAML and defaulted or checked in {@link #toConfig}. */
    record FileConfig(List<String> portals, Negotiation negotiation, Limits limits,
                      AccessConfigs.AuthEntry discoveryAuth, String zeroCopyReads, Metrics metrics,
                      List<TargetEntry> targets, LoggingEntry logging, AdminEntry admin, GatewayEntry gateway) {
    }

    record Metrics(String listen) {
    }

    /** {@code logging: {format: text|json}}: process settings, not part of the served configuration. */
    record LoggingEntry(String format) {
    }

    /** {@code admin: {socket: PATH}}: where the admin command's Unix domain socket is. */
    record AdminEntry(String socket) {
    }

    /** This server's place among the gateways in front of shared (RBD) LUNs. */
    record GatewayEntry(Integer id) {
    }

    /**
     * A configuration file as read.
     *
     * @param server         the server configuration
     * @param adminSocket    {@code admin.socket} resolved against the file's directory, or null when not given
     * @param requestedSizes the {@code size} of each file LUN that gives one, by absolute normalized file path: for
     *                       an existing file a larger size grows it on reload (it is never shrunk); RBD LUNs have none
     * @param logFormat      the {@code logging.format} key, or null when the file does not set it
     */
    public record ConfigFile(ServerConfig server, Path adminSocket, Map<Path, Long> requestedSizes,
                             Logging.Format logFormat) {
        public ConfigFile {
            requestedSizes = Map.copyOf(requestedSizes);
        }
    }

    record Limits(Integer maxConnections, Integer maxSessions, Integer maxSessionsPerTarget,
                  Integer loginTimeoutSeconds, String writeBufferPerConnection, Integer dataOutTimeoutSeconds) {
    }

    record Negotiation(Integer maxRecvDataSegmentLength, Integer maxBurstLength, Integer firstBurstLength,
                       Integer maxOutstandingR2T, Integer queueDepth, Integer nopInIntervalSeconds,
                       Integer nopInTimeoutSeconds) {
    }

    record TargetEntry(String iqn, String alias, AccessConfigs.AuthEntry auth, List<JsonNode> allow,
                       List<LunEntry> luns, String abortFinishedTask) {
    }

    record LunEntry(String file, String size, Integer blockSize, String writeCache, String productId,
                    List<String> allow,
                    Integer softThresholdPercent, Boolean removable, Boolean readOnly, Boolean sanitize,
                    String sanitizeRate, RbdEntry rbd) {
    }

    /** A LUN on a Ceph RBD image instead of a file. */
    record RbdEntry(String pool, String image, String conf, String user, String ownership) {
    }

    /** @throws ConfigException one line: {@code config <key path>: <problem and fix>} */
    public static ServerConfig load(Path file) throws ConfigException {
        return read(file).server();
    }

    /** The whole file: server configuration, admin socket and requested LUN sizes. */
    public static ConfigFile read(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("--config '" + file + "': file does not exist");
        } catch (IOException e) {
            throw new ConfigException("--config '" + file + "': cannot read it: " + e.getMessage());
        }
        Path base = file.toAbsolutePath().getParent();
        return parseFile(text, base);
    }

    /** Parses YAML text; relative LUN paths are resolved against {@code baseDir}. */
    public static ServerConfig parse(String yaml, Path baseDir) throws ConfigException {
        return parseFile(yaml, baseDir).server();
    }

    /** As {@link #parse}, with the admin socket and the requested sizes. */
    static ConfigFile parseFile(String yaml, Path baseDir) throws ConfigException {
        if (yaml.isBlank()) {
            throw new ConfigException("config is empty; it needs at least 'targets:' with one target and one LUN");
        }
        FileConfig raw;
        try {
            raw = YAML.readValue(yaml, FileConfig.class);
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", "));
            throw new ConfigException("config " + path(e) + ": unknown key (known keys here: " + known + ")");
        } catch (MismatchedInputException e) {
            throw new ConfigException("config " + path(e) + ": expected " + describe(e.getTargetType())
                    + lineOf(e));
        } catch (JsonProcessingException e) {
            throw new ConfigException("config" + lineOf(e).replace(" (", " ").replace(")", "") + ": not valid YAML: "
                    + firstLine(e.getOriginalMessage()));
        }
        if (raw == null) {
            throw new ConfigException("config is empty; it needs at least 'targets:' with one target and one LUN");
        }
        Map<Path, Long> sizes = new HashMap<>();
        ServerConfig config = toConfig(raw, baseDir, sizes);
        Path socket = null;
        if (raw.admin() != null && raw.admin().socket() != null) {
            String text = raw.admin().socket();
            if (text.isBlank()) {
                throw new ConfigException("config admin.socket: empty; give a path like /run/vaai-target/admin.sock");
            }
            try {
                socket = baseDir == null ? Path.of(text) : baseDir.resolve(text);
            } catch (java.nio.file.InvalidPathException e) {
                throw new ConfigException("config admin.socket: '" + text + "' is not a valid path");
            }
        }
        Logging.Format logFormat = raw.logging() == null || raw.logging().format() == null ? null
                : Logging.Format.parse(raw.logging().format(), "config logging.format");
        return new ConfigFile(config, socket, sizes, logFormat);
    }

    private static ServerConfig toConfig(FileConfig raw, Path baseDir, Map<Path, Long> sizes) throws ConfigException {
        List<InetSocketAddress> portals = new ArrayList<>();
        if (raw.portals() == null || raw.portals().isEmpty()) {
            portals.add(new InetSocketAddress(Portals.DEFAULT_PORT));
        } else {
            for (int i = 0; i < raw.portals().size(); i++) {
                String text = raw.portals().get(i);
                portals.add(at("portals[" + i + "]", () -> Portals.parse(text)));
            }
        }
        int gateway = 1;
        if (raw.gateway() != null) {
            if (raw.gateway().id() == null) {
                throw new ConfigException("config gateway.id: missing; give this gateway's number, 1, 2, ...");
            }
            gateway = range("gateway", "id", raw.gateway().id(), 1, 1, 65535);
        }
        TargetOffer offer = offer(raw.negotiation());
        ResourceLimits limits = limits(raw.limits());
        InetSocketAddress metrics = null;
        if (raw.metrics() != null) {
            if (raw.metrics().listen() == null) {
                throw new ConfigException("config metrics.listen: missing; give HOST:PORT like \"127.0.0.1:9470\""
                        + " (or leave out metrics: to serve none)");
            }
            metrics = metricsAddress(raw.metrics().listen(), "config metrics.listen");
        }
        if (raw.targets() == null || raw.targets().isEmpty()) {
            throw new ConfigException("config targets: missing; give at least one target with an iqn and one LUN");
        }
        List<ServerConfig.Target> targets = new ArrayList<>();
        Map<String, AuthConfig> auths = new LinkedHashMap<>();
        AuthConfig discoveryAuth = AccessConfigs.auth(raw.discoveryAuth(), "config discoveryAuth");
        auths.put("config discoveryAuth", discoveryAuth);
        Set<String> names = new HashSet<>();
        Set<Object> files = new HashSet<>();
        for (int t = 0; t < raw.targets().size(); t++) {
            String where = "targets[" + t + "]";
            TargetEntry entry = raw.targets().get(t);
            if (entry == null) {
                throw new ConfigException("config " + where + ": empty target; give an iqn and luns");
            }
            String iqn = entry.iqn();
            if (iqn == null) {
                throw new ConfigException("config " + where + ".iqn: missing; give a name like " + ServerConfig.DEFAULT_IQN);
            }
            at(where + ".iqn", () -> IscsiNames.requireValid(iqn));
            if (!names.add(iqn)) {
                throw new ConfigException("config " + where + ".iqn: '" + iqn + "' is already used by another target");
            }
            if (entry.luns() == null || entry.luns().isEmpty()) {
                throw new ConfigException("config " + where + ".luns: missing; give at least one LUN with a file and a size");
            }
            List<LunConfig> luns = new ArrayList<>();
            Map<Integer, Set<String>> lunAllow = new HashMap<>();
            for (int l = 0; l < entry.luns().size(); l++) {
                String lunWhere = where + ".luns[" + l + "]";
                LunConfig lun = lun(entry.luns().get(l), lunWhere, baseDir, gateway);
                Long requested = lun.file() == null ? null : requestedSize(entry.luns().get(l), lun, lunWhere);
                if (requested != null) {
                    sizes.put(lun.file().toAbsolutePath().normalize(), requested);
                }
                Set<String> visibleTo = AccessConfigs.lunAllow(entry.luns().get(l).allow(), "config " + lunWhere + ".allow");
                if (visibleTo != null) {
                    lunAllow.put(l, visibleTo);
                }
                if (!files.add(lun.identityKey())) {
                    throw new ConfigException("config " + lunWhere + (lun.file() == null ? ".rbd" : ".file") + ": '"
                            + lun.describe() + "' is already used by another LUN");
                }
                luns.add(lun);
            }
            AuthConfig auth = AccessConfigs.auth(entry.auth(), "config " + where + ".auth");
            auths.put("config " + where + ".auth", auth);
            TargetAccess access = new TargetAccess(auth, AccessConfigs.allow(entry.allow(), "config " + where + ".allow"),
                    lunAllow);
            targets.add(new ServerConfig.Target(iqn, entry.alias(), luns, access,
                    abortFinishedTask(entry.abortFinishedTask(), "config " + where + ".abortFinishedTask")));
        }
        AccessConfigs.checkSecretsNotShared(auths);
        return new ServerConfig(portals, offer, targets, discoveryAuth, limits,
                zeroCopyReads(raw.zeroCopyReads(), "config zeroCopyReads"), metrics, gateway);
    }

    /** The metrics endpoint's HOST:PORT (the port is required); {@code where} names the flag or key. */
    static InetSocketAddress metricsAddress(String text, String where) throws ConfigException {
        boolean hasPort = text != null && (text.startsWith("[") ? text.contains("]:") : text.contains(":"));
        if (!hasPort) {
            throw new ConfigException(where + ": '" + text + "' has no port; give HOST:PORT like 127.0.0.1:9470"
                    + " or [::1]:9470");
        }
        try {
            return Portals.parse(text);
        } catch (ConfigException e) {
            throw new ConfigException(where + ": " + e.getMessage().replaceFirst("^portal ", "address "));
        }
    }

    /**
     * The {@code size} a LUN entry asks for, or null. Larger than an existing file, it is what a reload
     * grows the LUN to, so it must be a whole number of blocks (a smaller one is ignored: never shrunk).
     */
    private static Long requestedSize(LunEntry e, LunConfig lun, String where) throws ConfigException {
        if (e.size() == null) {
            return null;
        }
        long bytes = at(where + ".size", () -> Sizes.parse(e.size()));
        if (bytes > lun.sizeBytes() && bytes % lun.blockSize() != 0) {
            throw new ConfigException("config " + where + ".size: '" + e.size() + "' (" + bytes
                    + " bytes) is not a multiple of the " + lun.blockSize() + "-byte block size");
        }
        return bytes;
    }

    /**
     * {@code never} (the default, also for null); {@code where} names the key. {@code auto} and {@code always}
     * are withdrawn (issue 19): {@code sendfile} queues references to the page-cache pages, not copies, so a
     * WRITE or COMPARE AND WRITE answered after the read's range lock ended could still change bytes the
     * initiator had not yet received, and one block could arrive half old, half new (SBC-4 5.3 makes
     * COMPARE AND WRITE atomic towards every other command). {@code ZeroCopyTearTest} shows it on Linux 6.18.
     */
    static ZeroCopyReads zeroCopyReads(String text, String where) throws ConfigException {
        ZeroCopyReads mode = choice(ZeroCopyReads.class, text, ZeroCopyReads.NEVER, where, "never (the only one left)");
        if (mode != ZeroCopyReads.NEVER) {
            throw new ConfigException(where + ": '" + text + "' is withdrawn: sendfile leaves the socket referencing"
                    + " page-cache pages, so a WRITE or COMPARE AND WRITE of those blocks could change data the initiator"
                    + " had not yet received and it could read a torn block (README \"Zero-copy reads\"); remove it or use never");
        }
        return mode;
    }

    /** {@code auto} (the default, also for null), {@code function-complete} or {@code rfc}; {@code where} names the key. */
    static AbortFinishedTask abortFinishedTask(String text, String where) throws ConfigException {
        return choice(AbortFinishedTask.class, text, AbortFinishedTask.AUTO, where, "auto (the default: FUNCTION"
                + " COMPLETE for iqn.1998-01.com.vmware initiators), function-complete or rfc");
    }

    /**
     * The constant of {@code type} that {@code text} spells, in any case and trimmed: its name with '-' for '_'
     * ({@code function-complete}); {@code absent} for null. {@code use} lists the choices for the error.
     */
    private static <E extends Enum<E>> E choice(Class<E> type, String text, E absent, String where, String use)
            throws ConfigException {
        if (text == null) {
            return absent;
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().replace('_', '-').equalsIgnoreCase(text.trim())) {
                return e;
            }
        }
        throw new ConfigException(where + ": '" + text + "' is not a choice; use " + use);
    }

    private static ResourceLimits limits(Limits l) throws ConfigException {
        ResourceLimits d = ResourceLimits.defaults();
        if (l == null) {
            return d;
        }
        int connections = range("limits", "maxConnections", l.maxConnections(), d.maxConnections(), 1, 1_000_000);
        int sessions = range("limits", "maxSessions", l.maxSessions(), d.maxSessions(), 1, 65535);
        int perTarget = range("limits", "maxSessionsPerTarget", l.maxSessionsPerTarget(),
                Math.min(d.maxSessionsPerTarget(), sessions), 1, 65535);
        int login = range("limits", "loginTimeoutSeconds", l.loginTimeoutSeconds(),
                (int) d.loginTimeout().toSeconds(), 1, 3600);
        int dataOut = range("limits", "dataOutTimeoutSeconds", l.dataOutTimeoutSeconds(),
                (int) d.dataOutTimeout().toSeconds(), 1, 3600);
        long buffer = d.writeBytesPerConnection();
        if (l.writeBufferPerConnection() != null) {
            buffer = at("limits.writeBufferPerConnection", () -> Sizes.parse(l.writeBufferPerConnection()));
            if (buffer < 65536) {
                throw new ConfigException("config limits.writeBufferPerConnection: " + Sizes.format(buffer)
                        + " is too small; use at least 64K");
            }
        }
        return new ResourceLimits(connections, sessions, perTarget, Duration.ofSeconds(login), buffer,
                Duration.ofSeconds(dataOut));
    }

    private static LunConfig lun(LunEntry e, String where, Path baseDir, int gateway) throws ConfigException {
        if (e != null && e.rbd() != null) {
            if (e.file() != null) {
                throw new ConfigException("config " + where + ".rbd: a LUN has either a file or an rbd image, not both;"
                        + " remove one");
            }
            try {
                LunConfig lun = LunConfigs.withSoftThreshold(RbdLunConfigs.build(e, baseDir, gateway), e.softThresholdPercent());
                return LunConfigs.withRemovable(lun, e.removable());
            } catch (ConfigException ex) {
                throw ex.at("config " + where + (ex.field() == null ? "" : "." + ex.field()));
            }
        }
        if (e == null || e.file() == null || e.file().isBlank()) {
            throw new ConfigException("config " + where + ".file: missing; give the backing file, like file: data/lun0.img");
        }
        Path file = baseDir == null ? Path.of(e.file()) : baseDir.resolve(e.file());
        int blockSize = e.blockSize() == null ? 512 : e.blockSize();
        String writeCache = e.writeCache() == null ? LunConfigs.DEFAULT_WRITE_CACHE : e.writeCache();
        String product = e.productId() == null ? ServerConfig.DEFAULT_PRODUCT_ID : e.productId();
        try {
            LunConfig lun = LunConfigs.withSoftThreshold(LunConfigs.build(file, e.size(), blockSize, writeCache, product),
                    e.softThresholdPercent());
            lun = LunConfigs.withRemovable(lun, e.removable());
            return LunConfigs.withSanitize(LunConfigs.withReadOnly(lun, e.readOnly()), e.sanitize(), e.sanitizeRate());
        } catch (ConfigException ex) {
            throw ex.at("config " + where + (ex.field() == null ? "" : "." + ex.field()));
        }
    }

    private static TargetOffer offer(Negotiation n) throws ConfigException {
        TargetOffer d = TargetOffer.defaults();
        if (n == null) {
            return d;
        }
        int mrdsl = range("maxRecvDataSegmentLength", n.maxRecvDataSegmentLength(), d.maxRecvDataSegmentLength(), 512, 16777215);
        int mbl = range("maxBurstLength", n.maxBurstLength(), d.maxBurstLength(), 512, 16777215);
        int fbl = range("firstBurstLength", n.firstBurstLength(), Math.min(d.firstBurstLength(), mbl), 512, 16777215);
        if (fbl > mbl) {
            throw new ConfigException("config negotiation.firstBurstLength: " + fbl
                    + " is larger than maxBurstLength " + mbl + " (RFC 7143 13.14)");
        }
        int r2t = range("maxOutstandingR2T", n.maxOutstandingR2T(), d.maxOutstandingR2T(), 1, 65535);
        int depth = range("queueDepth", n.queueDepth(), d.queueDepth(), 1, 4096);
        int nop = range("nopInIntervalSeconds", n.nopInIntervalSeconds(), d.nopInIntervalSeconds(), 0, 3600);
        int nopTimeout = range("nopInTimeoutSeconds", n.nopInTimeoutSeconds(), d.nopInTimeoutSeconds(), 1, 3600);
        return new TargetOffer(mrdsl, mbl, fbl, r2t, depth, nop, nopTimeout);
    }

    private static int range(String key, Integer value, int dflt, int min, int max) throws ConfigException {
        return range("negotiation", key, value, dflt, min, max);
    }

    private static int range(String section, String key, Integer value, int dflt, int min, int max)
            throws ConfigException {
        if (value == null) {
            return dflt;
        }
        if (value < min || value > max) {
            throw new ConfigException("config " + section + "." + key + ": " + value + " is out of range; use " + min
                    + " to " + max);
        }
        return value;
    }

    private interface Check<T> {
        T get() throws ConfigException;
    }

    private static <T> T at(String where, Check<T> check) throws ConfigException {
        try {
            return check.get();
        } catch (ConfigException e) {
            throw e.at("config " + where);
        }
    }

    /** {@code targets[1].luns[0].size} from Jackson's reference path. */
    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.length() == 0 ? "(top level)" : sb.toString();
    }

    private static String describe(Class<?> type) {
        if (type == null) {
            return "another kind of value";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
            return "a whole number";
        }
        if (type == String.class) {
            return "a single value";
        }
        if (List.class.isAssignableFrom(type)) {
            return "a list ('- item' lines)";
        }
        return "a mapping of keys ('key: value' lines)";
    }

    private static String lineOf(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }
}
