package org.vaaitarget.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.core.dispatch.TargetDevice;
import org.vaaitarget.server.login.AuthConfig;
import org.vaaitarget.server.login.ChapCredentials;
import org.vaaitarget.server.login.InitiatorRule;
import org.vaaitarget.server.login.TargetAccess;
import org.vaaitarget.server.session.NegotiatedParameters;
import org.vaaitarget.server.session.ServerTarget;
import org.vaaitarget.server.session.Session;
import org.vaaitarget.server.session.SessionType;
import org.vaaitarget.core.assembly.StandardDevice;

/** Which sessions a reload that changes a target's access rules logs out (README "Reload semantics"). */
class LiveChangesRulesTest {
    private static final String IQN = "iqn.2026-11.org.vaaitarget:rules";
    private static final String HOST_A = "iqn.2026-11.test:a";
    private static final String HOST_B = "iqn.2026-11.test:b";
    private final TargetDevice device = StandardDevice.of(IQN, List.of());
    private final List<EmbeddedChannel> channels = new java.util.ArrayList<>();

    @AfterEach
    void close() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
        device.close();
    }

    private Session session(String initiator) {
        EmbeddedChannel ch = new EmbeddedChannel();
        channels.add(ch);
        return new Session(initiator, null, "00023d00000" + channels.size(), channels.size(), SessionType.NORMAL,
                new ServerTarget(IQN, null, 1, device), NegotiatedParameters.rfcDefaults(), 0, 1, ch);
    }

    private static ServerConfig.Target target(int luns, TargetAccess access) {
        List<LunConfig> list = new java.util.ArrayList<>();
        for (int n = 0; n < luns; n++) {
            list.add(new LunConfig(Path.of("/tmp/lun" + n + ".img"), 1 << 20, 512, LunConfig.WriteCacheMode.WRITE_BACK, "P"));
        }
        return new ServerConfig.Target(IQN, null, list, access);
    }

    private static TargetAccess allow(String... names) {
        return new TargetAccess(AuthConfig.NONE, java.util.Arrays.stream(names).map(InitiatorRule::named).toList(), Map.of());
    }

    @Test
    void anInitiatorTakenOffTheAllowListIsLoggedOutTheOtherStays() {
        Session a = session(HOST_A);
        Session b = session(HOST_B);
        List<Session> out = LiveChanges.noLongerAllowed(List.of(a, b), target(1, allow(HOST_A, HOST_B)),
                target(1, allow(HOST_A)), Set.of());
        assertEquals(List.of(b), out);
    }

    @Test
    void changedChapCredentialsLogOutEverySessionOfTheTarget() {
        Session a = session(HOST_A);
        TargetAccess before = new TargetAccess(AuthConfig.chap(ChapCredentials.of("user", "old-secret-123")), List.of(), Map.of());
        TargetAccess after = new TargetAccess(AuthConfig.chap(ChapCredentials.of("user", "new-secret-456")), List.of(), Map.of());
        assertEquals(List.of(a), LiveChanges.noLongerAllowed(List.of(a), target(1, before), target(1, after), Set.of()));
        assertEquals(List.of(), LiveChanges.noLongerAllowed(List.of(a), target(1, before),
                target(1, new TargetAccess(AuthConfig.chap(ChapCredentials.of("user", "old-secret-123")), List.of(), Map.of())),
                Set.of()), "the same credentials: nothing to do");
    }

    @Test
    void aSessionThatLosesAVisibleLunIsLoggedOutOneThatGainsOneIsNot() {
        Session a = session(HOST_A);
        Session b = session(HOST_B);
        TargetAccess onlyA = new TargetAccess(AuthConfig.NONE, List.of(), Map.of(1, Set.of(HOST_A)));
        TargetAccess onlyB = new TargetAccess(AuthConfig.NONE, List.of(), Map.of(1, Set.of(HOST_B)));
        assertEquals(List.of(a), LiveChanges.noLongerAllowed(List.of(a, b), target(2, onlyA), target(2, onlyB), Set.of()));
        assertEquals(List.of(), LiveChanges.noLongerAllowed(List.of(a, b), target(2, onlyA), target(2, onlyB), Set.of(1)),
                "LUN 1 is replaced anyway (removal plus addition): no logout for it");
    }

    @Test
    void sameBackingComparesRbdImagesAndTheWriteProtectionAndSanitizeSettings() {
        LunConfig file = new LunConfig(Path.of("/tmp/a.img"), 1 << 20, 512, LunConfig.WriteCacheMode.WRITE_BACK, "P");
        LunConfig rbd = new LunConfig(null, 1 << 20, 512, LunConfig.WriteCacheMode.WRITE_THROUGH, "P", 0, false,
                new org.vaaitarget.core.store.rbd.RbdLocation("rbd", "img", null, null));
        LunConfig otherImage = new LunConfig(null, 1 << 20, 512, LunConfig.WriteCacheMode.WRITE_THROUGH, "P", 0, false,
                new org.vaaitarget.core.store.rbd.RbdLocation("rbd", "img2", null, null));
        assertEquals(true, LiveChanges.sameBacking(rbd, rbd.with(2 << 20, 0, false)), "an RBD LUN has no file: no NPE");
        assertEquals(false, LiveChanges.sameBacking(rbd, otherImage));
        assertEquals(false, LiveChanges.sameBacking(file, rbd));
        assertEquals(false, LiveChanges.sameBacking(file, file.withReadOnly(true)), "reopened read-only");
        assertEquals(false, LiveChanges.sameBacking(file, file.withSanitize(true)));
        assertEquals(true, LiveChanges.sameBacking(file.withReadOnly(true), file.withReadOnly(true).with(2 << 20, 0, false)),
                "with() keeps readOnly");
    }

    @Test
    void theDefaultAdminSocketIsBesideTheFirstFileLunEvenAfterRbdLuns() {
        LunConfig rbd = new LunConfig(null, 1 << 20, 512, LunConfig.WriteCacheMode.WRITE_THROUGH, "P", 0, false,
                new org.vaaitarget.core.store.rbd.RbdLocation("rbd", "img", null, null));
        LunConfig file = new LunConfig(Path.of("/srv/luns/a.img"), 1 << 20, 512, LunConfig.WriteCacheMode.WRITE_BACK, "P");
        ServerConfig both = ServerConfig.single(new java.net.InetSocketAddress("127.0.0.1", 0), IQN, List.of(rbd, file));
        assertEquals(Path.of("/srv/luns/admin.sock"), Main.defaultAdminSocket(both));
        ServerConfig rbdOnly = ServerConfig.single(new java.net.InetSocketAddress("127.0.0.1", 0), IQN, List.of(rbd));
        assertEquals(Path.of("./admin.sock"), Main.defaultAdminSocket(rbdOnly));
    }
}
