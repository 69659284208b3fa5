package org.vaaitarget.conformance.linux;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;

/**
 * The outcome of one boot, read from the harness's log directory: the steps the guest reported on its
 * harness channel ({@code harness.log}: {@code @@STEP name PASS|FAIL rc=N expect=E ...} or
 * {@code @@STEP name SKIP reason=...}), whether the command files ran to the end, and the harness's exit
 * status (0 pass, 1 a step failed, 2 harness error). Each step becomes one JUnit test; every failure
 * message names the log directory and quotes the step's console output.
 */
final class BootResult {
    private static final Pattern STEP = Pattern.compile("^@@STEP (\\S+) (PASS|FAIL)\\b.*?rc=(\\S+) expect=(\\S+)");
    private static final Pattern SKIP = Pattern.compile("^@@STEP (\\S+) SKIP reason=(.*?)(?: t=[0-9.]+)?$");

    record Step(String name, String verdict, String rc, String expect, String reason) {
    }

    final String boot;
    final Path logDir;
    final int exit;
    final long seconds;
    final List<Step> steps;
    final boolean commandsEnded;
    final boolean resultReported;

    private BootResult(String boot, Path logDir, int exit, long seconds, List<Step> steps, boolean commandsEnded,
            boolean resultReported) {
        this.boot = boot;
        this.logDir = logDir;
        this.exit = exit;
        this.seconds = seconds;
        this.steps = steps;
        this.commandsEnded = commandsEnded;
        this.resultReported = resultReported;
    }

    static BootResult parse(String boot, Path logDir, int exit, long seconds) throws IOException {
        List<Step> steps = new ArrayList<>();
        boolean ended = false;
        boolean result = false;
        for (String line : read(logDir.resolve("harness.log"))) {
            Matcher m = STEP.matcher(line);
            Matcher s = SKIP.matcher(line);
            if (m.find()) {
                steps.add(new Step(m.group(1), m.group(2), m.group(3), m.group(4), null));
            } else if (s.find()) {
                steps.add(new Step(s.group(1), "SKIP", null, null, s.group(2)));
            } else if (line.startsWith("@@COMMANDS-END")) {
                ended = true;
            } else if (line.startsWith("@@RESULT")) {
                result = true;
            }
        }
        return new BootResult(boot, logDir, exit, seconds, steps, ended, result);
    }

    Step step(String name) {
        return steps.stream().filter(s -> s.name.equals(name)).findFirst().orElse(null);
    }

    /**
     * One test per step (in the guest's order), then one that the boot itself completed.
     *
     * @param knownGaps steps a stand-in target is known to fail: reported as skipped with the reason
     */
    List<DynamicNode> tests(Map<String, String> knownGaps) {
        List<DynamicNode> tests = new ArrayList<>();
        for (Step step : steps) {
            tests.add(DynamicTest.dynamicTest(step.name, () -> check(step, knownGaps.get(step.name))));
        }
        tests.add(DynamicTest.dynamicTest("boot completed", this::checkCompleted));
        return tests;
    }

    private void check(Step step, String knownGap) {
        switch (step.verdict) {
            case "PASS":
                return;
            case "SKIP":
                Assumptions.abort(step.name + " skipped in the guest: " + step.reason);
                return;
            default:
                if (knownGap != null) {
                    Assumptions.abort("known gap of the stand-in target: " + knownGap);
                }
                fail("[" + boot + "] step '" + step.name + "' FAILED (exit " + step.rc + ", expected " + step.expect
                        + ")\n" + where() + "\n--- its console output (console.log, '==> [" + step.name + "]'):\n"
                        + consoleOf(step.name));
        }
    }

    private void checkCompleted() {
        if (exit == 2 || exit < 0 || !resultReported || !commandsEnded) {
            fail("[" + boot + "] the boot did not complete (harness exit " + exit
                    + (exit < 0 ? " = killed after the timeout" : "") + ", command files "
                    + (commandsEnded ? "ran to the end" : "did not run to the end") + ")\n" + where()
                    + "\n--- summary.txt / harness output:\n" + tail(logDir.resolve("summary.txt"), 40)
                    + tail(logDir.resolve("harness-output.txt"), 40));
        }
    }

    /** The sentence that every failure carries: where the logs are. */
    String where() {
        return "Logs: " + logDir + " (console.log = guest console, harness.log = step markers, target.log = "
                + "target output, summary.txt, command.txt = the harness command line)";
    }

    /** The console lines between "==> [name]" and "<== [name]" (at most the last 60). */
    String consoleOf(String stepName) {
        List<String> out = new ArrayList<>();
        boolean in = false;
        for (String line : read(logDir.resolve("console.log"))) {
            if (line.contains("==> [" + stepName + "]")) {
                in = true;
                out.clear();
            }
            if (in && !line.contains("kmsg: ")) {
                out.add(line);
            }
            if (line.contains("<== [" + stepName + "]")) {
                in = false;
            }
        }
        int from = Math.max(0, out.size() - 60);
        return String.join("\n", out.subList(from, out.size()));
    }

    static String tail(Path file, int lines) {
        List<String> all = read(file);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size())) + "\n";
    }

    static List<String> read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
