package org.vaaitarget.server.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.server.admin.AdminException;
import org.vaaitarget.server.admin.AdminServer;
import org.vaaitarget.server.login.AuthConfig;
import org.vaaitarget.server.login.ChapCredentials;
import org.vaaitarget.server.login.InitiatorRule;
import org.vaaitarget.server.login.TargetAccess;
import org.vaaitarget.server.session.ResourceLimits;
import org.vaaitarget.server.session.TargetOffer;
import org.vaaitarget.server.session.ZeroCopyReads;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The command line: {@code java -jar iscsi-target.jar [options]}.
 *
 * <p>Precedence: flags describe one target; {@code --config} describes everything. The two do not mix:
 * giving {@code --config} with {@code --portal}, {@code --iqn}, {@code --lun}, {@code --block-size},
 * {@code --write-cache}, {@code --zero-copy-reads}, {@code --metrics}, {@code --chap}, {@code --mutual-chap} or {@code --allow} is an
 * error (exit 2). Only {@code --verbose} and {@code --log-format} combine with {@code --config}.
 *
 * <p>Exit codes: 0 after a clean shutdown (SIGTERM/SIGINT), 1 when the server cannot start (port in use,
 * LUN file cannot be opened), 2 for bad flags or configuration (one line on stderr naming the flag or key).
 */
@Command(name = "iscsi-target", mixinStandardHelpOptions = true, versionProvider = Main.BuildVersion.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "An iSCSI target (RFC 7143) serving file-backed LUNs, with SBC-4 block commands and VMware VAAI.",
        footer = {"", "Without options: serves a 1 GiB sparse LUN from ./data/lun0.img on 0.0.0.0:3260 as "
                + ServerConfig.DEFAULT_IQN + ".",
                "Exit codes: 0 clean shutdown, 1 cannot start (port in use, LUN file), 2 bad flags or config.",
                "Admin: 'ctl --help' (status, sessions, luns, config, reload, resize, logout of a running server)."})
public final class Main implements Callable<Integer> {
    /** The build's version (the pom's), as {@code --version} prints it. */
    static final String VERSION = BuildVersion.version();
    /** The admin socket's file name beside the data, and {@code ctl}'s default with the default LUN. */
    static final String ADMIN_SOCKET_NAME = "admin.sock";
    static final String DEFAULT_ADMIN_SOCKET = "./data/" + ADMIN_SOCKET_NAME;
    static final String DEFAULT_LUN = "./data/lun0.img:1G";
    static final String DEFAULT_PORTAL = "0.0.0.0:3260";
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    /** {@code --version}: the pom's version, written into version.properties by the build (resource filtering). */
    static final class BuildVersion implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"iscsi-target " + version()};
        }

        static String version() {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                // fall through: unknown
            }
            return p.getProperty("version", "unknown");
        }
    }

    /** {@code ctl --version}. */
    static final class CtlVersion implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"iscsi-target ctl " + BuildVersion.version()};
        }
    }

    /** What to do with a valid configuration; tests replace it to inspect the configuration. */
    interface Launcher {
        int launch(ServerConfig config, PrintWriter out, PrintWriter err);
    }

    @Option(names = "--portal", paramLabel = "HOST:PORT",
            description = "Listen address (repeatable); IPv6 in brackets: [::1]:3260. Default: " + DEFAULT_PORTAL)
    List<String> portals = new ArrayList<>();

    @Option(names = "--iqn", paramLabel = "NAME",
            description = "Target name: iqn.YYYY-MM.reversed.domain[:id], eui.<16 hex> or naa.<16|32 hex>. Default: "
                    + ServerConfig.DEFAULT_IQN)
    String iqn;

    private static final String READ_ONLY_SUFFIX = ":ro";

    @Option(names = "--lun", paramLabel = "FILE[:SIZE][:ro]",
            description = "A LUN (repeatable: LUN 0, 1, 2...). FILE is created sparse at SIZE (512M, 10G, 1T or bytes) "
                    + "when missing; an existing file is used at its own size (SIZE may be omitted). ':ro' serves an "
                    + "existing FILE write-protected. Default: " + DEFAULT_LUN)
    List<String> luns = new ArrayList<>();

    @Option(names = "--block-size", paramLabel = "512|4096", description = "Logical block size of the LUNs. Default: 512")
    String blockSize;

    @Option(names = "--write-cache", paramLabel = "back|through",
            description = "through (default): every write is on disk before GOOD (WCE=0; one fdatasync per batch"
                    + " of writes); back: writes are cached (WCE=1), FUA and SYNCHRONIZE CACHE force them to disk"
                    + " (for initiators that flush, like Linux, or power-protected machines).")
    String writeCache;

    @Option(names = "--zero-copy-reads", paramLabel = "never",
            description = "never (the only value): reads are copied. auto and always (sendfile from the LUN file) are "
                    + "withdrawn: the socket kept referencing page-cache pages that a later write could change (README).")
    String zeroCopyReads;

    @Option(names = "--chap", paramLabel = "USER:SECRET",
            description = "Require one-way CHAP: the initiator logs in as USER with SECRET (12 to 255 bytes; the secret "
                    + "follows the last ':'). Prefer --config for secrets: command lines are visible to other users.")
    String chap;

    @Option(names = "--mutual-chap", paramLabel = "USER:SECRET",
            description = "Mutual CHAP (needs --chap): the target answers the initiator's challenge as USER with SECRET "
                    + "(must differ from the --chap secret).")
    String mutualChap;

    @Option(names = "--allow", paramLabel = "IQN",
            description = "Only this initiator may log in and discover the target (repeatable). Default: every initiator.")
    List<String> allow = new ArrayList<>();

    @Option(names = "--metrics", paramLabel = "HOST:PORT",
            description = "Serve Prometheus metrics (GET /metrics) and a health check (GET /healthz) over HTTP here, "
                    + "e.g. 127.0.0.1:9470. Default: off. With --config: YAML metrics.listen instead.")
    String metrics;

    @Option(names = "--config", paramLabel = "FILE",
            description = "YAML configuration (several targets, per-LUN options, negotiation); excludes the flags above.")
    Path config;

    @Option(names = "--admin-socket", paramLabel = "PATH",
            description = "The admin socket (Unix domain socket, mode 0600) for 'ctl'. Default: admin.socket of --config,"
                    + " else admin.sock in the directory of the first LUN file (" + DEFAULT_ADMIN_SOCKET + ").")
    Path adminSocket;

    @Option(names = "--check-config", paramLabel = "FILE",
            description = "Check a YAML configuration (as --config would read it) and exit: 0 valid, 2 with the error.")
    Path checkConfig;

    @Option(names = {"-v", "--verbose"}, description = "Debug logging (same as LOG_LEVEL=DEBUG).")
    boolean verbose;

    @Option(names = "--log-format", paramLabel = "text|json",
            description = "Console log format: text (default; ISO 8601 timestamps with the zone) or json (one JSON "
                    + "object per line, key/value fields in kvpList). Combines with --config and wins over its "
                    + "logging.format.")
    String logFormat;

    /** The config file's logging.format, when it sets one. */
    private Logging.Format configLogFormat;

    /** The admin socket named by the --config file, if any. */
    private Path configAdminSocket;
    private final Launcher launcher;
    private PrintWriter out;
    private PrintWriter err;

    public Main() {
        this.launcher = null; // serve(): an instance method, it needs --config and --admin-socket
    }

    Main(Launcher launcher) {
        this.launcher = launcher;
    }

    /** Netty's setting for the largest buffer its per-thread caches keep (its default is 32 KiB). */
    static final String NETTY_CACHED_BUFFER_MAX = "io.netty.allocator.maxCachedBufferCapacity";

    public static void main(String[] args) {
        defaultNettySettings();
        int code = commandLine(new Main(), new PrintWriter(System.out, true), new PrintWriter(System.err, true))
                .execute(args);
        System.exit(code);
    }

    /**
     * Called before any Netty allocator exists: lets the per-thread buffer caches keep buffers up to
     * 256 KiB, so that a store thread reuses the read buffers it just had, still in the CPU cache, instead
     * of taking them from the shared arena (128 KiB sequential reads after a mixed load, iscsi-perf,
     * alternating runs: 2,240 MiB/s on average against 2,040 with Netty's 32 KiB default; RSS with 64
     * busy sessions unchanged). A {@code -D} on the command line wins.
     */
    static void defaultNettySettings() {
        if (System.getProperty(NETTY_CACHED_BUFFER_MAX) == null) {
            System.setProperty(NETTY_CACHED_BUFFER_MAX, String.valueOf(256 * 1024));
        }
    }

    /** The configured picocli command line: every parse error is one {@code error:} line and exit code 2. */
    static CommandLine commandLine(Main main, PrintWriter out, PrintWriter err) {
        main.out = out;
        main.err = err;
        CommandLine cmd = new CommandLine(main);
        cmd.addSubcommand("ctl", Ctl.commandLine());
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setParameterExceptionHandler((e, args) -> {
            err.println("error: " + firstLine(e.getMessage()) + " (see --help)");
            err.flush();
            return 2;
        });
        cmd.setExecutionExceptionHandler((e, c, parsed) -> {
            err.println("error: internal failure: " + e);
            err.flush();
            LOG.debug("Internal failure", e);
            return 1;
        });
        return cmd;
    }

    @Override
    public Integer call() {
        if (verbose) {
            Logging.enableDebug();
        }
        if (checkConfig != null) {
            return check(checkConfig);
        }
        ServerConfig cfg;
        try {
            Logging.Format flagFormat = logFormat == null ? null : Logging.Format.parse(logFormat, "--log-format");
            cfg = toServerConfig();
            Logging.useFormat(flagFormat != null ? flagFormat
                    : configLogFormat != null ? configLogFormat : Logging.Format.TEXT);
        } catch (ConfigException e) {
            err.println("error: " + e.getMessage());
            err.flush();
            return 2;
        }
        return launcher != null ? launcher.launch(cfg, out, err) : serve(cfg, out, err);
    }

    /** --check-config: the file as --config would read it; 0 and one line, or 2 and the error. */
    private int check(Path file) {
        try {
            ServerConfig cfg = ConfigLoader.load(file);
            int luns = cfg.targets().stream().mapToInt(t -> t.luns().size()).sum();
            out.println(file + ": valid (" + cfg.targets().size() + " target(s), " + luns + " LUN(s), "
                    + cfg.portals().size() + " portal(s))");
            out.flush();
            return 0;
        } catch (ConfigException e) {
            err.println("error: " + e.getMessage());
            err.flush();
            return 2;
        }
    }

    /** The admin socket: --admin-socket, else admin.socket of --config, else admin.sock beside the data. */
    Path adminSocket(ServerConfig cfg) {
        if (adminSocket != null) {
            return adminSocket;
        }
        return configAdminSocket != null ? configAdminSocket : defaultAdminSocket(cfg);
    }

    /**
     * {@code admin.sock} in the directory of the first LUN file (first target first); in the working directory when
     * every LUN is an RBD image (give {@code admin.socket} then).
     */
    static Path defaultAdminSocket(ServerConfig cfg) {
        Path first = cfg.targets().stream().flatMap(t -> t.luns().stream()).map(LunConfig::file)
                .filter(java.util.Objects::nonNull).findFirst().orElse(Path.of("x"));
        Path dir = first.getParent() == null ? Path.of(".") : first.getParent();
        return dir.resolve(ADMIN_SOCKET_NAME);
    }

    /** The server configuration these flags (or the --config file) describe. */
    ServerConfig toServerConfig() throws ConfigException {
        if (config != null) {
            String flag = !portals.isEmpty() ? "--portal" : iqn != null ? "--iqn" : !luns.isEmpty() ? "--lun"
                    : blockSize != null ? "--block-size" : writeCache != null ? "--write-cache"
                    : zeroCopyReads != null ? "--zero-copy-reads" : metrics != null ? "--metrics"
                    : chap != null ? "--chap" : mutualChap != null ? "--mutual-chap" : !allow.isEmpty() ? "--allow" : null;
            if (flag != null) {
                throw new ConfigException(flag + " cannot be combined with --config: put it in the config file"
                        + " (flags describe a single target, --config everything)");
            }
            ConfigLoader.ConfigFile file = ConfigLoader.read(config);
            configAdminSocket = file.adminSocket();
            configLogFormat = file.logFormat();
            return file.server();
        }
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (String p : portals.isEmpty() ? List.of(DEFAULT_PORTAL) : portals) {
            try {
                addresses.add(Portals.parse(p));
            } catch (ConfigException e) {
                throw new ConfigException("--portal '" + p + "': " + e.getMessage().replaceFirst("^portal '[^']*'(: )?", ""));
            }
        }
        String name = iqn == null ? ServerConfig.DEFAULT_IQN : iqn;
        try {
            IscsiNames.requireValid(name);
        } catch (ConfigException e) {
            throw e.at("--iqn");
        }
        int block = parseBlockSize();
        try {
            LunConfigs.writeCacheMode(writeCache == null ? LunConfigs.DEFAULT_WRITE_CACHE : writeCache);
        } catch (ConfigException e) {
            throw e.at("--write-cache");
        }
        List<LunConfig> lunConfigs = new ArrayList<>();
        for (String spec : luns.isEmpty() ? List.of(DEFAULT_LUN) : luns) {
            LunConfig lun = parseLun(spec, block);
            for (LunConfig other : lunConfigs) {
                if (other.file().toAbsolutePath().normalize().equals(lun.file().toAbsolutePath().normalize())) {
                    throw new ConfigException("--lun '" + spec + "': file '" + lun.file() + "' is already used by another LUN");
                }
            }
            lunConfigs.add(lun);
        }
        ZeroCopyReads zeroCopy = ConfigLoader.zeroCopyReads(zeroCopyReads, "--zero-copy-reads");
        InetSocketAddress metricsListen = metrics == null ? null : ConfigLoader.metricsAddress(metrics, "--metrics");
        return new ServerConfig(addresses, TargetOffer.defaults(),
                List.of(new ServerConfig.Target(name, null, lunConfigs, access())), AuthConfig.NONE,
                ResourceLimits.defaults(), zeroCopy, metricsListen);
    }

    /** --chap, --mutual-chap and --allow as the target's access rules. */
    private TargetAccess access() throws ConfigException {
        ChapCredentials one = chap == null ? null : AccessConfigs.flag(chap, "--chap");
        ChapCredentials two = mutualChap == null ? null : AccessConfigs.flag(mutualChap, "--mutual-chap");
        AuthConfig auth = AccessConfigs.auth(one, two, "--chap", "--mutual-chap");
        List<InitiatorRule> rules = new ArrayList<>();
        for (String name : allow) {
            rules.add(InitiatorRule.named(AccessConfigs.initiatorName(name, "--allow '" + name + "'")));
        }
        return new TargetAccess(auth, rules, Map.of());
    }

    private int parseBlockSize() throws ConfigException {
        if (blockSize == null) {
            return 512;
        }
        if (!blockSize.equals("512") && !blockSize.equals("4096")) {
            throw new ConfigException("--block-size '" + blockSize + "': use 512 or 4096");
        }
        return Integer.parseInt(blockSize);
    }

    /**
     * {@code FILE}, {@code FILE:SIZE}, either followed by {@code :ro} (read-only); the size is what follows the
     * last ':' when there is one.
     */
    private LunConfig parseLun(String spec, int block) throws ConfigException {
        boolean readOnly = spec.endsWith(READ_ONLY_SUFFIX);
        String rest = readOnly ? spec.substring(0, spec.length() - READ_ONLY_SUFFIX.length()) : spec;
        int colon = rest.lastIndexOf(':');
        String file = colon < 0 ? rest : rest.substring(0, colon);
        String size = colon < 0 ? null : rest.substring(colon + 1);
        if (file.isEmpty()) {
            throw new ConfigException("--lun '" + spec + "': no file; use FILE:SIZE like data/lun0.img:10G");
        }
        if (size != null && size.isEmpty()) {
            throw new ConfigException("--lun '" + spec + "': empty size after ':'; use FILE:SIZE like data/lun0.img:10G");
        }
        try {
            return LunConfigs.withReadOnly(LunConfigs.build(Path.of(file), size, block,
                    writeCache == null ? LunConfigs.DEFAULT_WRITE_CACHE : writeCache, ServerConfig.DEFAULT_PRODUCT_ID), readOnly);
        } catch (ConfigException e) {
            throw e.at("--lun '" + spec + "'");
        } catch (java.nio.file.InvalidPathException e) {
            throw new ConfigException("--lun '" + spec + "': '" + file + "' is not a valid path");
        }
    }

    /**
     * The real launcher: start, open the admin socket, print what is served, reload on SIGHUP, wait for
     * SIGTERM/SIGINT, shut down cleanly, exit 0.
     */
    private int serve(ServerConfig config, PrintWriter out, PrintWriter err) {
        for (ServerConfig.Target t : config.targets()) {
            for (LunConfig lun : t.luns()) {
                if (lun.file() == null) {
                    continue; // not a file LUN
                }
                Path parent = lun.file().toAbsolutePath().getParent();
                try {
                    Files.createDirectories(parent);
                } catch (IOException e) {
                    err.println("error: cannot create the directory '" + parent + "' for " + lun.file() + ": " + e.getMessage());
                    err.flush();
                    return 1;
                }
            }
        }
        RunningServer server;
        try {
            server = TargetServer.start(config);
        } catch (StartupException e) {
            err.println("error: " + firstLine(e.getMessage()));
            err.flush();
            return 1;
        }
        SdNotify systemd = SdNotify.fromEnvironment();
        Path socket = adminSocket(config);
        AdminServer admin;
        try {
            admin = server.openAdminSocket(socket, this.config);
        } catch (IOException e) {
            server.close();
            err.println("error: " + firstLine(e.getMessage()));
            err.flush();
            return 1;
        }
        Signals.onHangup(() -> {
            try {
                if (this.config == null) {
                    LOG.warn("SIGHUP: started without --config, nothing to reload");
                    return;
                }
                LOG.info("SIGHUP: reloading {}", this.config);
                server.reload(this.config);
            } catch (AdminException e) {
                LOG.error("Reload on SIGHUP failed: {}", e.getMessage());
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("Signal received: stopping");
            systemd.stopping();
            admin.close();
            server.close();
            // The JVM would exit with 128+signal; a clean shutdown after SIGTERM/SIGINT exits 0 (documented).
            Runtime.getRuntime().halt(0);
        }, "shutdown"));
        List<String> serving = describe(config, server.boundAddresses());
        for (String line : serving) {
            if (Logging.jsonConsole()) {
                LOG.info(line); // stdout is a JSON stream: the line becomes a record of it
            } else {
                out.println(line);
            }
        }
        out.flush();
        // Type=notify: the portals are bound and the LUNs open (TargetServer.start returned).
        systemd.ready(serving.size() == 1 ? serving.get(0) : "Serving " + serving.size() + " targets");
        server.awaitClosed();
        return 0;
    }

    /** One line per target: {@code Serving IQN on PORTALS (LUN 0: FILE, 1 GiB, 512-byte blocks, write-back)}. */
    static List<String> describe(ServerConfig config, List<InetSocketAddress> bound) {
        // The configured address with the bound port: a socket bound to 0.0.0.0 may report itself as [::].
        List<String> shown = new ArrayList<>();
        for (int i = 0; i < bound.size(); i++) {
            InetSocketAddress configured = i < config.portals().size() ? config.portals().get(i) : bound.get(i);
            shown.add(Portals.format(new InetSocketAddress(configured.getAddress(), bound.get(i).getPort())));
        }
        String portalsText = String.join(", ", shown);
        List<String> lines = new ArrayList<>();
        for (ServerConfig.Target t : config.targets()) {
            List<String> lunTexts = new ArrayList<>();
            for (int n = 0; n < t.luns().size(); n++) {
                LunConfig l = t.luns().get(n);
                lunTexts.add("LUN " + n + ": " + l.describe() + ", " + Sizes.format(l.sizeBytes()) + ", " + l.blockSize()
                        + "-byte blocks, " + (l.readOnly() ? "read-only"
                                : l.writeCache() == LunConfig.WriteCacheMode.WRITE_BACK ? "write-back" : "write-through"));
            }
            lines.add("Serving " + t.iqn() + " on " + portalsText + " (" + String.join("; ", lunTexts) + ")");
        }
        return lines;
    }

    /** The first line of a message, trimmed ("" for null). */
    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }
}
