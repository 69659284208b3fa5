package org.vaaitarget.conformance.support;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * External initiator tools (libiscsi's iscsi-test-cu, iscsi-inq...). A missing tool fails the test when
 * the environment variable CI is "true" and aborts (skips) it elsewhere, saying how to install it.
 */
public final class ExternalTools {
    public static final String INSTALL_HINT = "apt-get install -y libiscsi-bin";

    private ExternalTools() {
    }

    /** The tool's path on PATH, or fails/aborts the current test. */
    public static Path require(String tool) {
        Optional<Path> found = find(tool);
        if (found.isPresent()) {
            return found.get();
        }
        String message = tool + " is not installed (not on PATH): run `" + INSTALL_HINT + "`";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message + " (CI=true: the conformance tests must run)");
        }
        Assumptions.abort(message);
        throw new AssertionError("unreachable");
    }

    public static Optional<Path> find(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, tool);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
