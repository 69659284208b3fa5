package org.vaaitarget.conformance.support;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.core.config.LunConfig.WriteCacheMode;
import org.vaaitarget.server.app.RunningServer;
import org.vaaitarget.server.app.ServerConfig;
import org.vaaitarget.server.app.StartupException;
import org.vaaitarget.server.app.TargetServer;
import org.vaaitarget.server.login.TargetAccess;

/**
 * The target a conformance test talks to: our server started in-process on 127.0.0.1 (a free port) with
 * a sparse LUN file in a temporary folder, or, when the system property {@code conformance.url} is set
 * ({@code iscsi://HOST:PORT/IQN/LUN}), an external target such as the peer tgt.
 */
public final class TestTarget implements AutoCloseable {
    public static final String URL_PROPERTY = "conformance.url";
    public static final String IQN = "iqn.2026-11.org.vaaitarget:conformance";
    public static final String PRODUCT_ID = "VAAI-CONFORM";

    private final ServerConfig config;
    private RunningServer server;
    private String host;
    private int port;
    private final String iqn;
    private final int lun;

    private TestTarget(ServerConfig config, RunningServer server, String host, int port, String iqn, int lun) {
        this.config = config;
        this.server = server;
        this.host = host;
        this.port = port;
        this.iqn = iqn;
        this.lun = lun;
    }

    /** The external target named by {@code -Dconformance.url}, or our server with one LUN of {@code lunBytes} in {@code dir}. */
    public static TestTarget start(Path dir, long lunBytes) throws StartupException {
        return start(dir, lunBytes, false);
    }

    /**
     * Like {@link #start(Path, long)}; {@code removable} gives our server's LUN a removable medium
     * (INQUIRY RMB=1, {@link LunConfig#removable()}). An external target is used as it is.
     */
    public static TestTarget start(Path dir, long lunBytes, boolean removable) throws StartupException {
        String url = System.getProperty(URL_PROPERTY, "");
        if (!url.isBlank()) {
            return external(url);
        }
        return inProcessCustomized(dir, lunBytes, removable, UnaryOperator.identity());
    }

    /**
     * Our server (never an external one) with one LUN of {@code lunBytes} in {@code dir}, its configuration
     * changed by {@code customize} (limits, negotiation offer) before it starts.
     */
    public static TestTarget start(Path dir, long lunBytes, UnaryOperator<ServerConfig> customize)
            throws StartupException {
        return inProcessCustomized(dir, lunBytes, false, customize);
    }

    /**
     * Our server (never an external one) with one LUN of {@code lunBytes} in {@code dir} whose configuration
     * {@code lun} changes (read-only, sanitize...); the LUN file is created sparse first, so that a read-only
     * LUN has its file.
     */
    public static TestTarget startWithLun(Path dir, long lunBytes, UnaryOperator<LunConfig> lun) throws StartupException {
        Path file = dir.resolve("lun0.img");
        try {
            if (!java.nio.file.Files.exists(file)) {
                try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
                    f.setLength(lunBytes);
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return inProcessCustomized(dir, lunBytes, false, UnaryOperator.identity(), lun);
    }

    private static TestTarget inProcessCustomized(Path dir, long lunBytes, boolean removable,
                                                  UnaryOperator<ServerConfig> customize) throws StartupException {
        return inProcessCustomized(dir, lunBytes, removable, customize, UnaryOperator.identity());
    }

    private static TestTarget inProcessCustomized(Path dir, long lunBytes, boolean removable,
                                                  UnaryOperator<ServerConfig> customize, UnaryOperator<LunConfig> lun)
            throws StartupException {
        // WRITE_THROUGH: the server's default (WCE=0, group commit), so the suites test what users run
        LunConfig lunConfig = lun.apply(new LunConfig(dir.resolve("lun0.img"), lunBytes, 512, WriteCacheMode.WRITE_THROUGH,
                PRODUCT_ID, 0, removable));
        ServerConfig config = customize.apply(
                ServerConfig.single(new InetSocketAddress("127.0.0.1", 0), IQN, List.of(lunConfig)));
        RunningServer server = TargetServer.start(config);
        InetSocketAddress bound = server.boundAddresses().get(0);
        return new TestTarget(config, server, bound.getHostString(), bound.getPort(), IQN, 0);
    }

    /**
     * Our server (always in-process, whatever {@code conformance.url} says) with one LUN per entry of
     * {@code lunCount}, each of {@code lunBytes}, and the given authentication and access rules.
     */
    public static TestTarget inProcess(Path dir, long lunBytes, int lunCount, TargetAccess access) throws StartupException {
        List<LunConfig> luns = new java.util.ArrayList<>();
        for (int n = 0; n < lunCount; n++) {
            luns.add(new LunConfig(dir.resolve("lun" + n + ".img"), lunBytes, 512, WriteCacheMode.WRITE_THROUGH, PRODUCT_ID));
        }
        ServerConfig config = new ServerConfig(List.of(new InetSocketAddress("127.0.0.1", 0)),
                org.vaaitarget.server.session.TargetOffer.defaults(), List.of(new ServerConfig.Target(IQN, null, luns, access)));
        RunningServer server = TargetServer.start(config);
        InetSocketAddress bound = server.boundAddresses().get(0);
        return new TestTarget(config, server, bound.getHostString(), bound.getPort(), IQN, 0);
    }

    /** Our server started in-process with {@code config}; the test talks to its first portal and LUN 0 of its first target. */
    public static TestTarget serve(ServerConfig config) throws StartupException {
        RunningServer server = TargetServer.start(config);
        InetSocketAddress bound = server.boundAddresses().get(0);
        return new TestTarget(config, server, bound.getHostString(), bound.getPort(), config.targets().get(0).iqn(), 0);
    }

    static TestTarget external(String url) {
        URI uri = URI.create(url);
        String[] path = uri.getPath() == null ? new String[0] : uri.getPath().split("/");
        if (!"iscsi".equals(uri.getScheme()) || uri.getHost() == null || path.length != 3) {
            throw new IllegalArgumentException("-D" + URL_PROPERTY + "='" + url + "' is not like iscsi://127.0.0.1:3260/IQN/LUN");
        }
        return new TestTarget(null, null, uri.getHost(), uri.getPort() < 0 ? 3260 : uri.getPort(), path[1],
                Integer.parseInt(path[2]));
    }

    public boolean isExternal() {
        return server == null && config == null;
    }

    /** {@code iscsi://HOST:PORT/IQN/LUN} for libiscsi tools. */
    public String url() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return "iscsi://" + h + ":" + port + "/" + iqn + "/" + lun;
    }

    /** {@code iscsi://HOST:PORT} (no target): for iscsi-ls discovery. */
    public String portalUrl() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return "iscsi://" + h + ":" + port;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String iqn() {
        return iqn;
    }

    public int lun() {
        return lun;
    }

    /** The configured size of LUN 0 of the in-process server. */
    public long lunBytes() {
        return config.targets().get(0).luns().get(0).sizeBytes();
    }

    /** Closes our server and starts it again on the same files (the port may change). */
    public void restart() throws StartupException {
        if (isExternal()) {
            throw new IllegalStateException("cannot restart an external target");
        }
        server.close();
        server = TargetServer.start(config);
        InetSocketAddress bound = server.boundAddresses().get(0);
        host = bound.getHostString();
        port = bound.getPort();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
