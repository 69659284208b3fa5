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
import org.junit.jupiter.api.io.TempDir;
import org.vaaitarget.conformance.support.CephCluster;
import org.vaaitarget.conformance.support.ExternalTools;
import org.vaaitarget.conformance.support.TestTarget;

/**
 * The core libiscsi families against a LUN on a Ceph RBD image (512-byte blocks, MAXIMUM COMPARE AND WRITE
 * LENGTH 1, UNMAP as discard, GET LBA STATUS from the image's allocation), with the same known failures as
 * file LUNs. {@code conformance.rbdFamilies} (comma-separated) replaces the list.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RbdLibiscsiTest {
    static final List<String> FAMILIES = List.of("Inquiry", "ReadCapacity16", "Read10", "Read16", "Write10", "Write16",
            "CompareAndWrite", "WriteSame16", "Unmap", "GetLBAStatus");

    @TempDir
    Path dir;

    private TestTarget target;

    @TestFactory
    Stream<DynamicNode> coreFamiliesOnAnRbdLun() throws Exception {
        Path tool = ExternalTools.require("iscsi-test-cu");
        // exclusive ownership, the configuration's default: the first write makes this gateway the owner
        org.vaaitarget.core.config.LunConfig lun = CephCluster.newLun("libiscsi", 1L << 30);
        lun = new org.vaaitarget.core.config.LunConfig(null, lun.sizeBytes(), 512, lun.writeCache(), lun.productId(), 0,
                false, ((org.vaaitarget.core.store.rbd.RbdLocation) lun.backend()).withExclusive(true));
        target = TestTarget.serve(CephCluster.server(List.of(lun)));
        IscsiTestCu cu = new IscsiTestCu(tool, target.url(), false, Duration.ofSeconds(180), Duration.ofSeconds(60),
                Duration.ofSeconds(900), Path.of(System.getProperty("conformance.logDir", "target/libiscsi-rbd")));
        KnownFailures known = KnownFailures.load();
        String override = System.getProperty("conformance.rbdFamilies", "");
        List<String> families = override.isBlank() ? FAMILIES : List.of(override.split(","));
        return families.stream().map(family -> dynamicContainer(family,
                cu.runFamily(family).values().stream().map(result -> dynamicTest(result.name(), () -> known.check(result)))));
    }

    @AfterAll
    void stop() {
        if (target != null) {
            target.close();
        }
    }
}
