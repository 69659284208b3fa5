package org.vaaitarget.server.admin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin socket: a Unix domain socket (never TCP), mode 0600, served by one thread of its own (never
 * a Netty event loop). Each connection carries one request and one reply ({@link AdminProtocol});
 * requests run one at a time, in arrival order. Only the user the server runs as (and root) may use it:
 * the file mode says so, and each connection's peer credentials (SO_PEERCRED) are checked as well.
 *
 * <p>Adding a command: register an {@link AdminCommand} under its name in the map given to
 * {@link #start}, and add a {@code ctl} subcommand that sends it.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    /** A client that has not sent its whole request within this time is disconnected. */
    static final long REQUEST_TIMEOUT_SECONDS = 10;

    private final Path path;
    private final ServerSocketChannel listener;
    private final Map<String, AdminCommand> commands;
    private final Thread thread;
    private final ScheduledExecutorService watchdog;
    private volatile boolean closed;

    private AdminServer(Path path, ServerSocketChannel listener, Map<String, AdminCommand> commands) {
        this.path = path;
        this.listener = listener;
        this.commands = Map.copyOf(commands);
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "admin-watchdog"));
        this.thread = daemon(this::serve, "admin");
    }

    /**
     * Creates the socket at {@code path} (its directory too) with mode 0600 and starts serving. A stale
     * socket file left by a server that is gone is replaced; one a running server answers on is not.
     *
     * @throws IOException when the socket cannot be created; the message names the path
     */
    public static AdminServer start(Path path, Map<String, AdminCommand> commands) throws IOException {
        Path target = path.toAbsolutePath().normalize();
        Path dir = target.getParent();
        Files.createDirectories(dir);
        if (Files.exists(target)) {
            if (answers(target)) {
                throw new IOException("admin socket " + path + " is in use by another running server; give another"
                        + " path with --admin-socket or admin: {socket: PATH}");
            }
            Files.deleteIfExists(target);
        }
        // Bound under a temporary name, made 0600, then renamed: the socket is never reachable with the
        // mode the umask would have given it.
        Path temporary = dir.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        Files.deleteIfExists(temporary);
        ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            listener.bind(UnixDomainSocketAddress.of(temporary));
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            listener.close();
            Files.deleteIfExists(temporary);
            throw new IOException("cannot create the admin socket " + path + ": " + e.getMessage(), e);
        }
        AdminServer server = new AdminServer(target, listener, new LinkedHashMap<>(commands));
        server.thread.start();
        LOG.info("Admin socket: {}", target);
        return server;
    }

    /** Where the socket is. */
    public Path path() {
        return path;
    }

    private static boolean answers(Path socket) {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void serve() {
        while (!closed) {
            SocketChannel ch;
            try {
                ch = listener.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("Admin socket {}: accept failed: {}", path, e.toString());
                }
                return;
            }
            try (ch) {
                handle(ch);
            } catch (IOException e) {
                LOG.debug("Admin connection ended: {}", e.toString());
            } catch (RuntimeException e) {
                LOG.warn("Admin command failed", e);
            }
        }
    }

    private void handle(SocketChannel ch) throws IOException {
        if (!permitted(ch)) {
            write(ch, error("permission denied: only the user the server runs as (or root) may use the admin socket"));
            return;
        }
        ScheduledFuture<?> timeout = watchdog.schedule(() -> closeQuietly(ch), REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        String line;
        try {
            line = readLine(ch, AdminProtocol.MAX_REQUEST);
        } finally {
            timeout.cancel(false);
        }
        if (line == null) {
            return;
        }
        Map<String, Object> reply;
        try {
            AdminProtocol.Request request = AdminProtocol.JSON.readValue(line, AdminProtocol.Request.class);
            AdminCommand command = request.command() == null ? null : commands.get(request.command());
            if (command == null) {
                reply = error("unknown command '" + request.command() + "'; known: " + String.join(", ", commands.keySet()));
            } else {
                AdminReply r = command.run(request.args(), request.options());
                reply = new LinkedHashMap<>();
                reply.put("ok", true);
                reply.put("text", r.text());
                reply.put("data", r.data());
            }
        } catch (AdminException e) {
            reply = error(e.getMessage());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            reply = error("bad request: " + e.getOriginalMessage());
        } catch (RuntimeException e) {
            LOG.warn("Admin command failed", e);
            reply = error("internal failure: " + e);
        }
        write(ch, reply);
    }

    /** The peer runs as our user or as root (SO_PEERCRED); true where the platform cannot tell. */
    private static boolean permitted(SocketChannel ch) {
        try {
            UnixDomainPrincipal peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
            UserPrincipal user = peer.user();
            String name = user.getName();
            return name.equals("root") || name.equals(System.getProperty("user.name"));
        } catch (UnsupportedOperationException | IOException e) {
            return true; // the 0600 mode of the socket file still applies
        }
    }

    private static Map<String, Object> error(String message) {
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("ok", false);
        reply.put("error", message);
        return reply;
    }

    private static void write(SocketChannel ch, Map<String, Object> reply) throws IOException {
        byte[] bytes = (AdminProtocol.JSON.writeValueAsString(reply) + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    /** One line of at most {@code max} bytes, without its newline; null at end of stream before any byte. */
    static String readLine(SocketChannel ch, int max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(4096);
        while (true) {
            buf.clear();
            int n = ch.read(buf);
            if (n < 0) {
                return out.size() == 0 ? null : out.toString(StandardCharsets.UTF_8);
            }
            for (int i = 0; i < n; i++) {
                byte b = buf.get(i);
                if (b == '\n') {
                    return out.toString(StandardCharsets.UTF_8);
                }
                out.write(b);
            }
            if (out.size() > max) {
                throw new IOException("line longer than " + max + " bytes");
            }
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Stops serving and removes the socket file. */
    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            LOG.debug("Closing the admin socket: {}", e.toString());
        }
        watchdog.shutdownNow();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.debug("Removing the admin socket {}: {}", path, e.toString());
        }
    }
}
