package org.vaaitarget.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The {@code ctl} side of the admin socket: one request, one reply. */
public final class AdminClient {
    /** The largest reply read (thousands of sessions fit). */
    private static final int MAX_REPLY = 64 << 20;

    private AdminClient() {
    }

    /**
     * Sends one command and waits for its reply (a reload or logout may take seconds).
     *
     * @throws IOException when the socket cannot be reached; the message names it
     */
    public static AdminProtocol.Reply call(Path socket, String command, List<String> args, Map<String, String> options)
            throws IOException {
        SocketChannel ch;
        try {
            ch = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            throw new IOException("cannot reach the admin socket " + socket + " (" + e.getMessage()
                    + "); is the server running? Give its socket with --socket PATH", e);
        }
        try (ch) {
            byte[] request = (AdminProtocol.JSON.writeValueAsString(new AdminProtocol.Request(command, args, options))
                    + "\n").getBytes(StandardCharsets.UTF_8);
            ByteBuffer buf = ByteBuffer.wrap(request);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            String line = AdminServer.readLine(ch, MAX_REPLY);
            if (line == null) {
                throw new IOException("the server closed the admin connection without a reply");
            }
            JsonNode reply = AdminProtocol.JSON.readTree(line);
            boolean ok = reply.path("ok").asBoolean(false);
            JsonNode data = reply.get("data");
            return new AdminProtocol.Reply(ok, reply.path("text").asText(""), data == null || data.isNull() ? null : data,
                    reply.path("error").asText(""));
        }
    }
}
