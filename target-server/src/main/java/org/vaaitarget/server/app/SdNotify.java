package org.vaaitarget.server.app;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * systemd's readiness protocol (sd_notify(3), the unit's {@code Type=notify}): state lines such as
 * {@code READY=1} or {@code STOPPING=1} sent as one datagram to the AF_UNIX socket named by the
 * {@code NOTIFY_SOCKET} environment variable: a file system path, or an abstract-namespace name written
 * with a leading {@code @}. Without the variable (not started by systemd) nothing is sent.
 *
 * <p>Java 17's Unix-domain sockets are stream sockets only, so the datagram goes through libc with JNA
 * (already a dependency for fallocate/SEEK_DATA): {@code socket(AF_UNIX, SOCK_DGRAM)}, {@code sendto}, {@code close}.
 * A failure is logged once and never stops the server: systemd then times the start out, which says more.
 */
public final class SdNotify {
    private static final Logger LOG = LoggerFactory.getLogger(SdNotify.class);
    static final String ENV = "NOTIFY_SOCKET";
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000; // 02000000, Linux
    /** sizeof(sockaddr_un.sun_path) on Linux. */
    static final int SUN_PATH = 108;

    interface LibC extends Library {
        int socket(int domain, int type, int protocol) throws LastErrorException;

        long sendto(int fd, byte[] buf, long len, int flags, byte[] addr, int addrLen) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private static final class Holder {
        static final LibC LIBC = Native.load("c", LibC.class);
    }

    private final String address;
    private boolean warned;

    /** @param address the NOTIFY_SOCKET value, or null for no notifications */
    SdNotify(String address) {
        this.address = address == null || address.isEmpty() ? null : address;
    }

    /** The notifier for this process: {@code NOTIFY_SOCKET} from the environment. */
    public static SdNotify fromEnvironment() {
        return new SdNotify(System.getenv(ENV));
    }

    /** Whether systemd asked for notifications. */
    public boolean enabled() {
        return address != null;
    }

    /** Startup is complete (the portals are bound): {@code READY=1} and a one-line status. */
    public void ready(String status) {
        send("READY=1\nSTATUS=" + status.replace('\n', ' '));
    }

    /** Shutdown has begun. */
    public void stopping() {
        send("STOPPING=1\nSTATUS=Stopping");
    }

    /** Sends the state lines; @return whether they were sent. Never throws. */
    synchronized boolean send(String state) {
        if (address == null) {
            return false;
        }
        try {
            if (!Platform.isLinux()) {
                throw new IllegalStateException("sd_notify is implemented for Linux only");
            }
            byte[] sockaddr = sockaddr(address);
            byte[] message = state.getBytes(StandardCharsets.UTF_8);
            LibC libc = Holder.LIBC;
            int fd = libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            try {
                libc.sendto(fd, message, message.length, 0, sockaddr, sockaddr.length);
            } finally {
                libc.close(fd);
            }
            return true;
        } catch (LastErrorException e) {
            warnOnce("errno " + e.getErrorCode() + " (" + e.getMessage() + ")");
        } catch (RuntimeException | LinkageError e) {
            warnOnce(e.toString());
        }
        return false;
    }

    private void warnOnce(String why) {
        if (!warned) {
            warned = true;
            LOG.warn("cannot notify systemd through {}={}: {}", ENV, address, why);
        }
    }

    /**
     * {@code struct sockaddr_un} for the address, and its length as passed to sendto: the family, then the
     * path with its terminating NUL; for an abstract name ({@code @name}) a NUL, the name, and no terminator
     * (the length says where it ends; systemd's sd_notify does the same).
     */
    static byte[] sockaddr(String address) {
        boolean abstractName = address.startsWith("@");
        if (!abstractName && !address.startsWith("/")) {
            throw new IllegalArgumentException("not an AF_UNIX path or @abstract name");
        }
        byte[] name = address.getBytes(StandardCharsets.UTF_8);
        int pathLength = abstractName ? name.length : name.length + 1;
        if (pathLength > SUN_PATH) {
            throw new IllegalArgumentException("longer than " + SUN_PATH + " bytes");
        }
        ByteBuffer b = ByteBuffer.allocate(2 + pathLength).order(ByteOrder.nativeOrder());
        b.putShort((short) AF_UNIX);
        b.put(name); // for an abstract name the '@' is overwritten by the leading NUL below
        if (abstractName) {
            b.put(2, (byte) 0);
        } else {
            b.put((byte) 0);
        }
        return b.array();
    }
}
