package org.vaaitarget.conformance.support;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.core.store.rbd.RbdLocation;
import org.vaaitarget.server.app.ServerConfig;
import org.vaaitarget.server.app.StartupException;

/**
 * The throw-away Ceph cluster RBD tests run against: {@code $CEPH_CONF} written by
 * {@code ../shared/ceph/mini-ceph.sh start} (CI starts the cluster and stops it by its PIDs; test.sh installs
 * the packages with {@code mini-ceph.sh install}). Without one, a test is skipped with the reason; with
 * {@code CI=true} a missing cluster fails it instead.
 */
public final class CephCluster {
    private CephCluster() {
    }

    /** The ceph.conf path, or skips (fails under CI) the calling test. */
    public static String conf() {
        String conf = System.getenv("CEPH_CONF");
        String why = null;
        if (conf == null || !Files.isReadable(Path.of(conf))) {
            why = "no Ceph cluster: start one with ../shared/ceph/mini-ceph.sh start and export CEPH_CONF";
        } else if (!Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/librbd.so.1"))
                && !Files.exists(Path.of("/usr/lib/aarch64-linux-gnu/librbd.so.1"))) {
            why = "librbd is not installed (../shared/ceph/mini-ceph.sh install)";
        }
        if (why != null) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("CI=true but " + why);
            }
            Assumptions.abort(why);
        }
        return conf;
    }

    /** A LUN on a new image (a fresh name per call) of {@code bytes} in pool rbd, shared by its gateways. */
    public static LunConfig newLun(String test, long bytes) {
        String image = "c-" + test + "-" + Long.toHexString(System.nanoTime());
        return new LunConfig(null, bytes, 512, LunConfig.WriteCacheMode.WRITE_THROUGH, TestTarget.PRODUCT_ID, 0, false,
                new RbdLocation("rbd", image, conf(), null));
    }

    /**
     * {@code count} gateways (in-process servers with gateway ids 1, 2, ... on their own loopback ports) serving the
     * one RBD image of {@code lun}; the caller closes them.
     */
    public static List<TestTarget> gateways(LunConfig lun, int count) throws StartupException {
        List<TestTarget> out = new ArrayList<>();
        try {
            for (int id = 1; id <= count; id++) {
                out.add(gateway(lun, id));
            }
            return out;
        } catch (StartupException | RuntimeException e) {
            out.forEach(TestTarget::close);
            throw e;
        }
    }

    /** Gateway {@code id} (an in-process server on its own loopback port) serving the RBD image of {@code lun}. */
    public static TestTarget gateway(LunConfig lun, int id) throws StartupException {
        RbdLocation image = ((RbdLocation) lun.backend()).onGateway(id);
        LunConfig mine = new LunConfig(null, lun.sizeBytes(), 512, lun.writeCache(), lun.productId(), 0, false, image);
        return TestTarget.serve(server(List.of(mine)).withGateway(id));
    }

    /** One target with the given LUNs on 127.0.0.1 (a free port). */
    public static ServerConfig server(List<LunConfig> luns) {
        return ServerConfig.single(new InetSocketAddress("127.0.0.1", 0), TestTarget.IQN, luns);
    }
}
