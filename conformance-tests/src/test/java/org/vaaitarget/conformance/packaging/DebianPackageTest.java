package org.vaaitarget.conformance.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vaaitarget.conformance.support.ExternalTools;
import org.vaaitarget.conformance.support.ProcessRunner;

/**
 * The Debian package, end to end: packaging/build-deb.sh builds it from the server's runnable jar,
 * {@code dpkg -i} installs it (system user, conffile), the installed launcher is started the way the
 * systemd unit starts it (its ExecStart, User, WorkingDirectory and Environment, with the directories
 * systemd would create replaced by temporary ones, and the shipped target.yaml moved to a free loopback
 * port), iscsi-inq reads the LUN's INQUIRY data through it, SIGTERM stops it with exit 0, and
 * {@code dpkg -r} / {@code dpkg -P} remove it.
 *
 * <p>Needs the runnable jar (target-server/target/iscsi-target.jar), which Maven builds in the package
 * phase: test.sh runs {@code mvn verify}, so the jar exists when this module's tests run; a plain
 * {@code mvn test} leaves it missing or stale and this test is skipped. Needs root and dpkg. With
 * CI=true every missing piece is a failure.
 */
class DebianPackageTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path JAR = ROOT.resolve("target-server/target/iscsi-target.jar");
    private static final Duration LIMIT = Duration.ofMinutes(3);
    private static final String UNIT = "/lib/systemd/system/vaai-target.service";
    private static final String CONFIG = "/etc/vaai-target/target.yaml";
    /** Directories systemd creates for the unit (StateDirectory, CacheDirectory, RuntimeDirectory). */
    private static final Map<String, String> SYSTEMD_DIRS = Map.of("/var/lib/vaai-target", "state",
            "/var/cache/vaai-target", "cache", "/run/vaai-target", "runtime");

    @TempDir
    Path dir;

    private static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Fails with CI=true, else skips. */
    private static void need(boolean condition, String what) {
        if (condition) {
            return;
        }
        if (ci()) {
            fail(what + " (CI=true: the package test must run)");
        }
        Assumptions.abort(what);
    }

    private static ProcessRunner.Result run(String... command) {
        return ProcessRunner.run(List.of(command), LIMIT, ROOT);
    }

    private static String ok(String... command) {
        ProcessRunner.Result r = run(command);
        assertTrue(r.ok(), String.join(" ", command) + " failed (exit " + r.exitCode() + "):\n" + r.output());
        return r.output();
    }

    /**
     * dpkg, waiting while another dpkg or apt holds the database lock (dpkg itself fails at once: exit 2,
     * "dpkg frontend lock was locked by another process").
     */
    private static ProcessRunner.Result dpkg(String... args) throws InterruptedException {
        List<String> command = new ArrayList<>(List.of("dpkg"));
        command.addAll(List.of(args));
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (true) {
            ProcessRunner.Result r = ProcessRunner.run(command, LIMIT, ROOT);
            if (r.ok() || !r.output().contains("lock") || System.nanoTime() > deadline) {
                return r;
            }
            Thread.sleep(2000);
        }
    }

    private static void dpkgOk(String... args) throws InterruptedException {
        ProcessRunner.Result r = dpkg(args);
        assertTrue(r.ok(), "dpkg " + String.join(" ", args) + " failed (exit " + r.exitCode() + "):\n" + r.output());
    }

    /** The newest class file the jar is built from: a jar older than it is stale. */
    private static FileTime newestClass() throws IOException {
        FileTime newest = FileTime.fromMillis(0);
        for (String module : List.of("target-core", "target-server")) {
            Path classes = ROOT.resolve(module).resolve("target/classes");
            if (!Files.isDirectory(classes)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(classes)) {
                for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    FileTime t = Files.getLastModifiedTime(p);
                    if (t.compareTo(newest) > 0) {
                        newest = t;
                    }
                }
            }
        }
        return newest;
    }

    @Test
    void buildsInstallsServesAndRemoves() throws Exception {
        need(Files.isRegularFile(JAR) && Files.getLastModifiedTime(JAR).compareTo(newestClass()) >= 0,
                JAR + " is missing or older than the classes: build it with `mvn -DskipTests package` (test.sh runs"
                        + " `mvn verify`, which builds it before this module's tests)");
        need("root".equals(System.getProperty("user.name")), "installing a package needs root");
        need(ExternalTools.find("dpkg").isPresent() && ExternalTools.find("dpkg-deb").isPresent(),
                "dpkg and dpkg-deb are needed (apt-get install dpkg)");
        boolean installedBefore = run("dpkg-query", "-W", "-f=${Status}", "vaai-target").output()
                .contains("install ok installed");
        // Never replace (and then purge) a real installation on a developer's machine; a fresh CI machine
        // can only have one from an earlier, interrupted run of this test.
        need(!installedBefore || ci(), "vaai-target is already installed here: not touching it");

        // Build: the file name carries the pom's version (-SNAPSHOT as ~SNAPSHOT).
        String expectedVersion = System.getProperty("vaai.expectedVersion").replace('-', '~');
        String built = ok("sh", ROOT.resolve("packaging/build-deb.sh").toString()).strip();
        Path deb = Path.of(built.lines().reduce((a, b) -> b).orElseThrow());
        assertEquals(ROOT.resolve("packaging/target/vaai-target_" + expectedVersion + "_all.deb"), deb);
        String info = ok("dpkg-deb", "--field", deb.toString(), "Version", "Architecture", "Depends");
        assertTrue(info.contains("Version: " + expectedVersion), info);
        assertTrue(info.contains("Architecture: all"), info);
        assertTrue(info.contains("Depends: openjdk-17-jre-headless | java17-runtime-headless"), info);

        dpkgOk("-i", deb.toString());
        try {
            checkInstalled();
            serveLikeTheUnit();
        } finally {
            dpkgOk("-r", "vaai-target");
            assertFalse(Files.exists(Path.of("/usr/bin/vaai-target")));
            assertFalse(Files.exists(Path.of("/usr/share/vaai-target/iscsi-target.jar")));
            assertFalse(Files.exists(Path.of(UNIT)));
            assertTrue(Files.exists(Path.of(CONFIG)), "dpkg -r keeps the conffile");
            dpkgOk("-P", "vaai-target");
            assertFalse(Files.exists(Path.of(CONFIG)), "dpkg -P removes the conffile");
        }
    }

    private void checkInstalled() throws IOException {
        for (String f : List.of("/usr/bin/vaai-target", "/usr/share/vaai-target/iscsi-target.jar", UNIT, CONFIG)) {
            assertTrue(Files.isRegularFile(Path.of(f)), f + " installed");
        }
        assertTrue(Files.isExecutable(Path.of("/usr/bin/vaai-target")));
        assertTrue(ok("dpkg-query", "-W", "-f=${Conffiles}", "vaai-target").contains(CONFIG), "config is a conffile");
        assertTrue(ok("getent", "passwd", "vaai-target").startsWith("vaai-target:"), "postinst created the user");
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of(CONFIG))),
                "the config may hold CHAP secrets");
        String version = ok("/usr/bin/vaai-target", "--version").strip();
        assertEquals("iscsi-target " + System.getProperty("vaai.expectedVersion"), version);
    }

    /** The unit's [Service] settings: key to values, in order (Environment may repeat). */
    private static Map<String, List<String>> unitSettings() throws IOException {
        Map<String, List<String>> settings = new HashMap<>();
        for (String line : Files.readAllLines(Path.of(UNIT))) {
            line = line.strip();
            int eq = line.indexOf('=');
            if (line.isEmpty() || line.startsWith("#") || line.startsWith("[") || eq < 0) {
                continue;
            }
            settings.computeIfAbsent(line.substring(0, eq), k -> new ArrayList<>()).add(line.substring(eq + 1));
        }
        return settings;
    }

    private static String one(Map<String, List<String>> settings, String key) {
        List<String> values = settings.get(key);
        assertTrue(values != null && values.size() == 1, key + " set once in the unit: " + values);
        return values.get(0);
    }

    private void serveLikeTheUnit() throws Exception {
        Map<String, List<String>> unit = unitSettings();
        assertEquals("notify", one(unit, "Type"));
        assertEquals("on-failure", one(unit, "Restart"));
        String user = one(unit, "User");
        UserPrincipal owner = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user);

        // What systemd would create for the unit, owned by its user, and the shipped config on a free port.
        Map<String, String> replaced = new HashMap<>();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (Map.Entry<String, String> systemdDir : SYSTEMD_DIRS.entrySet()) {
            Path d = Files.createDirectory(dir.resolve(systemdDir.getValue()));
            Files.setOwner(d, owner);
            replaced.put(systemdDir.getKey(), d.toString());
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String shipped = Files.readString(Path.of(CONFIG));
        assertTrue(shipped.contains("\"0.0.0.0:3260\""), shipped);
        String config = substitute(shipped, replaced).replace("\"0.0.0.0:3260\"", "\"127.0.0.1:" + port + "\"");
        Path configFile = dir.resolve("target.yaml");
        Files.writeString(configFile, config);
        Files.setOwner(configFile, owner);
        replaced.put(CONFIG, configFile.toString());

        String execStart = substitute(one(unit, "ExecStart"), replaced);
        assertTrue(execStart.startsWith("/usr/bin/vaai-target --config " + configFile), execStart);
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=" + user, "--regid=" + one(unit, "Group"),
                "--init-groups", "--"));
        command.addAll(List.of(execStart.split(" +")));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("service.log").toFile())
                .directory(Path.of(substitute(one(unit, "WorkingDirectory"), replaced)).toFile());
        // A service's environment: systemd's few variables and the unit's Environment=, nothing of ours.
        pb.environment().clear();
        pb.environment().putAll(Map.of("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "LANG", "C.UTF-8", "USER", user, "LOGNAME", user, "HOME", replaced.get("/var/lib/vaai-target")));
        for (String env : unit.getOrDefault("Environment", List.of())) {
            int eq = env.indexOf('=');
            pb.environment().put(env.substring(0, eq), substitute(env.substring(eq + 1), replaced));
        }
        Process service = pb.start();
        try {
            awaitPortal(service, port);
            assertEquals(Optional.of(user), service.toHandle().info().user(), "runs as the unit's user");
            String lun = replaced.get("/var/lib/vaai-target") + "/lun0.img";
            assertTrue(Files.exists(Path.of(lun)), "the shipped config's LUN, created in the state directory");
            Path inq = ExternalTools.require("iscsi-inq");
            ProcessRunner.Result r = ProcessRunner.run(List.of(inq.toString(), "-i",
                    "iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test",
                    "iscsi://127.0.0.1:" + port + "/iqn.2026-11.org.vaaitarget:disk0/0"), LIMIT, null);
            assertTrue(r.ok(), "iscsi-inq through the installed service:\n" + r.output() + "\n" + log());
            assertTrue(r.output().contains("VAAI-TARGET"), r.output());
            // The admin socket of the shipped config, in the runtime directory: ctl finds it through --config.
            ProcessRunner.Result ctl = ProcessRunner.run(List.of("/usr/bin/vaai-target", "ctl", "--config",
                    configFile.toString(), "status", "--json"), LIMIT, null);
            assertTrue(ctl.ok(), "ctl status through the installed service's admin socket:\n" + ctl.output() + "\n" + log());
            assertTrue(ctl.output().contains("\"lunCount\" : 1") || ctl.output().contains("\"lunCount\":1"), ctl.output());
            service.destroy(); // SIGTERM, as systemctl stop sends
            assertTrue(service.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS), "stops on SIGTERM\n" + log());
            assertEquals(0, service.exitValue(), log());
        } finally {
            service.destroyForcibly();
        }
    }

    private static String substitute(String text, Map<String, String> replaced) {
        for (Map.Entry<String, String> e : replaced.entrySet()) {
            text = text.replace(e.getKey(), e.getValue());
        }
        return text;
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("service.log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Until the service accepts a connection on the port (it may take a while on a loaded machine). */
    private void awaitPortal(Process service, int port) throws InterruptedException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            assertTrue(service.isAlive(), "the service exited (" + (service.isAlive() ? "" : service.exitValue()) + "):\n" + log());
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        fail("the service did not open 127.0.0.1:" + port + ":\n" + log());
    }
}
