package org.vaaitarget.conformance.external;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * {@code known-failures.txt}: lines {@code Suite.Test | spec clause | reason | date}; '#' starts a comment.
 * The verdict for one test:
 * <ul>
 * <li>passes, not listed: pass;</li>
 * <li>passes, listed: FAIL ("remove it from known-failures.txt"), so the list only shrinks;</li>
 * <li>does not pass (FAIL, SKIP, HUNG, CRASH, NOTRUN), listed: aborted (shown as skipped, with the reason);</li>
 * <li>does not pass, not listed: FAIL.</li>
 * </ul>
 */
final class KnownFailures {
    static final String RESOURCE = "/known-failures.txt";

    record Entry(String test, String clause, String reason, String date) {
    }

    private final Map<String, Entry> entries;

    KnownFailures(Map<String, Entry> entries) {
        this.entries = Map.copyOf(entries);
    }

    static KnownFailures load() {
        try (InputStream in = KnownFailures.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the test resources");
            }
            return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static KnownFailures parse(BufferedReader reader) throws IOException {
        Map<String, Entry> entries = new LinkedHashMap<>();
        String line;
        int number = 0;
        while ((line = reader.readLine()) != null) {
            number++;
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            String[] f = trimmed.split("\\s*\\|\\s*", -1);
            if (f.length != 4 || f[0].isEmpty() || f[1].isEmpty() || f[2].isEmpty() || !f[3].matches("\\d{4}-\\d{2}-\\d{2}")) {
                throw new IllegalStateException("known-failures.txt line " + number
                        + ": expected 'Suite.Test | spec clause | reason | YYYY-MM-DD', got: " + line);
            }
            if (entries.put(f[0], new Entry(f[0], f[1], f[2], f[3])) != null) {
                throw new IllegalStateException("known-failures.txt line " + number + ": " + f[0] + " is listed twice");
            }
        }
        return new KnownFailures(entries);
    }

    Optional<Entry> find(String test) {
        return Optional.ofNullable(entries.get(test));
    }

    Map<String, Entry> entries() {
        return entries;
    }

    /** Applies the rules above to one result; returns normally for a pass. */
    void check(TestResult result) {
        Optional<Entry> known = find(result.name());
        if (result.outcome() == Outcome.PASS) {
            known.ifPresent(e -> Assertions.fail(result.name() + " passes now: remove it from known-failures.txt (listed: "
                    + e.clause() + " | " + e.reason() + " | " + e.date() + ")"));
            return;
        }
        String what = result.outcome() + (result.detail().isEmpty() ? "" : ": " + result.detail());
        if (known.isPresent()) {
            Entry e = known.get();
            Assumptions.abort("known failure (" + e.clause() + ": " + e.reason() + ", " + e.date() + "); this run: " + what);
        }
        Assertions.fail(result.name() + " " + what + "  [not in known-failures.txt: fix it, or list it with a spec clause]");
    }
}
