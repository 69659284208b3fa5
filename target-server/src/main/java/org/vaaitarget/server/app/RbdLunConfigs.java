package org.vaaitarget.server.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.core.config.LunConfig.WriteCacheMode;
import org.vaaitarget.core.store.rbd.RbdLocation;

/** Builds and checks the {@link LunConfig} of a LUN on a Ceph RBD image (YAML {@code rbd: {pool, image, conf, user}}). */
final class RbdLunConfigs {
    private RbdLunConfigs() {
    }

    /**
     * @param baseDir a relative {@code conf} is resolved against it (the configuration file's directory), or null
     * @param gateway this server's gateway id
     * @throws ConfigException naming the key relative to the LUN ({@code rbd.pool}, {@code blockSize}, ...)
     */
    static LunConfig build(ConfigLoader.LunEntry e, Path baseDir, int gateway) throws ConfigException {
        ConfigLoader.RbdEntry r = e.rbd();
        String pool = required(r.pool(), "rbd.pool", "the RADOS pool, like pool: rbd");
        String image = required(r.image(), "rbd.image", "the image name, like image: lun0");
        String conf = null;
        if (r.conf() != null) {
            Path path = baseDir == null ? Path.of(r.conf()) : baseDir.resolve(r.conf());
            if (!Files.isReadable(path)) {
                throw new ConfigException("rbd.conf", "'" + path + "' is not a readable file; give the cluster's ceph.conf");
            }
            conf = path.toString();
        }
        String user = r.user();
        if (user != null && (user.isBlank() || user.chars().anyMatch(Character::isWhitespace))) {
            throw new ConfigException("rbd.user", "'" + user + "' is not a cephx user name; give one like admin or iscsi");
        }
        // Write protection and SANITIZE live in the file store (read-only descriptor, sanitize marker beside the
        // file); an RBD LUN has neither yet.
        if (Boolean.TRUE.equals(e.readOnly())) {
            throw new ConfigException("readOnly", "an RBD LUN cannot be read-only yet; remove readOnly (or use a file LUN)");
        }
        if (Boolean.TRUE.equals(e.sanitize())) {
            throw new ConfigException("sanitize", "an RBD LUN does not serve SANITIZE yet; remove sanitize (or use a file LUN)");
        }
        if (e.sanitizeRate() != null) {
            throw new ConfigException("sanitizeRate", "an RBD LUN does not serve SANITIZE; remove sanitizeRate");
        }
        if (e.blockSize() != null && e.blockSize() != 512) {
            throw new ConfigException("blockSize", "an RBD LUN has 512-byte blocks (librbd compares within 512-byte"
                    + " sectors); remove blockSize or use 512");
        }
        if (e.writeCache() != null && !"through".equals(e.writeCache().toLowerCase(Locale.ROOT))) {
            throw new ConfigException("writeCache", "an RBD LUN is write-through (every gateway runs librbd with"
                    + " rbd_cache=false, so that the gateways never serve each other stale data); remove writeCache or use through");
        }
        boolean exclusive;
        switch (r.ownership() == null ? "exclusive" : r.ownership().toLowerCase(Locale.ROOT)) {
            case "exclusive" -> exclusive = true;
            case "shared" -> exclusive = false;
            default -> throw new ConfigException("rbd.ownership", "'" + r.ownership() + "' is not exclusive (one gateway"
                    + " writes at a time, the default) or shared (every gateway writes; no fencing on failover)");
        }
        String product = e.productId() == null ? ServerConfig.DEFAULT_PRODUCT_ID : e.productId();
        LunConfigs.checkProductId(product);
        long size = 0;
        if (e.size() != null) {
            try {
                size = Sizes.parse(e.size());
            } catch (ConfigException ex) {
                throw new ConfigException("size", ex.getMessage());
            }
            if (size <= 0 || size % 512 != 0) {
                throw new ConfigException("size", "size '" + e.size() + "' is not a positive multiple of 512 bytes");
            }
        }
        return new LunConfig(null, size, 512, WriteCacheMode.WRITE_THROUGH, product, 0, false,
                new RbdLocation(pool, image, conf, user, gateway, exclusive));
    }

    private static String required(String value, String key, String what) throws ConfigException {
        if (value == null || value.isBlank()) {
            throw new ConfigException(key, "missing; give " + what);
        }
        if (value.contains("/") || value.contains("@")) {
            throw new ConfigException(key, "'" + value + "' must not contain '/' or '@'");
        }
        return value;
    }
}
