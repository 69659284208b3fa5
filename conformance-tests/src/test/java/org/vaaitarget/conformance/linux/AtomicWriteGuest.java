package org.vaaitarget.conformance.linux;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * What the atomic-write boot needs beyond the others: a Linux 6.11+ kernel (Debian bookworm-backports'
 * cloud kernel, fetched once by {@code backports-kernel.sh} into the harness cache) and the static
 * {@code atomic-write} helper built from {@code atomic-write.c}. Missing either fails the test when
 * {@code CI=true} and aborts it elsewhere, naming what is missing.
 */
final class AtomicWriteGuest {
    private AtomicWriteGuest() {
    }

    /** The kernel package: {@code LI_KERNEL_DEB_ATOMIC} when set, else the cached or downloaded backports one. */
    static Path kernelDeb(Path resources) {
        String given = System.getenv("LI_KERNEL_DEB_ATOMIC");
        if (given != null && !given.isBlank()) {
            return Path.of(given);
        }
        String cacheRoot = System.getenv("LI_CACHE_DIR");
        Path cache = (cacheRoot != null && !cacheRoot.isBlank() ? Path.of(cacheRoot)
                : Path.of(System.getProperty("user.home"), ".cache", "linux-initiator")).resolve("debs-backports");
        String out = run(List.of("bash", resources.resolve("backports-kernel.sh").toString(), cache.toString()), 600,
                "a Linux 6.11+ kernel package (bookworm-backports linux-image-cloud-amd64, fetched with apt-get)");
        return Path.of(out.lines().reduce((a, b) -> b).orElseThrow().trim());
    }

    /**
     * A {@code qemu-system-x86_64} wrapper for the harness: under TCG (no usable KVM) it runs the guest on a
     * Westmere CPU model with single-threaded TCG. With QEMU 7.2's defaults (qemu64, multi-threaded TCG) the
     * 6.12 kernel crashed during boot on this machine (a spurious #DB and a general protection fault with
     * corrupted EFLAGS); the 6.1 kernel of the other boots does not need this.
     */
    static Path qemuWrapper(Path workDir) throws IOException {
        Path real = Prerequisites.onPath("qemu-system-x86_64");
        Path dir = java.nio.file.Files.createDirectories(workDir.resolve("qemu-tcg-westmere"));
        Path wrapper = dir.resolve("qemu-system-x86_64");
        java.nio.file.Files.writeString(wrapper, "#!/bin/bash\n"
                + "# written by AtomicWriteGuest: Westmere CPU and single-threaded TCG when the harness uses TCG\n"
                + "args=(); tcg=0\n"
                + "for a in \"$@\"; do if [ \"$a\" = tcg ]; then a=tcg,thread=single; tcg=1; fi; args+=(\"$a\"); done\n"
                + "[ $tcg = 1 ] && args+=(-cpu Westmere)\n"
                + "exec " + real + " \"${args[@]}\"\n");
        wrapper.toFile().setExecutable(true);
        return dir;
    }

    /** Builds the static helper into {@code workDir}. */
    static Path helper(Path resources, Path workDir) {
        Path binary = workDir.resolve("atomic-write");
        run(List.of("gcc", "-static", "-O2", "-o", binary.toString(), resources.resolve("atomic-write.c").toString()), 120,
                "the static atomic-write helper (gcc and libc6-dev: apt-get install -y gcc)");
        return binary;
    }

    private static String run(List<String> command, long seconds, String what) {
        String output;
        int exit;
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] bytes = p.getInputStream().readAllBytes();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                exit = -1;
            } else {
                exit = p.exitValue();
            }
            output = new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            output = e.toString();
            exit = -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            output = e.toString();
            exit = -1;
        }
        if (exit != 0) {
            String message = "atomic-write boot cannot run without " + what + ": " + String.join(" ", command)
                    + " exited " + exit + ": " + output.strip();
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(message + " (CI=true: this suite must run in CI)");
            }
            Assumptions.abort(message);
        }
        return output;
    }
}
