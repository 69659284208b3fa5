package org.vaaitarget.core.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Out of space and a read-only file system on a real (8 MiB loop ext4) file system, with the target's
 * JVM in a German locale, where the JDK's IOException says "Auf dem Gerät ist kein Speicherplatz mehr
 * verfügbar" instead of "No space left on device": the store must still answer SPACE ALLOCATION FAILED
 * WRITE PROTECT (ENOSPC; SBC-4 4.7.3, ESXi then pauses the VM instead of failing its writes) and WRITE
 * PROTECTED (EROFS), deciding by errno.
 *
 * <p>Needs root (mount, loop devices), mkfs.ext4 and localedef with the de_DE sources (Debian: e2fsprogs,
 * locales); skipped with the reason without them, except under CI=true, where that is a failure.
 */
class RealFileSystemErrorsTest {
    @TempDir
    Path dir;

    @Test
    void outOfSpaceAndReadOnlyAreRecognisedByErrnoInAGermanLocale() throws Exception {
        requireThat(System.getProperty("os.name").toLowerCase().contains("linux"), "not Linux");
        requireThat("root".equals(System.getProperty("user.name")), "not root: cannot mount a small file system");
        Path locales = dir.resolve("locales");
        Files.createDirectories(locales);
        // A locale of our own (LOCPATH) so that the test needs no system-wide locale generation.
        run(List.of("localedef", "-i", "de_DE", "-f", "UTF-8", locales.resolve("de_DE.UTF-8").toString()), true);
        requireThat(Files.isDirectory(locales.resolve("de_DE.UTF-8")), "localedef could not build de_DE.UTF-8");
        Path image = dir.resolve("fs.img");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(8L << 20);
        }
        requireThat(run(List.of("mkfs.ext4", "-q", "-F", image.toString()), true) == 0, "mkfs.ext4 failed or is missing");
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        requireThat(run(List.of("mount", "-o", "loop,errors=remount-ro", image.toString(), mnt.toString()), true) == 0,
                "cannot mount a loop device");
        try {
            String device = output(List.of("findmnt", "-n", "-o", "SOURCE", mnt.toString())).trim();
            Path trigger = Path.of("/sys/fs/ext4", device.substring(device.lastIndexOf('/') + 1), "trigger_fs_error");
            requireThat(Files.exists(trigger), "no " + trigger);
            Map<String, String> found = probe(mnt.resolve("lun.img"), 64L << 20, trigger, locales);
            assertFalse(found.getOrDefault("FULL_TEXT", "").contains("No space left"),
                    "the JDK's message is not German, the test would prove nothing: " + found);
            assertEquals("NO_SPACE", found.get("FULL_KIND"), "ENOSPC: " + found);
            assertEquals("WRITE_PROTECTED", found.get("READ_ONLY_KIND"), "EROFS: " + found);
        } finally {
            if (run(List.of("umount", mnt.toString()), true) != 0) {
                run(List.of("umount", "-l", mnt.toString()), true);
            }
        }
    }

    /** Runs {@link FullFileSystemProbe} in a JVM of its own with a German locale; its KEY=value lines. */
    private static Map<String, String> probe(Path lun, long size, Path trigger, Path locales) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Duser.language=de", "-Duser.country=DE", "-cp", System.getProperty("java.class.path"),
                FullFileSystemProbe.class.getName(), lun.toString(), Long.toString(size), trigger.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("LOCPATH", locales.toString());
        pb.environment().put("LANG", "de_DE.UTF-8");
        pb.environment().put("LC_ALL", "de_DE.UTF-8");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();   // ends when the JVM exits
        if (!p.waitFor(120, TimeUnit.SECONDS)) {          // a hang guard, not a timing assertion
            p.destroyForcibly();
            fail("the probe JVM did not finish");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        Map<String, String> found = new HashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0 && line.substring(0, eq).matches("[A-Z_]+")) {
                found.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        assertTrue(found.containsKey("FULL_KIND"), text);
        return found;
    }

    private static void requireThat(boolean condition, String reason) {
        if (condition) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            fail(reason + " (CI=true: this test must run)");
        }
        Assumptions.abort(reason);
    }

    private static int run(List<String> cmd, boolean quiet) throws IOException, InterruptedException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            int rc = p.waitFor();
            if (rc != 0 && !quiet) {
                System.err.println(String.join(" ", cmd) + ": " + new String(out, StandardCharsets.UTF_8));
            }
            return rc;
        } catch (IOException e) {
            return 127; // not installed
        }
    }

    private static String output(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return s;
    }
}
