package org.vaaitarget.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vaaitarget.server.login.ChapCredentials;
import org.vaaitarget.server.login.TargetAccess;

/** auth, allow, per-LUN allow and discoveryAuth in YAML; --chap, --mutual-chap, --allow on the command line. */
class AccessConfigTest {
    @TempDir
    Path dir;

    private static final String FULL = """
            discoveryAuth:
              chap: {user: disco, secret: discovery-secret-1}
            targets:
              - iqn: iqn.2026-11.org.example:a
                auth:
                  chap: {user: alice, secret: alice-secret-12}
                  mutualChap: {user: target-a, secret: target-secret-34}
                allow:
                  - iqn.2026-11.org.example:host1
                  - {initiator: iqn.2026-11.org.example:host2, address: 10.0.0.0/8}
                luns:
                  - file: a0.img
                    size: 1M
                  - file: a1.img
                    size: 1M
                    allow: [iqn.2026-11.org.example:host2]
              - iqn: iqn.2026-11.org.example:b
                luns: [{file: b0.img, size: 1M}]
            """;

    @Test
    void fullAccessConfig() throws Exception {
        ServerConfig c = ConfigLoader.parse(FULL, dir);
        assertEquals(ChapCredentials.of("disco", "discovery-secret-1"), c.discoveryAuth().chap());
        TargetAccess a = c.targets().get(0).access();
        assertEquals(ChapCredentials.of("alice", "alice-secret-12"), a.auth().chap());
        assertEquals(ChapCredentials.of("target-a", "target-secret-34"), a.auth().mutualChap());
        assertTrue(a.allows("iqn.2026-11.org.example:host1", null));
        assertTrue(a.allows("iqn.2026-11.org.example:host2", InetAddress.getByName("10.9.8.7")));
        assertFalse(a.allows("iqn.2026-11.org.example:host2", InetAddress.getByName("192.0.2.1")));
        assertFalse(a.allows("iqn.2026-11.org.example:host3", null));
        assertEquals(Map.of(1, Set.of("iqn.2026-11.org.example:host2")), a.lunAllow());
        TargetAccess b = c.targets().get(1).access();
        assertFalse(b.auth().required());
        assertTrue(b.allows("iqn.2026-11.org.example:anyone", null));
    }

    private static final String TARGET = "targets:\n- iqn: iqn.2026-11.org.example:a\n  luns: [{file: x.img, size: 1M}]\n";

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "auth: {chap: {user: u, secret: short}}|config targets[0].auth.chap: the CHAP secret is 5 bytes; RFC 7143 9.2.1 needs at least 12",
        "auth: {chap: {user: u}}|config targets[0].auth.chap.secret: missing",
        "auth: {chap: {secret: abcdefghijkl}}|config targets[0].auth.chap.user: missing",
        "auth: {mutualChap: {user: t, secret: abcdefghijkl}}|config targets[0].auth.mutualChap: mutual CHAP needs one-way CHAP too",
        "auth: {chap: {user: u, secret: abcdefghijkl}, mutualChap: {user: t, secret: abcdefghijkl}}"
            + "|config targets[0].auth.mutualChap.secret: must differ from config targets[0].auth.chap.secret",
        "auth: {chap: {user: u, secret: abcdefghijkl, password: x}}|config targets[0].auth.chap.password: unknown key",
        "allow: [42]|config targets[0].allow[0]: expected an initiator name",
        "allow: [[a]]|config targets[0].allow[0]: expected an initiator name or {initiator: NAME, address: CIDR}",
        "allow: [{initiator: iqn.2026-11.org.example:h, address: host.example}]|config targets[0].allow[0].address: 'host.example' is not an IP address",
        "allow: [{initiator: iqn.2026-11.org.example:h, adress: 10.0.0.1}]|config targets[0].allow[0].adress: unknown key (known keys here: address, initiator)",
        "allow: [{address: 10.0.0.1}]|config targets[0].allow[0].initiator: missing",
        "allow: [iqn.2026-11.org.Example:h]|config targets[0].allow[0]: 'iqn.2026-11.org.Example:h' has uppercase letters",
    })
    void badAccessConfigNamesTheKey(String line, String expected) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(TARGET + "  " + line + "\n", dir));
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
        assertFalse(e.getMessage().contains("abcdefghijkl"), "no secret in messages: " + e.getMessage());
    }

    @Test
    void aTargetSecretMustNotAuthenticateAnInitiatorElsewhere() {
        String yaml = "discoveryAuth: {chap: {user: d, secret: shared-secret-1}}\n" + TARGET
                + "  auth: {chap: {user: u, secret: other-secret-2}, mutualChap: {user: t, secret: shared-secret-1}}\n";
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, dir));
        assertTrue(e.getMessage().startsWith("config targets[0].auth.mutualChap.secret: the same secret authenticates an "
                + "initiator in config discoveryAuth.chap"), e.getMessage());
    }

    private record Run(int code, String err, ServerConfig config) {
    }

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        ServerConfig[] seen = new ServerConfig[1];
        Main main = new Main((config, o, e) -> {
            seen[0] = config;
            return 0;
        });
        int code = Main.commandLine(main, new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Run(code, err.toString(), seen[0]);
    }

    @Test
    void chapAndAllowFlags() {
        Run r = run("--lun", dir.resolve("a.img") + ":1M", "--chap", "iqn.2026-11.org.example:h:long-enough-secret",
                "--mutual-chap", "tgt:target-secret-1", "--allow", "iqn.2026-11.org.example:h",
                "--allow", "iqn.2026-11.org.example:i");
        assertEquals(0, r.code(), r.err());
        TargetAccess a = r.config().targets().get(0).access();
        assertEquals(ChapCredentials.of("iqn.2026-11.org.example:h", "long-enough-secret"), a.auth().chap(),
                "the secret follows the last ':'");
        assertEquals(ChapCredentials.of("tgt", "target-secret-1"), a.auth().mutualChap());
        assertTrue(a.allows("iqn.2026-11.org.example:i", null));
        assertFalse(a.allows("iqn.2026-11.org.example:j", null));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--chap|alice:short|--chap: the CHAP secret is 5 bytes; RFC 7143 9.2.1 needs at least 12",
        "--chap|nocolon|--chap: expected USER:SECRET",
        "--mutual-chap|tgt:target-secret-1|--mutual-chap: mutual CHAP needs one-way CHAP too",
        "--allow|IQN.bad|--allow 'IQN.bad': ",
    })
    void badAccessFlagsExit2(String flag, String value, String expected) {
        Run r = run("--lun", dir.resolve("a.img") + ":1M", flag, value);
        assertEquals(2, r.code());
        assertNull(r.config());
        assertTrue(r.err().startsWith("error: " + expected), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertFalse(r.err().contains("short"), "no secret in messages: " + r.err());
    }

    @Test
    void sameSecretBothWaysIsRefused() {
        Run r = run("--lun", dir.resolve("a.img") + ":1M", "--chap", "a:same-secret-123", "--mutual-chap", "b:same-secret-123");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("error: --mutual-chap.secret: must differ from --chap.secret"), r.err());
    }

    @Test
    void accessFlagsDoNotMixWithConfig() {
        Run r = run("--config", dir.resolve("c.yaml").toString(), "--allow", "iqn.2026-11.org.example:h");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--allow cannot be combined with --config"), r.err());
    }
}
