package org.vaaitarget.conformance.external;

import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.vaaitarget.conformance.support.ExternalTools;
import org.vaaitarget.conformance.support.TestTarget;

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
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LibiscsiSuiteTest {
    static final String FAMILIES_RESOURCE = "/libiscsi-families.txt";
    private static final long LUN_BYTES = 1L << 30;

    @TempDir
    Path dir;

    private TestTarget target;

    @TestFactory
    Stream<DynamicNode> iscsiTestCu() throws Exception {
        Path tool = ExternalTools.require("iscsi-test-cu");
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
        Stream<DynamicNode> families = families().stream().map(family -> dynamicContainer(family,
                Stream.of(family).flatMap(f -> cu.runFamily(f).values().stream())
                        .map(result -> dynamicTest(result.name(), () -> known.check(result)))));
        return Stream.concat(Stream.of(listCheck), families);
    }

    @AfterAll
    void stopTarget() {
        if (target != null) {
            target.close();
        }
    }

    static List<String> families() throws IOException {
        String override = System.getProperty("conformance.families", "");
        if (!override.isBlank()) {
            return Arrays.stream(override.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        }
        try (InputStream in = LibiscsiSuiteTest.class.getResourceAsStream(FAMILIES_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(FAMILIES_RESOURCE + " is missing from the test resources");
            }
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines()
                    .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        }
    }
}
