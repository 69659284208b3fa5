package org.vaaitarget.conformance.linux;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The real Linux initiator (kernel iscsi_tcp + open-iscsi) and sg3_utils against the target, through the
 * shared harness {@code ../shared/linux-initiator/run-linux-initiator.sh} (a QEMU guest in a private network
 * namespace; see its README). Three guest boots, each a test container with one test per guest step:
 * <ol>
 * <li>{@code sessions}: discovery, login with open-iscsi's defaults, scan of 3 LUNs, logout, login/logout
 * cycles, forced relogin of an active session (session reinstatement), a second session from a second
 * iface with the same initiator name, CRC32C header and data digests (command file {@code sessions.sh}).</li>
 * <li>{@code scsi-and-block}: sg3_utils (INQUIRY + VPD 00/80/83/B0/B1/B2, READ CAPACITY(16), REPORT LUNS,
 * TEST UNIT READY, REPORT SUPPORTED OPCODES, MODE SENSE, SYNCHRONIZE CACHE, COMPARE AND WRITE; WRITE SAME
 * 10/16 with data, UNMAP and NDOB, UNMAP, GET LBA STATUS, the LBP VPD flags; PERSISTENT RESERVE IN/OUT
 * register/reserve/release/APTPL/full status/clear; EXTENDED COPY LUN 0 to LUN 1 through sg_xcopy and the
 * 8Fh page against RECEIVE COPY OPERATING PARAMETERS), O_DIRECT dd at several request sizes, ext4
 * mkfs/mount/files/fsck/remount/verify ({@code scsi.sh}, {@code blockdev.sh}).</li>
 * <li>{@code resize} (our server only): {@code ctl sessions --json} lists the guest's session, and a LUN grown
 * with {@code ctl resize} (run on the host by {@code ctl-supervisor.sh} when the guest asks) is seen by the
 * kernel after a SCSI rescan, CAPACITY DATA HAS CHANGED logged, the new blocks usable ({@code resize.sh}).</li>
 * <li>{@code fault}: the target is SIGKILLed in the middle of writes and restarted on the same files by
 * {@code fault-supervisor.sh}; the session recovers by itself and every completed write is on the medium
 * ({@code fault.sh}).</li>
 * </ol>
 * The command files are in {@code src/test/resources/linux-initiator/}. Logs of each boot stay in
 * {@code conformance-tests/target/linux-initiator/<boot>/}; every failure message names that directory.
 *
 * <p>Target: our server by default, started as {@code java -cp <this JVM's classpath minus test jars>
 * org.vaaitarget.server.app.Main --portal 127.0.0.1:PORT --iqn IQN --lun FILE:64M x3} (works in a plain
 * reactor {@code mvn test}, before any shaded jar exists). {@code -Dli.target=jar} uses
 * {@code target-server/target/iscsi-target.jar}; {@code -Dli.target=istgt|tgt} the stand-ins (see
 * {@link TargetUnderTest}). {@code -Dli.harness=DIR} overrides the harness location.
 *
 * <p>CI must install: {@code apt-get install -y qemu-system-x86 open-iscsi sg3-utils busybox-static e2fsprogs}
 * (plus util-linux, iproute2, coreutils, present on Debian) and run as root (or with unprivileged user
 * namespaces); the first run downloads the Debian cloud kernel package (about 27 MB, {@code apt-get download},
 * cached in {@code ~/.cache/linux-initiator}) and builds the guest image (about 10 s). With
 * {@code CI=true} a missing prerequisite fails the suite; elsewhere it skips it. The stand-ins need
 * {@code istgt} / {@code tgt}. Runtime: about 20-35 s per boot under TCG (no KVM needed).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LinuxInitiatorTest {
    static final Path MODULE_DIR = Path.of(System.getProperty("basedir", "")).toAbsolutePath().normalize();
    static final Path REPO_ROOT = MODULE_DIR.getParent();
    static final Path WORK_DIR = MODULE_DIR.resolve("target/linux-initiator");

    @TestFactory
    @Order(1)
    List<DynamicNode> sessions() throws Exception {
        Optional<List<DynamicNode>> unavailable = Prerequisites.unavailable(harnessDir());
        if (unavailable.isPresent()) {
            return unavailable.get();
        }
        TargetUnderTest target = TargetUnderTest.selected();
        Boot boot = new Boot("sessions").commands("common.sh", "sessions.sh").option("--no-login")
                .env("EXPECT_LUNS", target.luns());
        return run(boot, target, false, List.of()).tests(target.knownGaps());
    }

    @TestFactory
    @Order(2)
    List<DynamicNode> scsiAndBlock() throws Exception {
        Optional<List<DynamicNode>> unavailable = Prerequisites.unavailable(harnessDir());
        if (unavailable.isPresent()) {
            return unavailable.get();
        }
        TargetUnderTest target = TargetUnderTest.selected();
        Boot boot = new Boot("scsi-and-block").commands("common.sh", "scsi.sh", "blockdev.sh")
                .env("EXPECT_LUNS", target.luns()).env("WRITE_CACHE", "back");
        return run(boot, target, false, List.of("--write-cache", "back"))
                .tests(target.knownGaps());
    }

    @TestFactory
    @Order(3)
    List<DynamicNode> fault() throws Exception {
        Optional<List<DynamicNode>> unavailable = Prerequisites.unavailable(harnessDir());
        if (unavailable.isPresent()) {
            return unavailable.get();
        }
        TargetUnderTest target = TargetUnderTest.selected();
        Boot boot = new Boot("fault").commands("common.sh", "fault.sh");
        BootResult result = run(boot, target, true, List.of("--write-cache", "back"));
        List<DynamicNode> tests = new ArrayList<>(result.tests(target.knownGaps()));
        tests.add(DynamicTest.dynamicTest("target killed and restarted by the supervisor", () -> {
            String log = String.join("\n", BootResult.read(result.logDir.resolve("target.log")));
            assertTrue(log.contains("supervisor: kill request 1: target pid")
                    && log.contains("supervisor: target restarted after kill request 1"),
                    "[fault] target.log does not show the SIGKILL and the restart\n" + result.where());
        }));
        return tests;
    }

    @TestFactory
    @Order(4)
    List<DynamicNode> resize() throws Exception {
        Optional<List<DynamicNode>> unavailable = Prerequisites.unavailable(harnessDir());
        if (unavailable.isPresent()) {
            return unavailable.get();
        }
        TargetUnderTest target = TargetUnderTest.selected();
        Path socket = WORK_DIR.resolve("data-resize").resolve("admin.sock"); // beside the first LUN: the default
        String ctl = target.ctlCommand(REPO_ROOT, socket);
        if (ctl == null) {
            return List.of(DynamicTest.dynamicTest("resize (our server only)",
                    () -> Assumptions.abort("the stand-in " + target + " has no admin command")));
        }
        Boot boot = new Boot("resize").commands("common.sh", "resize.sh");
        BootResult result = run(boot, target,
                (command, resources) -> "exec bash " + TargetUnderTest.q(resources.resolve("ctl-supervisor.sh")) + " "
                        + TargetUnderTest.q(command) + " " + TargetUnderTest.q(ctl), List.of());
        List<DynamicNode> tests = new ArrayList<>(result.tests(target.knownGaps()));
        tests.add(DynamicTest.dynamicTest("ctl sessions --json lists the guest's session", () -> {
            String sessions = String.join("\n", BootResult.read(result.logDir.resolve("ctl-1.out")));
            assertTrue(sessions.contains("\"initiator\" : \"" + GUEST_INITIATOR + "\"")
                    && sessions.contains("\"target\" : \"" + Boot.IQN + "\""),
                    "[resize] ctl-1.out does not list " + GUEST_INITIATOR + " on " + Boot.IQN + ":\n" + sessions
                            + "\n" + result.where());
        }));
        tests.add(DynamicTest.dynamicTest("ctl resize succeeded", () -> {
            String log = String.join("\n", BootResult.read(result.logDir.resolve("target.log")));
            assertTrue(log.contains("supervisor: ctl 2 resize ") && log.contains(": exit 0"),
                    "[resize] target.log does not show ctl resize exiting 0\n" + result.where());
        }));
        return tests;
    }

    /** The harness's default initiator name in the guest. */
    static final String GUEST_INITIATOR = "iqn.2025-01.test.harness:linux-initiator";

    /** Wraps the target command (for a supervisor script in the resources directory). */
    interface Supervisor {
        String wrap(String command, Path resources);
    }


    /**
     * WRITE ATOMIC(16) from the Linux block layer, on a 6.11+ kernel (bookworm-backports): the queue's atomic
     * write limits come from our VPD B0h, and a {@code pwritev2(RWF_ATOMIC)} reaches the target as a 9Ch CDB
     * and reads back whole.
     */
    @TestFactory
    @Order(5)
    List<DynamicNode> atomicWrites() throws Exception {
        Optional<List<DynamicNode>> unavailable = Prerequisites.unavailable(harnessDir());
        if (unavailable.isPresent()) {
            return unavailable.get();
        }
        TargetUnderTest target = TargetUnderTest.selected();
        Path resources = resourcesDir();
        Files.createDirectories(WORK_DIR);
        Path kernel = AtomicWriteGuest.kernelDeb(resources);
        Path helper = AtomicWriteGuest.helper(resources, WORK_DIR);
        Boot boot = new Boot("atomic-writes").commands("common.sh", "atomic.sh")
                .option("--kernel-deb", kernel.toString(), "--file", helper.toString())
                .pathPrefix(AtomicWriteGuest.qemuWrapper(WORK_DIR))
                .env("ATOMIC_MAX_BYTES", ATOMIC_MAX_BYTES);
        // The 6.12 guest under QEMU 7.2 TCG (KVM is kvm_pvm here, unusable) crashed in most boots while its CPU
        // had CMPXCHG16B (see AtomicWriteGuest.qemuWrapper); without it, it booted every time. A boot whose guest
        // did not report a result is still retried once in case of another emulator fault; a crash that the
        // target causes would repeat on both attempts.
        BootResult result = null;
        for (int attempt = 1; attempt <= ATOMIC_BOOT_ATTEMPTS; attempt++) {
            result = run(boot, target, false, List.of());
            if (result.resultReported) {
                break;
            }
        }
        return result.tests(target.knownGaps());
    }

    private static final int ATOMIC_BOOT_ATTEMPTS = 2;

    /** What our LUNs advertise as MAXIMUM ATOMIC TRANSFER LENGTH, in bytes (1 MiB). */
    static final int ATOMIC_MAX_BYTES = 1 << 20;

    static BootResult run(Boot boot, TargetUnderTest target, boolean supervised, List<String> serverArgs)
            throws IOException, InterruptedException {
        return run(boot, target, supervised ? (command, resources) -> "exec bash "
                + TargetUnderTest.q(resources.resolve("fault-supervisor.sh")) + " " + TargetUnderTest.q(command)
                : (command, resources) -> command, serverArgs);
    }

    /** Checks the prerequisites, starts the boot with a fresh data directory, removes the LUN files after. */
    static BootResult run(Boot boot, TargetUnderTest target, Supervisor supervisor, List<String> serverArgs)
            throws IOException, InterruptedException {
        Path harness = harnessDir();
        Prerequisites.require(harness);
        Path resources = resourcesDir();
        Path data = WORK_DIR.resolve("data-" + boot.name);
        Boot.deleteTree(data);
        Files.createDirectories(data);
        String command = supervisor.wrap(target.command(REPO_ROOT, harness, resources, data, serverArgs), resources);
        try {
            return boot.target(command).run(harness, resources, WORK_DIR);
        } finally {
            Boot.deleteTree(data);
        }
    }

    static Path harnessDir() {
        String dir = System.getProperty("li.harness", System.getenv("LI_HARNESS"));
        return dir != null && !dir.isBlank() ? Path.of(dir).toAbsolutePath()
                : REPO_ROOT.resolve("../shared/linux-initiator").normalize();
    }

    static Path resourcesDir() {
        URL url = LinuxInitiatorTest.class.getClassLoader().getResource("linux-initiator/common.sh");
        try {
            if (url != null && "file".equals(url.getProtocol())) {
                return Path.of(url.toURI()).getParent();
            }
        } catch (URISyntaxException e) {
            // fall through to the source directory
        }
        return MODULE_DIR.resolve("src/test/resources/linux-initiator");
    }
}
