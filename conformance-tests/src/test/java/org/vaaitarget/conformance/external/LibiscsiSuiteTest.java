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
import java.util.HashSet;
import java.util.List;
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
 * <p>A family marked {@code removable} in {@code libiscsi-families.txt} (the medium-removal tests, which
 * need INQUIRY RMB=1) runs against a second in-process server whose LUN is removable; every other family
 * runs against the default fixed LUN. The second server starts only when such a family runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LibiscsiSuiteTest {
    static final String FAMILIES_RESOURCE = "/libiscsi-families.txt";
    /** The per-family option in {@code libiscsi-families.txt}: run against a removable LUN. */
    static final String REMOVABLE_OPTION = "removable";
    private static final long LUN_BYTES = 1L << 30;

    @TempDir
    Path dir;

    private TestTarget target;
    private TestTarget removableTarget;

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
        // Containers are evaluated lazily: each family runs when JUnit reaches it.
        Set<String> removable = removableFamilies();
        Stream<DynamicNode> families = families().stream().map(family -> dynamicContainer(family,
                Stream.of(family).flatMap(f -> cu.runFamily(f, removable.contains(f) ? removableUrl() : target.url())
                                .values().stream())
                        .map(result -> dynamicTest(result.name(), () -> known.check(result)))));
        return Stream.concat(Stream.of(listCheck), families);
    }

    /** The URL of the removable LUN, starting its server on first use. */
    private String removableUrl() {
        if (removableTarget == null) {
            try {
                removableTarget = TestTarget.start(Files.createDirectories(dir.resolve("removable")), LUN_BYTES, true);
            } catch (IOException | StartupException e) {
                throw new IllegalStateException("cannot start the removable-LUN target", e);
            }
        }
        return removableTarget.url();
    }

    @AfterAll
    void stopTarget() {
        if (target != null) {
            target.close();
        }
        if (removableTarget != null) {
            removableTarget.close();
        }
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
        for (List<String> line : familyLines()) {
            for (String option : line.subList(1, line.size())) {
                if (!option.equals(REMOVABLE_OPTION)) {
                    throw new IllegalStateException(FAMILIES_RESOURCE + ": family " + line.get(0) + " has unknown option '"
                            + option + "' (known: " + REMOVABLE_OPTION + ")");
                }
                out.add(line.get(0));
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
