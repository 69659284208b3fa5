package org.vaaitarget.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.core.store.rbd.RbdLocation;

class RbdConfigTest {
    @TempDir
    Path dir;

    private static String yaml(String lun) {
        return "targets:\n  - iqn: iqn.2026-11.org.example:a\n    luns:\n      - " + lun.replace("\\n", "\n").replace("\n", "\n        ") + "\n";
    }

    @Test
    void anRbdLunNamesPoolImageConfAndUser() throws Exception {
        Files.writeString(dir.resolve("ceph.conf"), "[global]\n");
        ServerConfig c = ConfigLoader.parse(yaml("rbd: {pool: rbd, image: lun0, conf: ceph.conf, user: iscsi}\nsize: 1G"), dir);
        LunConfig lun = c.targets().get(0).luns().get(0);
        assertNull(lun.file());
        assertEquals(new RbdLocation("rbd", "lun0", dir.resolve("ceph.conf").toString(), "iscsi", 1, true), lun.backend(),
                "exclusive ownership by default");
        LunConfig shared = ConfigLoader.parse(yaml("rbd: {pool: rbd, image: lun0, ownership: shared}"), dir)
                .targets().get(0).luns().get(0);
        assertEquals(false, ((RbdLocation) shared.backend()).exclusive());
        assertEquals(1L << 30, lun.sizeBytes());
        assertEquals(512, lun.blockSize());
        assertEquals(LunConfig.WriteCacheMode.WRITE_THROUGH, lun.writeCache());
        assertEquals("rbd:rbd/lun0", lun.describe());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "rbd: {image: lun0}|targets[0].luns[0].rbd.pool: missing",
        "rbd: {pool: rbd}|targets[0].luns[0].rbd.image: missing",
        "rbd: {pool: rbd, image: a/b}|targets[0].luns[0].rbd.image: 'a/b' must not contain",
        "rbd: {pool: rbd, image: x, conf: nowhere.conf}|targets[0].luns[0].rbd.conf: '",
        "rbd: {pool: rbd, image: x}\\nblockSize: 4096|targets[0].luns[0].blockSize: an RBD LUN has 512-byte blocks",
        "rbd: {pool: rbd, image: x}\\nwriteCache: back|targets[0].luns[0].writeCache: an RBD LUN is write-through",
        "rbd: {pool: rbd, image: x}\\nsize: 1000|targets[0].luns[0].size: size '1000' is not a positive multiple of 512",
        "rbd: {pool: rbd, image: x}\\nfile: a.img|targets[0].luns[0].rbd: a LUN has either a file or an rbd image",
        "rbd: {pool: rbd, image: x, snap: s}|targets[0].luns[0].rbd.snap: unknown key",
        "rbd: {pool: rbd, image: x, ownership: mine}|targets[0].luns[0].rbd.ownership: 'mine' is not exclusive",
        "rbd: {pool: rbd, image: x}\\nreadOnly: true|targets[0].luns[0].readOnly: an RBD LUN cannot be read-only",
        "rbd: {pool: rbd, image: x}\\nsanitize: true|targets[0].luns[0].sanitize: an RBD LUN does not serve SANITIZE",
        "rbd: {pool: rbd, image: x}\\nsanitizeRate: 4M|targets[0].luns[0].sanitizeRate: an RBD LUN does not serve",
    })
    void badRbdSettingsNameTheKey(String lun, String expected) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml(lun), dir));
        assertTrue(e.getMessage().startsWith("config " + expected), e.getMessage());
    }

    @Test
    void theGatewayIdIsThePortGroupOfTheServerAndOfItsRbdLuns() throws Exception {
        ServerConfig c = ConfigLoader.parse("gateway: {id: 2}\n" + yaml("rbd: {pool: rbd, image: lun0}"), dir);
        assertEquals(2, c.gateway());
        assertEquals(2, ((RbdLocation) c.targets().get(0).luns().get(0).backend()).gateway());
        assertEquals(1, ConfigLoader.parse(yaml("rbd: {pool: rbd, image: lun0}"), dir).gateway(), "gateway 1 by default");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "gateway: {id: 0}|config gateway.id: 0 is out of range; use 1 to 65535",
        "gateway: {}|config gateway.id: missing",
        "gateway: {id: 1, name: a}|config gateway.name: unknown key",
    })
    void badGatewaySettingsNameTheKey(String gateway, String expected) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse(gateway + "\n" + yaml("rbd: {pool: rbd, image: x}"), dir));
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    }

    @Test
    void oneImageServedTwiceIsRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(
                yaml("rbd: {pool: rbd, image: x}") + "      - rbd: {pool: rbd, image: x}\n", dir));
        assertTrue(e.getMessage().startsWith("config targets[0].luns[1].rbd: 'rbd:rbd/x' is already used"), e.getMessage());
    }
}
