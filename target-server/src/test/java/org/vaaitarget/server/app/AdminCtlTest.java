package org.vaaitarget.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vaaitarget.server.admin.AdminServer;

/** {@code ctl} against a running server's admin socket: views, reload, resize, errors and exit codes. */
class AdminCtlTest {
    private static final String A = "iqn.2026-11.org.vaaitarget:a";
    private static final String B = "iqn.2026-11.org.vaaitarget:b";

    @TempDir
    Path dir;
    private Path config;
    private Path socket;
    private RunningServer server;
    private AdminServer admin;

    record Run(int code, String out, String err) {
        JsonNode json() throws IOException {
            return new ObjectMapper().readTree(out);
        }
    }

    @BeforeEach
    void start() throws Exception {
        config = dir.resolve("target.yaml");
        socket = dir.resolve("run/admin.sock");
        write(targetA("\"127.0.0.1:0\"", "{file: a0.img, size: 4M}"));
        server = TargetServer.start(ConfigLoader.load(config));
        admin = server.openAdminSocket(socket, config);
    }

    @AfterEach
    void stop() {
        admin.close();
        server.close();
    }

    /** A configuration with these portals and target A with these LUN entries (more targets may follow). */
    private static String targetA(String portals, String... luns) {
        StringBuilder yaml = new StringBuilder("portals: [" + portals + "]\ntargets:\n  - iqn: " + A + "\n    luns:\n");
        for (String lun : luns) {
            yaml.append("      - ").append(lun).append('\n');
        }
        return yaml.toString();
    }

    private void write(String yaml) throws IOException {
        Files.writeString(config, yaml);
    }

    private Run ctl(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 3];
        all[0] = "ctl";
        all[1] = "--socket";
        all[2] = socket.toString();
        System.arraycopy(args, 0, all, 3, args.length);
        int code = Main.commandLine(new Main(), new PrintWriter(out, true), new PrintWriter(err, true)).execute(all);
        return new Run(code, out.toString(), err.toString());
    }

    /** The subcommands ctl offers are the commands the admin socket serves, each with its help. */
    @Test
    void ctlOffersEveryAdminCommandWithItsHelp() {
        assertEquals(new AdminCommands(server, config, socket).all().keySet(),
                Ctl.commandLine().getSubcommands().keySet());
        Run help = ctl("--help");
        assertEquals(0, help.code(), help.err());
        assertTrue(help.out().contains("Version, uptime, portals, targets, LUNs, session count."), help.out());
        Run view = ctl("ats", "--help");
        assertEquals(0, view.code(), view.err());
        assertTrue(view.out().contains("Usage: iscsi-target ctl ats [-hV] [--json]"), view.out());
        assertTrue(view.out().contains("COMPARE AND WRITE (ATS) per LUN and per initiator"), view.out());
    }

    @Test
    void theSocketIsOnlyForItsOwner() throws IOException {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
    }

    @Test
    void statusShowsTargetsLunsAndPortals() throws IOException {
        Run r = ctl("status", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = r.json();
        assertEquals(Main.VERSION, j.get("version").asText());
        assertEquals(A, j.get("targets").get(0).get("iqn").asText());
        assertEquals(1, j.get("lunCount").asInt());
        assertEquals("127.0.0.1:" + server.port(), j.get("portals").get(0).asText());
        Run text = ctl("status");
        assertTrue(text.out().contains("targets: 1, LUNs: 1, sessions: 0"), text.out());
    }

    @Test
    void atsShowsEveryLunWithItsCompareAndWriteCounters() throws IOException {
        // The figures themselves are checked against a real load in MetricsScrapeTest (RunningServer.atsReport).
        Run r = ctl("ats", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode lun = r.json().get("luns").get(0);
        assertEquals(A, lun.get("target").asText());
        assertEquals(0, lun.get("lun").asInt());
        assertEquals(0, lun.get("attempts").asInt());
        assertEquals(0, lun.get("miscompares").get("unexplained").asInt());
        Run text = ctl("ats");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("ATTEMPTS") && text.out().contains("UNEXPLAINED"), text.out());
    }

    @Test
    void reloadAddsATargetAndALunAndLunsShowsThem() throws IOException {
        write(targetA("\"127.0.0.1:0\"", "{file: a0.img, size: 4M}", "{file: a1.img, size: 2M, writeCache: through}")
                + "  - iqn: " + B + "\n    luns:\n      - {file: b0.img, size: 1M}\n");
        Run r = ctl("reload");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("LUN 1 added"), r.out());
        JsonNode luns = ctl("luns", "--json").json();
        assertEquals(3, luns.size());
        assertEquals(2 << 20, luns.get(1).get("sizeBytes").asLong());
        assertEquals("through", luns.get(1).get("writeCache").asText());
        assertEquals(B, luns.get(2).get("target").asText());
        assertTrue(ctl("config").out().contains("a1.img"));
        assertEquals("no change", ctl("reload").out().strip());
    }

    @Test
    void aReloadWithABadKeyChangesNothingAndFails() throws IOException {
        write(targetA("\"127.0.0.1:0\"", "{file: a0.img, size: 4M}", "{file: a1.img, sise: 2M}"));
        Run r = ctl("reload");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: config targets[0].luns[1].sise: unknown key"), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line");
        assertFalse(Files.exists(dir.resolve("a1.img")), "nothing was opened");
        assertEquals(1, ctl("status", "--json").json().get("lunCount").asInt());
    }

    @Test
    void aReloadThatCannotBindANewPortalChangesNothing() throws IOException {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            write(targetA("\"127.0.0.1:0\", \"127.0.0.1:" + taken.getLocalPort() + "\"", "{file: a0.img, size: 4M}",
                    "{file: a1.img, size: 2M}"));
            Run r = ctl("reload");
            assertEquals(1, r.code());
            assertTrue(r.err().contains("cannot bind portal") && r.err().contains("nothing was changed"), r.err());
        }
        assertFalse(Files.exists(dir.resolve("a1.img")), "the LUN file it created is gone again: " + java.util.Arrays.toString(dir.toFile().list()));
        JsonNode status = ctl("status", "--json").json();
        assertEquals(1, status.get("lunCount").asInt());
        assertEquals(1, status.get("portals").size());
    }

    @Test
    void resizeGrowsAndRefusesToShrink() throws IOException {
        Run grow = ctl("resize", A, "0", "8M");
        assertEquals(0, grow.code(), grow.err());
        assertEquals(8 << 20, Files.size(dir.resolve("a0.img")));
        assertEquals(8 << 20, ctl("luns", "--json").json().get(0).get("sizeBytes").asLong());
        Run shrink = ctl("resize", A, "0", "4M");
        assertEquals(1, shrink.code());
        assertTrue(shrink.err().contains("shrinking it to 4 MiB is refused"), shrink.err());
        assertEquals(8 << 20, Files.size(dir.resolve("a0.img")));
        assertEquals(1, ctl("resize", "iqn.2026-11.org.vaaitarget:nope", "0", "8M").code());
        assertEquals(1, ctl("resize", A, "7", "8M").code());
        // a reload with the old, smaller size keeps the grown size
        assertEquals(0, ctl("reload").code());
        assertEquals(8 << 20, ctl("luns", "--json").json().get(0).get("sizeBytes").asLong());
    }

    @Test
    void aLargerSizeInTheFileGrowsTheLunOnReload() throws IOException {
        write(targetA("\"127.0.0.1:0\"", "{file: a0.img, size: 6M}"));
        Run r = ctl("reload");
        assertEquals(0, r.code(), r.err());
        assertEquals(6 << 20, Files.size(dir.resolve("a0.img")));
    }

    @Test
    void withoutAServerCtlSaysSoAndFails() {
        admin.close();
        Run r = ctl("status");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: cannot reach the admin socket"), r.err());
    }

    @Test
    void aSecondServerCannotTakeALiveSocket() {
        assertThrows(IOException.class, () -> server.openAdminSocket(socket, config));
    }

    @Test
    void checkConfigValidatesAFile() throws IOException {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, Main.commandLine(new Main(), new PrintWriter(out, true), new PrintWriter(err, true))
                .execute("--check-config", config.toString()));
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "targets:\n  - iqn: nope\n    luns: [{file: x.img, size: 1M}]\n");
        StringWriter err2 = new StringWriter();
        assertEquals(2, Main.commandLine(new Main(), new PrintWriter(new StringWriter(), true), new PrintWriter(err2, true))
                .execute("--check-config", bad.toString()));
        assertTrue(err2.toString().startsWith("error: config targets[0].iqn:"), err2.toString());
    }
}
