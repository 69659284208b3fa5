package org.vaaitarget.conformance.external;

import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.vaaitarget.conformance.support.CephCluster;
import org.vaaitarget.conformance.support.ExternalTools;
import org.vaaitarget.conformance.support.TestTarget;

/**
 * libiscsi families given two paths, on two gateways serving one RBD image: MultipathIO (the same device through
 * both, I/O and reset on both, COMPARE AND WRITE racing across the gateways), and the reservation families, whose
 * second initiator libiscsi logs in through the second path: a reservation made through one gateway holds through
 * the other. {@code conformance.rbdMultipathFamilies} (comma-separated) replaces the list.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RbdMultipathTest {
    static final List<String> FAMILIES = List.of("MultipathIO", "Reserve6", "ProutRegister", "ProutReserve",
            "ProutClear", "ProutPreempt", "PrinReadKeys", "PrinServiceactionRange", "PrinReportCapabilities");
    private List<TestTarget> gateways;

    @TestFactory
    Stream<DynamicNode> multipathIoAcrossTwoGateways() throws Exception {
        Path tool = ExternalTools.require("iscsi-test-cu");
        gateways = CephCluster.gateways(CephCluster.newLun("multipath", 256L << 20), 2);
        IscsiTestCu cu = new IscsiTestCu(tool, gateways.get(0).url(), gateways.get(1).url(), Duration.ofSeconds(180),
                Duration.ofSeconds(60), Duration.ofSeconds(300), Path.of(System.getProperty("conformance.logDir",
                "target/libiscsi-rbd")));
        KnownFailures known = KnownFailures.load();
        String override = System.getProperty("conformance.rbdMultipathFamilies", "");
        List<String> families = override.isBlank() ? FAMILIES : List.of(override.split(","));
        return families.stream().map(family -> dynamicContainer(family, cu.runFamily(family).values().stream()
                .map(result -> dynamicTest(result.name(), () -> known.check(result)))));
    }

    @AfterAll
    void stop() {
        if (gateways != null) {
            gateways.forEach(TestTarget::close);
        }
    }
}
