package org.vaaitarget.conformance.login;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.vaaitarget.conformance.support.ExternalTools;
import org.vaaitarget.conformance.support.ProcessRunner;
import org.vaaitarget.conformance.support.TestTarget;
import org.vaaitarget.server.login.AuthConfig;
import org.vaaitarget.server.login.ChapCredentials;
import org.vaaitarget.server.login.InitiatorRule;
import org.vaaitarget.server.login.TargetAccess;

/**
 * libiscsi's tools against a target with mutual CHAP, an allow list and a masked LUN (RFC 7143 12.1.3,
 * 11.13.5): right and wrong secrets, a wrong target secret, an allowed and a disallowed initiator,
 * discovery filtering and REPORT LUNS masking. Always the in-process server (the rules are ours).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChapAndAccessTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final String ALLOWED = "iqn.2026-11.test:allowed";
    private static final String SECOND = "iqn.2026-11.test:second";
    private static final String STRANGER = "iqn.2026-11.test:stranger";
    private static final String USER = "conformance-user";
    private static final String SECRET = "initiator-secret-1";
    private static final String TARGET_USER = "conformance-target";
    private static final String TARGET_SECRET = "target-secret-22";

    @TempDir
    static Path dir;
    private TestTarget target;

    @BeforeAll
    void start() throws Exception {
        TargetAccess access = new TargetAccess(
                new AuthConfig(ChapCredentials.of(USER, SECRET), ChapCredentials.of(TARGET_USER, TARGET_SECRET)),
                List.of(InitiatorRule.named(ALLOWED), InitiatorRule.named(SECOND)),
                Map.of(1, Set.of(ALLOWED))); // LUN 1: only ALLOWED sees it
        target = TestTarget.inProcess(dir, 8L << 20, 2, access);
    }

    @AfterAll
    void stop() {
        if (target != null) {
            target.close();
        }
    }

    private String url(String credentials, int lun) {
        return "iscsi://" + credentials + "@" + target.host() + ":" + target.port() + "/" + target.iqn() + "/" + lun;
    }

    private String portal(String credentials) {
        return "iscsi://" + credentials + "@" + target.host() + ":" + target.port();
    }

    private ProcessRunner.Result run(Map<String, String> env, String tool, String... args) {
        List<String> command = new ArrayList<>(List.of(ExternalTools.require(tool).toString()));
        command.addAll(List.of(args));
        return ProcessRunner.run(command, LIMIT, null, env);
    }

    private static void assertLoginFailed(ProcessRunner.Result r, String status) {
        assertFalse(r.ok(), r.output());
        assertTrue(r.output().contains(status), "expected '" + status + "' in:\n" + r.output());
    }

    @Test
    void rightSecretLogsIn() {
        ProcessRunner.Result r = run(Map.of(), "iscsi-inq", "-i", ALLOWED, url(USER + "%" + SECRET, 0));
        assertTrue(r.ok(), r.output());
        assertTrue(r.output().contains("Peripheral Device Type:DIRECT_ACCESS"), r.output());
    }

    @Test
    void mutualChapLogsInAndAWrongTargetSecretIsNoticedByTheInitiator() {
        Map<String, String> mutual = Map.of("LIBISCSI_CHAP_TARGET_USERNAME", TARGET_USER,
                "LIBISCSI_CHAP_TARGET_PASSWORD", TARGET_SECRET);
        ProcessRunner.Result ok = run(mutual, "iscsi-inq", "-i", ALLOWED, url(USER + "%" + SECRET, 0));
        assertTrue(ok.ok(), ok.output());
        Map<String, String> wrong = Map.of("LIBISCSI_CHAP_TARGET_USERNAME", TARGET_USER,
                "LIBISCSI_CHAP_TARGET_PASSWORD", "not-the-target-secret");
        ProcessRunner.Result bad = run(wrong, "iscsi-inq", "-i", ALLOWED, url(USER + "%" + SECRET, 0));
        assertLoginFailed(bad, "Invalid CHAP_R response from the target");
    }

    @Test
    void wrongSecretIsAuthenticationFailure() {
        assertLoginFailed(run(Map.of(), "iscsi-inq", "-i", ALLOWED, url(USER + "%wrong-secret-123", 0)),
                "Authentication failure");
    }

    @Test
    void noCredentialsIsAuthenticationFailure() {
        assertLoginFailed(run(Map.of(), "iscsi-inq", "-i", ALLOWED, target.url()), "Authentication failure");
    }

    @Test
    void initiatorOutsideTheAllowListIsAuthorizationFailure() {
        assertLoginFailed(run(Map.of(), "iscsi-inq", "-i", STRANGER, url(USER + "%" + SECRET, 0)), "Authorization failure");
    }

    @Test
    void discoveryListsTheTargetOnlyToAllowedInitiators() {
        ProcessRunner.Result allowed = run(Map.of(), "iscsi-ls", "-s", "-i", ALLOWED, portal(USER + "%" + SECRET));
        assertTrue(allowed.ok(), allowed.output());
        assertTrue(allowed.output().contains("Target:" + target.iqn()), allowed.output());
        ProcessRunner.Result stranger = run(Map.of(), "iscsi-ls", "-s", "-i", STRANGER, portal(USER + "%" + SECRET));
        assertFalse(stranger.output().contains(target.iqn()), stranger.output());
    }

    @Test
    void aMaskedLunIsAbsentFromReportLunsAndDoesNotExist() {
        ProcessRunner.Result owner = run(Map.of(), "iscsi-ls", "-s", "-i", ALLOWED, portal(USER + "%" + SECRET));
        assertTrue(owner.output().contains("Lun:1"), owner.output());
        ProcessRunner.Result other = run(Map.of(), "iscsi-ls", "-s", "-i", SECOND, portal(USER + "%" + SECRET));
        assertTrue(other.ok(), other.output());
        assertTrue(other.output().contains("Lun:0"), other.output());
        assertFalse(other.output().contains("Lun:1"), other.output());
        ProcessRunner.Result inq = run(Map.of(), "iscsi-inq", "-i", SECOND, url(USER + "%" + SECRET, 1));
        assertFalse(inq.output().contains("Peripheral Qualifier:CONNECTED"), inq.output());
        assertFalse(inq.output().contains("Peripheral Device Type:DIRECT_ACCESS"), inq.output());
    }
}
