package org.vaaitarget.core.store.rbd;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The throw-away cluster tests run against: {@code $CEPH_CONF} from {@code ../shared/ceph/mini-ceph.sh start}
 * (CI starts it and stops it by its PIDs). Without one, tests are skipped with the reason; with {@code CI=true} a
 * missing cluster fails them instead.
 */
public final class CephTestCluster {
    private CephTestCluster() {
    }

    /** The ceph.conf path, or skips (fails under CI) the calling test. */
    public static String conf() {
        String conf = System.getenv("CEPH_CONF");
        String why = null;
        if (RbdNative.loadFailure() != null) {
            why = "librbd is not installed (../shared/ceph/mini-ceph.sh install)";
        } else if (conf == null || !Files.isReadable(Path.of(conf))) {
            why = "no Ceph cluster: start one with ../shared/ceph/mini-ceph.sh start and export CEPH_CONF";
        }
        if (why != null) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("CI=true but " + why);
            }
            Assumptions.abort(why);
        }
        return conf;
    }

    /** A fresh image name for one test. */
    public static String imageName(String test) {
        return "t-" + test + "-" + Long.toHexString(System.nanoTime());
    }
}
