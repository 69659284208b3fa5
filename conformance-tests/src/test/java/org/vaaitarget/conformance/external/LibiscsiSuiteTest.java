package org.vaaitarget.conformance.external;

import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.vaaitarget.conformance.support.ExternalTools;
import org.vaaitarget.conformance.support.TestTarget;
import org.vaaitarget.server.app.StartupException;

/**
 * libiscsi's {@code iscsi-test-cu} against the server, every CUnit test reported as its own JUnit test
 * ({@code Family > Family.Test}) and judged against {@code known-failures.txt}.
 *
 * <p>System properties: {@code conformance.url} (test an external target instead of the in-process
 * server), {@code conformance.families} (comma-separated, instead of {@code libiscsi-families.txt}),
 * {@code conformance.familyTimeoutSeconds} (default 180), {@code conformance.testTimeoutSeconds}
 * (default 60), {@code conformance.budgetSeconds} (all families together, default 1500: keeps CI under
 * its limit even when everything hangs), {@code conformance.multipath} (true: pass the URL twice, for MultipathIO.*),
 * {@code conformance.logDir} (default target/libiscsi).
 *
 * <p>A family may name the LUN it needs after its name in {@code libiscsi-families.txt}: {@code removable}
 * (INQUIRY RMB=1, for the medium-removal tests), {@code readonly} (a write-protected LUN, for ReadOnly) or
 * {@code sanitize} (a LUN that allows SANITIZE, run with {@code --allow-sanitize}); {@code multipath} runs the
 * family with the default LUN's URL twice (two sessions, for MultipathIO). Each other kind of LUN is
 * served by its own in-process server, started when the first family that needs it runs; every other
 * family runs against the default fixed, thin LUN.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LibiscsiSuiteTest {
    static final String FAMILIES_RESOURCE = "/libiscsi-families.txt";
    private static final long LUN_BYTES = 1L << 30;
    /**
     * The sanitize LUN: small, with a sanitize rate, so that one OVERWRITE takes 12 s (Sanitize.Reset
     * checks for SANITIZE IN PROGRESS three seconds after it starts) yet the family fits its time limit.
     */
    private static final long SANITIZE_LUN_BYTES = 48L << 20;
    private static final long SANITIZE_BYTES_PER_SECOND = 4L << 20;

    /** The LUN a family runs against: the option after its name in {@code libiscsi-families.txt}. */
    enum LunKind {
        DEFAULT(""), REMOVABLE("removable"), READONLY("readonly"), SANITIZE("sanitize"), MULTIPATH("multipath");

        final String option;

        LunKind(String option) {
            this.option = option;
        }

        static LunKind of(String option) {
            for (LunKind k : values()) {
                if (k != DEFAULT && k.option.equals(option)) {
                    return k;
                }
            }
            return null;
        }
    }

    @TempDir
    Path dir;

    private TestTarget target;
    private final Map<LunKind, TestTarget> kindTargets = new EnumMap<>(LunKind.class);

    @TestFactory
    Stream<DynamicNode> iscsiTestCu() throws Exception {
        Path tool = ExternalTools.require("iscsi-test-cu");
        // Reads are copied (zeroCopyReads is withdrawn: ZeroCopyTearTest).
        target = TestTarget.start(dir, LUN_BYTES);
        IscsiTestCu cu = new IscsiTestCu(tool, target.url(), Boolean.getBoolean("conformance.multipath"),
                Duration.ofSeconds(Long.getLong("conformance.familyTimeoutSeconds", 180)),
                Duration.ofSeconds(Long.getLong("conformance.testTimeoutSeconds", 60)),
                Duration.ofSeconds(Long.getLong("conformance.budgetSeconds", 1500)),
                Path.of(System.getProperty("conformance.logDir", "target/libiscsi")));
        KnownFailures known = KnownFailures.load();
        DynamicNode listCheck = dynamicTest("known-failures.txt lists only tests iscsi-test-cu has", () -> {
            List<String> unknown = known.entries().keySet().stream().filter(t -> !cu.allTests().contains(t)).toList();
            Assertions.assertEquals(List.of(), unknown, "not tests of iscsi-test-cu (see iscsi-test-cu -l): remove or rename");
        });
        DynamicNode everyFamily = dynamicTest("libiscsi-families.txt lists every family iscsi-test-cu has", () -> {
            Set<String> listed = new HashSet<>(familyLines().stream().map(l -> l.get(0)).toList());
            List<String> missing = cu.allTests().stream().map(t -> t.substring(0, t.indexOf('.'))).distinct()
                    .filter(f -> !listed.contains(f)).toList();
            Assertions.assertEquals(List.of(), missing, "add them (with the LUN they need) so that none is skipped");
        });
        // Containers are evaluated lazily: each family runs when JUnit reaches it.
        Map<String, LunKind> kinds = familyLuns();
        Stream<DynamicNode> families = families().stream().map(family -> dynamicContainer(family,
                Stream.of(family).flatMap(f -> runFamily(cu, f, kinds.getOrDefault(f, LunKind.DEFAULT)).values().stream())
                        .map(result -> dynamicTest(result.name(), () -> known.check(result)))));
        return Stream.concat(Stream.of(listCheck, everyFamily), families);
    }

    private Map<String, TestResult> runFamily(IscsiTestCu cu, String family, LunKind kind) {
        if (kind == LunKind.DEFAULT) {
            return cu.runFamily(family, target.url(), List.of());
        }
        if (kind == LunKind.MULTIPATH) {
            return cu.runFamily(family, target.url(), List.of(target.url()));   // two sessions to the default LUN
        }
        List<String> extra = kind == LunKind.SANITIZE ? List.of("--allow-sanitize") : List.of();
        return cu.runFamily(family, kindTarget(kind).url(), extra);
    }

    /** The server of a kind of LUN, started on first use (an external target is used as it is). */
    private TestTarget kindTarget(LunKind kind) {
        TestTarget t = kindTargets.get(kind);
        if (t != null) {
            return t;
        }
        try {
            Path folder = Files.createDirectories(dir.resolve(kind.option));
            boolean external = !System.getProperty(TestTarget.URL_PROPERTY, "").isBlank();
            t = switch (kind) {
                case REMOVABLE -> TestTarget.start(folder, LUN_BYTES, true);
                case READONLY -> external ? TestTarget.start(folder, LUN_BYTES)
                        : TestTarget.startWithLun(folder, LUN_BYTES, l -> l.withReadOnly(true));
                case SANITIZE -> external ? TestTarget.start(folder, LUN_BYTES)
                        : TestTarget.startWithLun(folder, SANITIZE_LUN_BYTES,
                                l -> l.withSanitize(true).withSanitizeBytesPerSecond(SANITIZE_BYTES_PER_SECOND));
                case DEFAULT, MULTIPATH -> throw new IllegalArgumentException("the default LUN is started with the suite");
            };
        } catch (IOException | StartupException e) {
            throw new IllegalStateException("cannot start the " + kind.option + "-LUN target", e);
        }
        kindTargets.put(kind, t);
        return t;
    }

    @AfterAll
    void stopTarget() {
        if (target != null) {
            target.close();
        }
        kindTargets.values().forEach(TestTarget::close);
    }

    /** The families to run: {@code conformance.families}, or every family of the list file. */
    static List<String> families() throws IOException {
        String override = System.getProperty("conformance.families", "");
        if (!override.isBlank()) {
            return Arrays.stream(override.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        }
        return familyLines().stream().map(l -> l.get(0)).toList();
    }

    /** The families the list file marks {@code removable} (also when {@code conformance.families} picks them). */
    static Set<String> removableFamilies() throws IOException {
        Set<String> out = new HashSet<>();
        familyLuns().forEach((family, kind) -> {
            if (kind == LunKind.REMOVABLE) {
                out.add(family);
            }
        });
        return out;
    }

    /** The families the list file gives a LUN of their own, with that kind (one option per family at most). */
    static Map<String, LunKind> familyLuns() throws IOException {
        Map<String, LunKind> out = new HashMap<>();
        for (List<String> line : familyLines()) {
            if (line.size() > 2) {
                throw new IllegalStateException(FAMILIES_RESOURCE + ": family " + line.get(0) + " has more than one option");
            }
            if (line.size() == 2) {
                LunKind kind = LunKind.of(line.get(1));
                if (kind == null) {
                    throw new IllegalStateException(FAMILIES_RESOURCE + ": family " + line.get(0) + " has unknown option '"
                            + line.get(1) + "' (known: removable, readonly, sanitize, multipath)");
                }
                out.put(line.get(0), kind);
            }
        }
        return out;
    }

    /** Each non-comment line of the list file as words: the family, then its options. */
    private static List<List<String>> familyLines() throws IOException {
        try (InputStream in = LibiscsiSuiteTest.class.getResourceAsStream(FAMILIES_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(FAMILIES_RESOURCE + " is missing from the test resources");
            }
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines()
                    .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                    .map(l -> List.of(l.split("\\s+"))).toList();
        }
    }
}
