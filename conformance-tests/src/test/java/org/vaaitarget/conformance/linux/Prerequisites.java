package org.vaaitarget.conformance.linux;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;

/**
 * What the Linux-initiator harness needs on the host. A missing piece fails the suite when the environment
 * variable {@code CI} is {@code true} and skips it (JUnit assumption) elsewhere, naming what is missing and
 * how to install it.
 */
final class Prerequisites {
    static final String INSTALL_HINT = "apt-get install -y qemu-system-x86 open-iscsi sg3-utils busybox-static e2fsprogs";

    private Prerequisites() {
    }

    /** Fails (CI=true) or aborts the current test when anything the harness needs is missing. */
    static void require(Path harnessDir) {
        List<String> missing = missing(harnessDir);
        if (missing.isEmpty()) {
            return;
        }
        String message = "Linux-initiator suite cannot run, missing: " + String.join(", ", missing)
                + ". Install with `" + INSTALL_HINT + "`";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message + " (CI=true: this suite must run in CI)");
        }
        Assumptions.abort(message);
    }

    /**
     * For a test factory: empty when everything is there, else one test named "prerequisites" that fails
     * or aborts like {@link #require} (Surefire does not report an aborted factory, but does report an
     * aborted test).
     */
    static Optional<List<DynamicNode>> unavailable(Path harnessDir) {
        if (missing(harnessDir).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(List.of(DynamicTest.dynamicTest("prerequisites", () -> require(harnessDir))));
    }

    static List<String> missing(Path harnessDir) {
        List<String> missing = new ArrayList<>();
        if (!Files.isRegularFile(harnessDir.resolve("run-linux-initiator.sh"))) {
            missing.add("the harness " + harnessDir.resolve("run-linux-initiator.sh")
                    + " (the shared/ checkout beside the repository, or -Dli.harness=DIR)");
        }
        for (String tool : List.of("qemu-system-x86_64", "iscsiadm", "sg_inq", "unshare", "bash", "ip")) {
            if (onPath(tool) == null) {
                missing.add(tool);
            }
        }
        if (onPath("iscsid") == null && !Files.isExecutable(Path.of("/usr/sbin/iscsid"))
                && !Files.isExecutable(Path.of("/sbin/iscsid"))) {
            missing.add("iscsid");
        }
        Path busybox = onPath("busybox");
        if (busybox == null) {
            missing.add("busybox (static)");
        } else if (run("ldd", busybox.toString()) == 0) {
            missing.add("a static busybox (" + busybox + " is dynamically linked: install busybox-static)");
        }
        if (!isRoot() && run("unshare", "--user", "--map-root-user", "--net", "true") != 0) {
            missing.add("root or unprivileged user namespaces (unshare --user)");
        }
        return missing;
    }

    static Path onPath(String tool) {
        String path = System.getenv("PATH");
        List<String> dirs = new ArrayList<>(List.of((path == null ? "" : path).split(File.pathSeparator)));
        dirs.add("/usr/sbin");
        dirs.add("/sbin");
        for (String dir : dirs) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, tool);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name")) || run("sh", "-c", "[ \"$(id -u)\" = 0 ]") == 0;
    }

    /** Exit status of a short command, or -1 when it cannot run. */
    private static int run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
