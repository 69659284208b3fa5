package org.vaaitarget.server.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sd_notify for {@code Type=notify}: the datagrams systemd would receive, caught by a Unix datagram socket
 * of the test (bound with JNA, as systemd binds its notification socket).
 */
class SdNotifyTest {
    @TempDir
    Path dir;

    interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int socket(int domain, int type, int protocol) throws LastErrorException;

        int bind(int fd, byte[] addr, int addrLen) throws LastErrorException;

        int setsockopt(int fd, int level, int name, byte[] value, int len) throws LastErrorException;

        long recv(int fd, byte[] buf, long len, int flags) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    /** A bound AF_UNIX datagram socket standing in for systemd's notification socket. */
    static final class Receiver implements AutoCloseable {
        final String address;
        private final int fd;

        Receiver(String address) {
            this.address = address;
            fd = LibC.INSTANCE.socket(1 /* AF_UNIX */, 2 /* SOCK_DGRAM */, 0);
            byte[] sockaddr = SdNotify.sockaddr(address);
            LibC.INSTANCE.bind(fd, sockaddr, sockaddr.length);
            // Not a timing threshold: only keeps a broken notifier from hanging the build.
            ByteBuffer timeval = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putLong(120).putLong(0);
            LibC.INSTANCE.setsockopt(fd, 1 /* SOL_SOCKET */, 20 /* SO_RCVTIMEO */, timeval.array(), 16);
        }

        /** The next datagram's text. */
        String receive() {
            byte[] buf = new byte[4096];
            long n = LibC.INSTANCE.recv(fd, buf, buf.length, 0);
            return new String(buf, 0, (int) n, StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            LibC.INSTANCE.close(fd);
        }
    }

    @Test
    void sendsToAPathSocket() {
        try (Receiver systemd = new Receiver(dir.resolve("notify").toString())) {
            SdNotify n = new SdNotify(systemd.address);
            assertTrue(n.enabled());
            n.ready("Serving x");
            assertEquals("READY=1\nSTATUS=Serving x", systemd.receive());
            n.stopping();
            assertEquals("STOPPING=1\nSTATUS=Stopping", systemd.receive());
        }
    }

    @Test
    void sendsToAnAbstractSocket() {
        String name = "@vaai-target-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try (Receiver systemd = new Receiver(name)) {
            assertTrue(new SdNotify(name).send("READY=1"));
            assertEquals("READY=1", systemd.receive());
        }
    }

    @Test
    void sockaddrLayout() {
        byte[] path = SdNotify.sockaddr("/run/x");
        assertEquals(2 + 6 + 1, path.length, "family, path, NUL");
        assertEquals('/', path[2]);
        assertEquals(0, path[path.length - 1]);
        byte[] abstractName = SdNotify.sockaddr("@ab");
        byte[] expected = new byte[] {0, 0, 0, 'a', 'b'};
        ByteBuffer.wrap(expected).order(ByteOrder.nativeOrder()).putShort((short) 1);
        assertArrayEquals(expected, abstractName, "family, NUL, name, no terminator");
        assertThrows(IllegalArgumentException.class, () -> SdNotify.sockaddr("relative/path"));
        assertThrows(IllegalArgumentException.class, () -> SdNotify.sockaddr("/" + "x".repeat(SdNotify.SUN_PATH)));
    }

    @Test
    void withoutNotifySocketOrWithABadOneNothingFails() {
        assertFalse(new SdNotify(null).enabled());
        assertFalse(new SdNotify(null).send("READY=1"));
        assertFalse(new SdNotify(dir.resolve("nobody-listens").toString()).send("READY=1"), "ECONNREFUSED/ENOENT: logged");
        assertFalse(new SdNotify("vsock:2:1234").send("READY=1"), "unsupported address kind: logged");
    }

    /**
     * The real server in its own JVM, started with NOTIFY_SOCKET as systemd starts the unit: READY=1 comes once
     * the portal accepts connections, STOPPING=1 at SIGTERM, then a clean exit.
     */
    @Test
    void serverProcessNotifiesReadyAfterBindingAndStoppingOnSigterm() throws Exception {
        try (Receiver systemd = new Receiver(dir.resolve("notify").toString())) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(List.of(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                    Main.class.getName(), "--portal", "127.0.0.1:0", "--lun", dir.resolve("lun0.img") + ":1M"))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("server.out").toFile());
            pb.environment().put(SdNotify.ENV, systemd.address);
            Process server = pb.start();
            try {
                String ready = systemd.receive();
                assertTrue(ready.startsWith("READY=1\nSTATUS=Serving iqn.2026-11.org.vaaitarget:disk0 on 127.0.0.1:"), ready);
                Matcher port = Pattern.compile("on 127\\.0\\.0\\.1:(\\d+) ").matcher(ready);
                assertTrue(port.find(), ready);
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(port.group(1))));
                    assertTrue(s.isConnected(), "the portal is bound when READY=1 arrives");
                }
                String output = Files.readString(dir.resolve("server.out"));
                assertTrue(output.lines().anyMatch(l -> l.startsWith("Serving ")), output);
                server.destroy(); // SIGTERM
                assertEquals("STOPPING=1\nSTATUS=Stopping", systemd.receive());
                assertTrue(server.waitFor(120, TimeUnit.SECONDS));
                assertEquals(0, server.exitValue());
            } finally {
                server.destroyForcibly();
            }
        }
    }
}
