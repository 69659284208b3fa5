package org.vaaitarget.server.app;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** Portal addresses: {@code HOST:PORT}, {@code [IPv6]:PORT}; the port defaults to 3260 (RFC 7143 13.2). */
public final class Portals {
    public static final int DEFAULT_PORT = 3260;

    private Portals() {
    }

    /** @throws ConfigException when the text is not HOST:PORT or the host does not resolve */
    public static InetSocketAddress parse(String text) throws ConfigException {
        if (text == null || text.isBlank()) {
            throw new ConfigException("portal is empty; use HOST:PORT like 0.0.0.0:3260 or [::1]:3260");
        }
        String host;
        String port = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new ConfigException("portal '" + text + "' has no closing ']'; write IPv6 as [::1]:3260");
            }
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new ConfigException("portal '" + text + "': expected ':PORT' after ']', like [::1]:3260");
                }
                port = rest.substring(1);
            }
        } else {
            int colon = text.indexOf(':');
            if (colon >= 0 && text.indexOf(':', colon + 1) >= 0) {
                throw new ConfigException("portal '" + text + "': put IPv6 addresses in brackets, like [::1]:3260");
            }
            host = colon < 0 ? text : text.substring(0, colon);
            port = colon < 0 ? null : text.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw new ConfigException("portal '" + text + "' has no host; use 0.0.0.0:3260 for every IPv4 address");
        }
        int portNumber = port == null ? DEFAULT_PORT : parsePort(text, port);
        try {
            return new InetSocketAddress(InetAddress.getByName(host), portNumber);
        } catch (UnknownHostException e) {
            throw new ConfigException("portal '" + text + "': host '" + host + "' is not an address or a known host name");
        }
    }

    private static int parsePort(String text, String port) throws ConfigException {
        try {
            int p = Integer.parseInt(port);
            if (p >= 0 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new ConfigException("portal '" + text + "': port '" + port + "' is not a number from 0 to 65535");
    }

    /** {@code 0.0.0.0:3260} or {@code [::1]:3260}. */
    public static String format(InetSocketAddress address) {
        InetAddress a = address.getAddress();
        String host = a == null ? address.getHostString() : a.getHostAddress();
        if (host.contains(":")) {
            int zone = host.indexOf('%');
            host = "[" + (zone < 0 ? host : host.substring(0, zone)) + "]";
        }
        return host + ":" + address.getPort();
    }
}
