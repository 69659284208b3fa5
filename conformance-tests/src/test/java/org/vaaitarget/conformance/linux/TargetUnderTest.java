package org.vaaitarget.conformance.linux;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The target the guest talks to, as a shell command for the harness's {@code --target-cmd} (run with
 * {@code bash -c} inside the run's network namespace, with {@code LI_TARGET_PORT} and {@code LI_TARGET_IQN}
 * set). Chosen with {@code -Dli.target=}:
 * <ul>
 * <li>{@code ours} (default): our server, {@code java -cp <classpath> org.vaaitarget.server.app.Main}. The
 * classpath is this test JVM's own ({@code java.class.path}), which in a reactor build holds
 * target-server's classes and every runtime dependency, so the suite needs no shaded jar (Surefire runs
 * before {@code package}); test-only jars are left out.</li>
 * <li>{@code jar}: {@code java -jar target-server/target/iscsi-target.jar} (after {@code mvn package}), or the
 * jar given with {@code -Dli.jar=PATH}.</li>
 * <li>{@code istgt}, {@code tgt}: stand-in targets used to develop the suite; their {@link #knownGaps} are
 * reported as skipped, not passed.</li>
 * </ul>
 * Every kind serves {@link #luns()} LUNs from files in a data directory that survives a restart (the fault
 * boot restarts the target on the same files).
 */
enum TargetUnderTest {
    OURS(3, Map.of()),
    JAR(3, Map.of()),
    ISTGT(3, Map.ofEntries(
            Map.entry("inquiry-vpd-00", "istgt 0.4 lists no Logical Block Provisioning VPD page (B2h)"),
            Map.entry("inquiry-vpd-b2", "istgt 0.4 has no Logical Block Provisioning VPD page (B2h)"),
            Map.entry("report-opcodes", "istgt 0.4 has no REPORT SUPPORTED OPERATION CODES"),
            Map.entry("caw-miscompare-offset", "istgt 0.4 reports INFORMATION 0 instead of the miscompare offset"),
            Map.entry("lbp-vpd-flags", Why.ISTGT_NO_LBP), Map.entry("write-same-16-unmap", Why.ISTGT_NO_LBP),
            Map.entry("write-same-10-unmap", Why.ISTGT_NO_LBP),
            Map.entry("write-same-16-ndob", "istgt 0.4 ignores NDOB and waits for a Data-Out (step timeout)"),
            Map.entry("write-same-16-ndob-unmap", Why.ISTGT_NO_LBP), Map.entry("unmap", Why.ISTGT_NO_LBP),
            Map.entry("unmap-two-ranges", Why.ISTGT_NO_LBP),
            Map.entry("get-lba-status-mapped-vs-deallocated", Why.ISTGT_NO_LBP),
            Map.entry("pr-register-aptpl", Why.ISTGT_NO_APTPL), Map.entry("pr-read-full-status", Why.ISTGT_NO_APTPL),
            Map.entry("pr-clear", Why.ISTGT_NO_APTPL),
            Map.entry("xcopy-vpd-8f", Why.ISTGT_NO_XCOPY), Map.entry("xcopy-vpd-8f-matches-rcop", Why.ISTGT_NO_XCOPY),
            Map.entry("xcopy-lun0-to-lun1", Why.ISTGT_NO_XCOPY),
            Map.entry("xcopy-lun0-to-lun1-on-dst", Why.ISTGT_NO_XCOPY),
            Map.entry("atomic-limits", Why.NO_ATOMIC), Map.entry("atomic-write-rwf-atomic", Why.NO_ATOMIC))),
    TGT(1, Map.ofEntries(
            Map.entry("digest-login", Why.TGT_NO_DIGESTS), Map.entry("digest-lun-scan", Why.TGT_NO_DIGESTS),
            Map.entry("digest-negotiated", Why.TGT_NO_DIGESTS), Map.entry("digest-inquiry", Why.TGT_NO_DIGESTS),
            Map.entry("digest-dd-4MiB", Why.TGT_NO_DIGESTS), Map.entry("digest-logout", Why.TGT_NO_DIGESTS),
            Map.entry("lun-numbers", "tgt's LUN 0 is its controller; the disk is LUN 1"),
            Map.entry("report-luns", "tgt reports its controller LUN 0 as well"),
            Map.entry("report-opcodes", "tgt's opcode list differs"),
            Map.entry("caw-success", "tgt 1.0.85 has no COMPARE AND WRITE"),
            Map.entry("caw-success-data", "tgt 1.0.85 has no COMPARE AND WRITE"),
            Map.entry("caw-miscompare", "tgt 1.0.85 has no COMPARE AND WRITE"),
            Map.entry("caw-miscompare-data-unchanged", "tgt 1.0.85 has no COMPARE AND WRITE"),
            Map.entry("caw-miscompare-offset", "tgt 1.0.85 has no COMPARE AND WRITE"),
            Map.entry("caw-miscompare-raw-sense", "tgt 1.0.85 has no COMPARE AND WRITE"),
            Map.entry("atomic-limits", Why.NO_ATOMIC), Map.entry("atomic-write-rwf-atomic", Why.NO_ATOMIC)));

    /** Reasons shared by several known gaps. */
    private interface Why {
        String TGT_NO_DIGESTS = "tgt's default configuration does not accept CRC32C digests";
        String ISTGT_NO_LBP = "istgt 0.4 has no GET LBA STATUS and no thin provisioning (UNMAP, WRITE SAME UNMAP)";
        String ISTGT_NO_APTPL = "istgt 0.4 rejects APTPL=1 in PERSISTENT RESERVE OUT; the later PR steps need that key";
        String ISTGT_NO_XCOPY = "istgt 0.4 has no EXTENDED COPY and no Third-party Copy VPD page";
        String NO_ATOMIC = "the stand-in has no WRITE ATOMIC(16) and advertises no atomic-write limits";
    }

    static final String MAIN_CLASS = "org.vaaitarget.server.app.Main";
    static final int LUN_SIZE_MIB = 64;

    private final int luns;
    private final Map<String, String> knownGaps;

    TargetUnderTest(int luns, Map<String, String> knownGaps) {
        this.luns = luns;
        this.knownGaps = knownGaps;
    }

    static TargetUnderTest selected() {
        String name = System.getProperty("li.target", "ours").trim();
        try {
            return valueOf(name.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-Dli.target=" + name + ": use ours, jar, istgt or tgt", e);
        }
    }

    /** Disk LUNs the guest must find. */
    int luns() {
        return luns;
    }

    /** Steps this stand-in is known to fail, with the reason; empty for our server. */
    Map<String, String> knownGaps() {
        return knownGaps;
    }

    /**
     * The shell command that starts this target in the foreground.
     *
     * @param repoRoot the repository checkout (for the jar and the harness's stand-in scripts)
     * @param resources the suite's resource directory (stand-in and supervisor scripts)
     * @param dataDir where the LUN files live
     * @param serverArgs extra server options (ours/jar only), e.g. {@code --write-cache through}
     */
    String command(Path repoRoot, Path harnessDir, Path resources, Path dataDir, List<String> serverArgs) {
        switch (this) {
            case ISTGT:
                return "exec bash " + q(resources.resolve("istgt-standin.sh")) + " \"$LI_TARGET_PORT\" \"$LI_TARGET_IQN\" "
                        + q(dataDir) + " " + luns + " " + LUN_SIZE_MIB;
            case TGT:
                Path file = dataDir.resolve("lun1.img");
                return "[ -f " + q(file) + " ] || truncate -s " + LUN_SIZE_MIB + "M " + q(file) + "; exec bash "
                        + q(harnessDir.resolve("targets/tgt-target.sh")) + " \"$LI_TARGET_PORT\" \"$LI_TARGET_IQN\" "
                        + LUN_SIZE_MIB + " " + q(file);
            default:
                break;
        }
        StringBuilder cmd = new StringBuilder("exec ").append(java(repoRoot));
        cmd.append(" --portal \"127.0.0.1:$LI_TARGET_PORT\" --iqn \"$LI_TARGET_IQN\"");
        for (int i = 0; i < luns; i++) {
            cmd.append(" --lun ").append(q(dataDir.resolve("lun" + i + ".img") + ":" + LUN_SIZE_MIB + "M"));
        }
        for (String arg : serverArgs) {
            cmd.append(' ').append(q(arg));
        }
        return cmd.toString();
    }

    /** This JVM's classpath without the test-only entries; fails when the server's Main class is not on it. */
    /** Our server's launcher, before its arguments: the JVM with the jar or the classpath and main class. */
    private String java(Path repoRoot) {
        StringBuilder cmd = new StringBuilder(q(javaBinary())).append(" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
        if (this == JAR) {
            String override = System.getProperty("li.jar", "");
            Path jar = override.isBlank() ? repoRoot.resolve("target-server/target/iscsi-target.jar")
                    : Path.of(override).toAbsolutePath();
            if (!Files.isRegularFile(jar)) {
                fail("-Dli.target=jar: " + jar + " does not exist; run `mvn -DskipTests package` first");
            }
            cmd.append(" -jar ").append(q(jar));
        } else {
            cmd.append(" -cp ").append(q(serverClasspath())).append(' ').append(MAIN_CLASS);
        }
        return cmd.toString();
    }

    /** {@code ctl --socket SOCKET} of our server, to be followed by a command; null for the stand-ins. */
    String ctlCommand(Path repoRoot, Path socket) {
        return this == OURS || this == JAR ? java(repoRoot) + " ctl --socket " + q(socket) : null;
    }

    static String serverClasspath() {
        if (TargetUnderTest.class.getClassLoader().getResource(MAIN_CLASS.replace('.', '/') + ".class") == null) {
            fail(MAIN_CLASS + " is not on the test classpath: build target-server first (mvn -pl conformance-tests -am test)");
        }
        List<String> kept = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String e = entry.replace('\\', '/');
            boolean testOnly = e.endsWith("/test-classes") || e.contains("junit") || e.contains("opentest4j")
                    || e.contains("apiguardian") || e.contains("surefire") || e.contains("jscsi");
            if (!entry.isEmpty() && !testOnly) {
                kept.add(entry);
            }
        }
        return kept.stream().collect(Collectors.joining(File.pathSeparator));
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Single-quotes a word for bash. */
    static String q(Object word) {
        return "'" + word.toString().replace("'", "'\\''") + "'";
    }
}
