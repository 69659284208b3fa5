package org.vaaitarget.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.core.config.LunConfig.WriteCacheMode;

/**
 * The wiring with the real LUN store and network. Aborted (not failed) while those pieces are still
 * stubs that throw UnsupportedOperationException.
 */
class TargetServerTest {
    @TempDir
    Path dir;

    private ServerConfig config(int port) {
        LunConfig lun = new LunConfig(dir.resolve("lun0.img"), 1 << 20, 512, WriteCacheMode.WRITE_BACK, "P");
        return ServerConfig.single(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), "iqn.2026-11.org.example:t",
                List.of(lun));
    }

    private static RunningServer startOrAbort(ServerConfig config) throws StartupException {
        try {
            return TargetServer.start(config);
        } catch (UnsupportedOperationException e) {
            Assumptions.abort("a piece is still a stub: " + e.getMessage());
            throw e;
        }
    }

    @Test
    void startsOnAFreePortCreatesTheLunAndClosesTwice() throws Exception {
        RunningServer server = startOrAbort(config(0));
        try {
            assertEquals(1, server.boundAddresses().size());
            assertNotEquals(0, server.port());
            assertTrue(Files.exists(dir.resolve("lun0.img")));
            assertEquals(1 << 20, Files.size(dir.resolve("lun0.img")));
        } finally {
            server.close();
        }
        server.close(); // idempotent
    }

    @Test
    void portInUseIsAStartupErrorAndMainExitsOneWithOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ServerConfig config = config(taken.getLocalPort());
            StartupException e = null;
            try {
                TargetServer.start(config).close();
            } catch (StartupException expected) {
                e = expected;
            } catch (UnsupportedOperationException stub) {
                Assumptions.abort("a piece is still a stub: " + stub.getMessage());
            }
            assertNotNull(e, "started although the port is taken");
            assertTrue(e.getMessage().startsWith("cannot listen"), e.getMessage());

            StringWriter err = new StringWriter();
            int code = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> Main.commandLine(new Main(),
                    new PrintWriter(new StringWriter(), true), new PrintWriter(err, true)).execute(
                    "--portal", "127.0.0.1:" + taken.getLocalPort(), "--lun", dir.resolve("lun1.img") + ":1M"));
            assertEquals(1, code, err.toString());
            assertEquals(1, err.toString().lines().count(), err.toString());
            assertTrue(err.toString().startsWith("error: cannot listen"), err.toString());
        }
    }
}
