package org.vaaitarget.conformance.external;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vaaitarget.conformance.support.ProcessRunner;

/**
 * Runs libiscsi's {@code iscsi-test-cu} one family at a time ({@code --test=ALL.Read10}) under a time
 * limit. When a family hangs or the client dies, the tests of that family that never started are run
 * one process each under a shorter limit, so one stuck test costs one test, not the family.
 * Raw output goes to {@code logDir/<family>.log}.
 */
final class IscsiTestCu {
    static final String INITIATOR_1 = "iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test";
    static final String INITIATOR_2 = "iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test-2";

    private final Path tool;
    private final String url;
    private final boolean multipath;
    private final String secondUrl;
    private final Duration familyLimit;
    private final Duration testLimit;
    private final Path logDir;
    private final Instant deadline;
    private List<String> listing;

    /**
     * @param budget the most all runs together may take (keeps CI bounded when every family hangs);
     *               tests that would start after it are reported NOTRUN
     */
    IscsiTestCu(Path tool, String url, boolean multipath, Duration familyLimit, Duration testLimit, Duration budget,
                Path logDir) {
        this(tool, url, multipath, null, familyLimit, testLimit, budget, logDir);
    }

    /**
     * @param secondUrl the second path for the MultipathIO families (another gateway of the same device), or null
     */
    IscsiTestCu(Path tool, String url, String secondUrl, Duration familyLimit, Duration testLimit, Duration budget,
                Path logDir) {
        this(tool, url, false, secondUrl, familyLimit, testLimit, budget, logDir);
    }

    /**
     * @param multipath true: every run gets its URL twice (two sessions to one LUN, for MultipathIO)
     * @param secondUrl a second URL given to every run (another path to the same device); wins over multipath
     */
    private IscsiTestCu(Path tool, String url, boolean multipath, String secondUrl, Duration familyLimit,
                        Duration testLimit, Duration budget, Path logDir) {
        this.multipath = multipath;
        this.secondUrl = secondUrl;
        this.deadline = Instant.now().plus(budget);
        this.tool = tool;
        this.url = url;
        this.familyLimit = familyLimit;
        this.testLimit = testLimit;
        this.logDir = logDir;
    }

    /** Every test the tool knows, as {@code Family.Test} (from {@code iscsi-test-cu -l}, ALL.* entries). */
    synchronized List<String> allTests() {
        if (listing == null) {
            ProcessRunner.Result r = ProcessRunner.run(List.of(tool.toString(), "-l"), Duration.ofSeconds(30), null);
            if (!r.ok()) {
                throw new IllegalStateException("iscsi-test-cu -l failed: " + r.output());
            }
            List<String> tests = new ArrayList<>();
            for (String line : r.output().split("\n")) {
                String[] parts = line.trim().split("\\.");
                if (parts.length == 3 && parts[0].equals("ALL")) {
                    tests.add(parts[1] + "." + parts[2]);
                }
            }
            listing = List.copyOf(tests);
        }
        return listing;
    }

    List<String> testsOf(String family) {
        return allTests().stream().filter(t -> t.startsWith(family + ".")).toList();
    }

    /** A result for every test of the family, in the tool's order (plus any extra ones the output named). */
    Map<String, TestResult> runFamily(String family) {
        return runFamily(family, url);
    }

    /** {@link #runFamily(String)} against {@code familyUrl} instead of the default URL (another LUN). */
    Map<String, TestResult> runFamily(String family, String familyUrl) {
        return runFamily(family, familyUrl, List.of());
    }

    /**
     * {@link #runFamily(String, String)} with more arguments after the URL: options ({@code --allow-sanitize})
     * or a second URL (MultipathIO).
     */
    Map<String, TestResult> runFamily(String family, String familyUrl, List<String> extraArgs) {
        List<String> expected = testsOf(family);
        if (expected.isEmpty()) {
            throw new IllegalArgumentException("iscsi-test-cu has no family '" + family + "' (see iscsi-test-cu -l)");
        }
        try {
            Files.createDirectories(logDir); // also the tool's working directory
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StringBuilder log = new StringBuilder();
        if (remaining().isZero()) {
            Map<String, TestResult> results = new LinkedHashMap<>();
            expected.forEach(t -> results.put(t, new TestResult(t, Outcome.NOTRUN,
                    "never started: the time budget of the whole suite was used up (conformance.budgetSeconds)")));
            return results;
        }
        ProcessRunner.Result run = run("ALL." + family, familyUrl, extraArgs, familyLimit, log);
        Map<String, TestResult> found = new LinkedHashMap<>(CunitOutputParser.parse(run.output(), run.timedOut(), run.exitCode()));
        boolean brokenRun = run.timedOut() || (run.exitCode() != 0 && run.exitCode() != 1);
        if (brokenRun && !found.isEmpty()) {
            for (String test : expected) {
                if (!found.containsKey(test) && !remaining().isZero()) {
                    ProcessRunner.Result single = run("ALL." + test, familyUrl, extraArgs, testLimit, log);
                    found.putAll(CunitOutputParser.parse(single.output(), single.timedOut(), single.exitCode()));
                }
            }
        }
        Map<String, TestResult> results = new LinkedHashMap<>();
        for (String test : expected) {
            results.put(test, found.getOrDefault(test, new TestResult(test, Outcome.NOTRUN, notRunReason(run))));
        }
        found.forEach(results::putIfAbsent);
        writeLog(family, log);
        return results;
    }

    private ProcessRunner.Result run(String selector, String url, List<String> extraArgs, Duration limit,
                                     StringBuilder log) {
        List<String> command = new ArrayList<>(List.of(tool.toString(), "-d", "-i", INITIATOR_1, "-I", INITIATOR_2,
                "--test=" + selector, url));
        command.addAll(extraArgs);        // after the URL: options (getopt permutes them) or a second URL
        if (secondUrl != null) {
            command.add(secondUrl);
        } else if (multipath) {
            command.add(url);
        }
        Duration left = remaining();
        ProcessRunner.Result r = ProcessRunner.run(command, left.compareTo(limit) < 0 ? left : limit, logDir);
        log.append("### ").append(String.join(" ", command)).append('\n').append(r.output())
                .append("\n### exit ").append(r.timedOut() ? "killed after " + limit.toSeconds() + " s" : r.exitCode()).append("\n");
        return r;
    }

    private Duration remaining() {
        Duration left = Duration.between(Instant.now(), deadline);
        return left.isNegative() ? Duration.ZERO : left;
    }

    private static String notRunReason(ProcessRunner.Result run) {
        String head = run.output().lines().map(String::trim).filter(l -> !l.isEmpty()).limit(4)
                .reduce((a, b) -> a + " | " + b).orElse("(no output)");
        if (run.timedOut()) {
            return "never started: the family run was killed at its time limit before this test; output: " + head;
        }
        return "never started: iscsi-test-cu exited " + run.exitCode() + " before this test (login or setup failed?); output: " + head;
    }

    private void writeLog(String family, StringBuilder log) {
        try {
            Files.writeString(logDir.resolve(family + ".log"), log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
