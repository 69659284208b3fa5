package org.vaaitarget.conformance.external;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads iscsi-test-cu's console output (CUnit verbose mode):
 * <pre>
 * Suite: Read10
 *   Test: Simple ...passed
 *   Test: OneCommand ...    [SKIPPED] REPORT_SUPPORTED_OPCODES is not implemented.
 * passed
 *   Test: iSCSIDataSnInvalid ...FAILED
 *     1. test_iscsi_datasn_invalid.c:98  - CU_ASSERT_NOT_EQUAL(ret,0)
 * Run Summary: ...
 * </pre>
 * A test logged with [SKIPPED] that CUnit calls "passed" is a SKIP. A test still open at the end of the
 * output never finished: HUNG when the run was killed at its time limit, CRASH otherwise.
 */
final class CunitOutputParser {
    private static final Pattern SUITE = Pattern.compile("^Suite: (.+?)\\s*$");
    private static final Pattern TEST = Pattern.compile("^  Test: (.+?) \\.\\.\\.(.*)$");
    private static final Pattern ASSERT_DETAIL = Pattern.compile("^\\s+\\d+\\. .*");
    private static final int MAX_DETAIL = 600;

    private CunitOutputParser() {
    }

    /** Results by {@code Suite.Test}, in output order. */
    static Map<String, TestResult> parse(String output, boolean timedOut, int exitCode) {
        Map<String, TestResult> results = new LinkedHashMap<>();
        String suite = null;
        String open = null;           // test started, no verdict yet
        List<String> text = new ArrayList<>();
        String failed = null;         // test whose FAILED details we are collecting
        List<String> asserts = new ArrayList<>();
        for (String line : output.split("\r?\n", -1)) {
            if (failed != null) {
                if (ASSERT_DETAIL.matcher(line).matches()) {
                    asserts.add(line.trim());
                    continue;
                }
                put(results, failed, Outcome.FAIL, String.join("; ", asserts));
                failed = null;
                asserts.clear();
            }
            Matcher m = SUITE.matcher(line);
            if (m.matches()) {
                suite = m.group(1);
                open = null;
                continue;
            }
            m = TEST.matcher(line);
            if (m.matches() && suite != null) {
                String name = suite + "." + m.group(1);
                String rest = m.group(2);
                open = null;
                text.clear();
                if (rest.startsWith("passed")) {
                    put(results, name, Outcome.PASS, "");
                } else if (rest.startsWith("FAILED")) {
                    failed = name;
                } else {
                    open = name;
                    text.add(rest);
                }
                continue;
            }
            if (open == null) {
                continue;
            }
            if (line.startsWith("passed")) {
                String skip = text.stream().map(String::trim).filter(t -> t.startsWith("[SKIPPED]")).findFirst().orElse(null);
                put(results, open, skip == null ? Outcome.PASS : Outcome.SKIP, skip == null ? "" : skip);
                open = null;
            } else if (line.startsWith("FAILED")) {
                failed = open;
                asserts.addAll(text.stream().map(String::trim).filter(t -> !t.isEmpty()).toList());
                open = null;
            } else {
                text.add(line);
            }
        }
        if (failed != null) {
            put(results, failed, Outcome.FAIL, String.join("; ", asserts));
        }
        if (open != null) {
            String tail = String.join(" | ", text.subList(Math.max(0, text.size() - 5), text.size())).trim();
            if (timedOut) {
                put(results, open, Outcome.HUNG, "no result before the time limit; last output: " + tail);
            } else {
                put(results, open, Outcome.CRASH, "iscsi-test-cu exited with " + exitCode
                        + (exitCode > 128 ? " (signal " + (exitCode - 128) + ")" : "") + " during the test; last output: " + tail);
            }
        }
        return results;
    }

    private static void put(Map<String, TestResult> results, String name, Outcome outcome, String detail) {
        String d = detail.length() > MAX_DETAIL ? detail.substring(0, MAX_DETAIL) + "..." : detail;
        results.put(name, new TestResult(name, outcome, d));
    }
}
