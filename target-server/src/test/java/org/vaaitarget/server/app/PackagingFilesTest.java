package org.vaaitarget.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * packaging/: the default configuration the Debian package installs is valid and says what README says;
 * the unit runs the server as a notify service on that file. (conformance-tests DebianPackageTest installs
 * and runs them, as root.)
 */
class PackagingFilesTest {
    private static final Path PACKAGING = Path.of("..", "packaging").toAbsolutePath().normalize();

    @Test
    void defaultConfigServesOneSparseLunFromTheStateDirectoryOnPort3260() throws Exception {
        ConfigLoader.ConfigFile c = ConfigLoader.read(PACKAGING.resolve("target.yaml"));
        assertEquals(List.of(new InetSocketAddress("0.0.0.0", 3260)), c.server().portals());
        assertEquals(1, c.server().targets().size());
        ServerConfig.Target t = c.server().targets().get(0);
        assertEquals(ServerConfig.DEFAULT_IQN, t.iqn());
        assertEquals(Path.of("/var/lib/vaai-target/lun0.img"), t.luns().get(0).file());
        assertEquals(10L << 30, t.luns().get(0).sizeBytes());
        assertEquals(Logging.Format.TEXT, c.logFormat());
    }

    @Test
    void unitIsANotifyServiceOnTheDefaultConfig() throws Exception {
        List<String> unit = Files.readAllLines(PACKAGING.resolve("vaai-target.service"));
        for (String line : List.of("Type=notify", "ExecStart=/usr/bin/vaai-target --config /etc/vaai-target/target.yaml",
                "StateDirectory=vaai-target", "WorkingDirectory=/var/lib/vaai-target", "RuntimeDirectory=vaai-target",
                "Restart=on-failure", "RestartPreventExitStatus=2", "User=vaai-target")) {
            assertTrue(unit.contains(line), line + " in the unit");
        }
    }
}
