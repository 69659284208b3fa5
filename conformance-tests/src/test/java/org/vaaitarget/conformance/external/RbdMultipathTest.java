package org.vaaitarget.conformance.external;

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
 * libiscsi's MultipathIO family with its two paths on two gateways serving one RBD image: the same device through
 * both (VPD 83h), I/O and reset on both, and COMPARE AND WRITE racing across the gateways.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RbdMultipathTest {
    private List<TestTarget> gateways;

    @TestFactory
    Stream<DynamicNode> multipathIoAcrossTwoGateways() throws Exception {
        Path tool = ExternalTools.require("iscsi-test-cu");
        gateways = CephCluster.gateways(CephCluster.newLun("multipath", 256L << 20), 2);
        IscsiTestCu cu = new IscsiTestCu(tool, gateways.get(0).url(), gateways.get(1).url(), Duration.ofSeconds(180),
                Duration.ofSeconds(60), Duration.ofSeconds(300), Path.of(System.getProperty("conformance.logDir",
                "target/libiscsi-rbd")));
        KnownFailures known = KnownFailures.load();
        return cu.runFamily("MultipathIO").values().stream()
                .map(result -> dynamicTest(result.name(), () -> known.check(result)));
    }

    @AfterAll
    void stop() {
        if (gateways != null) {
            gateways.forEach(TestTarget::close);
        }
    }
}
