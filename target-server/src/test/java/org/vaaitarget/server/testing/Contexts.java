package org.vaaitarget.server.testing;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vaaitarget.server.login.ServerContext;
import org.vaaitarget.server.session.ServerTarget;
import org.vaaitarget.server.session.SessionRegistry;
import org.vaaitarget.server.session.TargetOffer;

/** Server contexts for tests. */
public final class Contexts {
    public static final String TARGET = "iqn.2024-01.org.vaaitarget:disk1";
    public static final String INITIATOR = "iqn.1993-08.org.debian:01:abcdef";

    private Contexts() {
    }

    /** One target {@link #TARGET} (alias "disk1", TPGT 1) on the given portals. */
    public static ServerContext oneTarget(InetSocketAddress... portals) {
        return withTargets(1, portals);
    }

    /** {@code n} targets; the first is {@link #TARGET}, the others TARGET + "-" + i. */
    public static ServerContext withTargets(int n, InetSocketAddress... portals) {
        Map<String, ServerTarget> targets = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String name = i == 0 ? TARGET : TARGET + "-" + i;
            targets.put(name, new ServerTarget(name, i == 0 ? "disk1" : null, 1, new TrivialRouter()));
        }
        return new ServerContext(targets, List.of(portals), TargetOffer.defaults(), new SessionRegistry());
    }
}
