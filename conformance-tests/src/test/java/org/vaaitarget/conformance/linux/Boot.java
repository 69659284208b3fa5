package org.vaaitarget.conformance.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One guest boot of the harness ({@code run-linux-initiator.sh}): which target command, which command
 * files (sourced in order in the guest), guest variables and harness options. {@link #run} boots it and
 * returns the parsed outcome; the logs stay in {@code target/linux-initiator/<name>/}.
 */
final class Boot {
    /** The image gets mkfs.ext4 and e2fsck from the host (a one-time image rebuild of about 5-10 s). */
    static final String EXTRA_BINS = "mkfs.ext4 e2fsck";
    static final String IQN = "iqn.2026-11.org.vaaitarget:linux-initiator-suite";
    private static final long HARNESS_TIMEOUT_SECONDS = 360;

    final String name;
    private final List<String> commandFiles = new ArrayList<>();
    private final List<String> options = new ArrayList<>();
    private String targetCommand;
    private Path pathPrefix;

    Boot(String name) {
        this.name = name;
    }

    Boot commands(String... resourceFiles) {
        commandFiles.addAll(List.of(resourceFiles));
        return this;
    }

    Boot env(String key, Object value) {
        options.add("--env");
        options.add(key + "=" + value);
        return this;
    }

    Boot option(String... harnessOptions) {
        options.addAll(List.of(harnessOptions));
        return this;
    }

    /** A directory searched first for the harness's commands (a wrapper around one of them). */
    Boot pathPrefix(Path dir) {
        this.pathPrefix = dir;
        return this;
    }

    Boot target(String command) {
        this.targetCommand = command;
        return this;
    }

    /** The directory this boot's logs go to (emptied by {@link #run}). */
    static Path logDir(Path workDir, String name) {
        return workDir.resolve(name);
    }

    /**
     * Boots the guest and waits for the verdict.
     *
     * @param harnessDir the directory holding run-linux-initiator.sh
     * @param resources the suite's command-file directory
     * @param workDir base directory for logs
     */
    BootResult run(Path harnessDir, Path resources, Path workDir) throws IOException, InterruptedException {
        Path logDir = logDir(workDir, name);
        deleteTree(logDir);
        Files.createDirectories(logDir);
        List<String> cmd = new ArrayList<>(List.of("bash", harnessDir.resolve("run-linux-initiator.sh").toString(),
                "--target-cmd", targetCommand, "--iqn", IQN, "--quiet", "--log-dir", logDir.toString(),
                "--timeout", "300"));
        for (String file : commandFiles) {
            cmd.add("--commands");
            cmd.add(resources.resolve(file).toString());
        }
        cmd.addAll(options);
        Files.writeString(logDir.resolve("command.txt"), String.join("\n", cmd) + "\n");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(logDir.resolve("harness-output.txt").toFile());
        if (pathPrefix != null) {
            pb.environment().put("PATH", pathPrefix + java.io.File.pathSeparator + System.getenv("PATH"));
        }
        if (Prerequisites.onPath("mkfs.ext4") != null && Prerequisites.onPath("e2fsck") != null) {
            pb.environment().put("LI_EXTRA_BINS", EXTRA_BINS);
        }
        long t0 = System.nanoTime();
        Process p = pb.start();
        int exit;
        if (p.waitFor(HARNESS_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            exit = p.exitValue();
        } else {
            p.destroy(); // SIGTERM: the harness stops QEMU and the target
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor();
            }
            exit = -1;
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
        return BootResult.parse(name, logDir, exit, seconds);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
