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
     * A {@code qemu-system-x86_64} wrapper for the harness: under TCG (no usable KVM) it runs the guest on QEMU's
     * default CPU model without CMPXCHG16B ({@code -cpu qemu64,-cx16}).
     *
     * <p>Why: with CX16 the 6.12 kernel crashed during boot in most boots under QEMU 7.2 TCG on this machine
     * (double faults after the {@code cmpxchg16b %gs:(%rsi)} of SLUB's per-CPU fast path in
     * {@code kmem_cache_alloc}, general protection faults on the IRET of {@code sync_core}, spurious #DB in
     * {@code exc_debug_kernel}), every time with an impossible EFLAGS in the exception frame (bits 22-31 set,
     * low bits equal to a register's): the emulated CPU's flags had been replaced by a data value, and an
     * interrupt's IRET loaded them (TF gives the #DB, NT the #GP on IRET, and so on). The likely source is QEMU
     * 7.2's CMPXCHG16B, a helper that computes the flags from the lazily tracked flags operation in the CPU
     * state, which the translator does not store before calling it (QEMU 8.1 emits the instruction inline).
     * Without CX16 in CPUID the kernel never executes it (SLUB takes its locked slow path). Measured with the
     * 6.12.95 cloud kernel, boots to a shell that loads the harness's modules: Westmere + single-threaded TCG
     * (the previous setting) 2 of 11, qemu64 (QEMU's default) 3 of 6, {@code max} 2 of 4,
     * {@code qemu64,-cx16} 18 of 18, {@code Westmere,-cx16} 8 of 8; whole harness runs of this boot: Westmere
     * 5 of 8, {@code qemu64,-cx16} 26 of 26 (6 of them with both host cores kept busy). The 6.1 kernel of the
     * other boots does not hit it and keeps QEMU's defaults.
     */
    static Path qemuWrapper(Path workDir) throws IOException {
        Path real = Prerequisites.onPath("qemu-system-x86_64");
        Path dir = java.nio.file.Files.createDirectories(workDir.resolve("qemu-tcg-nocx16"));
        Path wrapper = dir.resolve("qemu-system-x86_64");
        java.nio.file.Files.writeString(wrapper, "#!/bin/bash\n"
                + "# written by AtomicWriteGuest: no CMPXCHG16B in the guest CPU when the harness uses TCG\n"
                + "tcg=0\n"
                + "for a in \"$@\"; do [ \"$a\" = tcg ] && tcg=1; done\n"
                + "if [ $tcg = 1 ]; then exec " + real + " \"$@\" -cpu qemu64,-cx16; fi\n"
                + "exec " + real + " \"$@\"\n");
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
