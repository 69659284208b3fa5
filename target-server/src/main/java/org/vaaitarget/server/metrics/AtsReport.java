package org.vaaitarget.server.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.vaaitarget.core.dispatch.TargetDevice;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.observe.MiscompareCause;
import org.vaaitarget.core.sbc.forensics.AtsStatistics;
import org.vaaitarget.core.sbc.forensics.AtsStatistics.Snapshot;

/**
 * COMPARE AND WRITE (ATS) statistics of every LU, as a whole and per initiator, at one moment: attempts,
 * successes, miscompares by cause (contention, own-write, unexplained; README "ESXi logs ATS
 * miscompares: what to check") and range-lock wait p50/p99/max in microseconds. Counted since the server
 * started, whether metrics are on or not. {@link #toText()} is a table for people ({@code ctl ats}),
 * {@link #toJson()} the same data for programs.
 *
 * <p>Use: {@code RunningServer.atsReport().toText()}.
 *
 * @param time when the snapshot was taken
 * @param luns one entry per LU, in target and LUN order
 */
public record AtsReport(Instant time, List<Lun> luns) {
    /** The initiator column of a LU's total row. */
    public static final String ALL = "(all)";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String[] HEADER = {"TARGET", "LUN", "INITIATOR", "ATTEMPTS", "SUCCEEDED", "CONTENTION",
        "OWN-WRITE", "UNEXPLAINED", "WAIT_P50_US", "WAIT_P99_US", "WAIT_MAX_US"};

    public AtsReport {
        luns = List.copyOf(luns);
    }

    /**
     * One LU.
     *
     * @param target     the target name
     * @param lun        the LU number
     * @param total      all initiators together
     * @param initiators by initiator name (all sessions and paths of one host together), sorted
     */
    public record Lun(String target, int lun, Snapshot total, Map<String, Snapshot> initiators) {
        public Lun {
            initiators = Map.copyOf(initiators);
        }
    }

    /** A snapshot of every LU of {@code devices}. */
    public static AtsReport of(List<TargetDevice> devices) {
        List<Lun> out = new ArrayList<>();
        for (TargetDevice device : devices) {
            for (LogicalUnit lu : device.luns()) {
                AtsStatistics ats = lu.ats();
                out.add(new Lun(device.targetName(), lu.number(), ats.snapshot(), ats.snapshotByInitiator()));
            }
        }
        return new AtsReport(Instant.now(), out);
    }

    /**
     * A table: per LU one {@value #ALL} row, then one row per initiator; columns ATTEMPTS, SUCCEEDED, the
     * three miscompare causes, and the lock wait p50/p99/max in microseconds. Ends with a newline.
     */
    public String toText() {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (Lun lun : luns) {
            rows.add(row(lun, ALL, lun.total()));
            lun.initiators().entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(e -> rows.add(row(lun, e.getKey(), e.getValue())));
        }
        int[] width = new int[HEADER.length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                boolean number = i == 1 || i >= 3;
                String cell = number ? " ".repeat(width[i] - r[i].length()) + r[i]
                        : i == r.length - 1 ? r[i] : r[i] + " ".repeat(width[i] - r[i].length());
                sb.append(cell).append(i == r.length - 1 ? "\n" : "  ");
            }
        }
        if (luns.isEmpty()) {
            sb.append("(no LUNs)\n");
        }
        return sb.toString();
    }

    private static String[] row(Lun lun, String initiator, Snapshot s) {
        return new String[] {lun.target(), Integer.toString(lun.lun()), initiator, Long.toString(s.attempts()),
            Long.toString(s.succeeded()), Long.toString(s.contention()), Long.toString(s.ownWrite()),
            Long.toString(s.unexplained()), Long.toString(s.lockWaitP50Micros()),
            Long.toString(s.lockWaitP99Micros()), Long.toString(s.lockWaitMaxMicros())};
    }

    /**
     * The same data as JSON:
     * <pre>{@code
     * {"time": "2026-12-06T21:00:00Z", "luns": [{"target": "iqn...", "lun": 0,
     *   "attempts": 1200, "succeeded": 1187,
     *   "miscompares": {"contention": 10, "own-write": 2, "unexplained": 1},
     *   "lockWaitMicros": {"p50": 41, "p99": 950, "max": 1210},
     *   "initiators": [{"initiator": "iqn.1998-01.com.vmware:esx-a", "attempts": ..., ...}]}]}
     * }</pre>
     */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("time", time.toString());
        ArrayNode list = root.putArray("luns");
        for (Lun lun : luns) {
            ObjectNode n = list.addObject();
            n.put("target", lun.target());
            n.put("lun", lun.lun());
            fields(n, lun.total());
            ArrayNode initiators = n.putArray("initiators");
            lun.initiators().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
                ObjectNode i = initiators.addObject();
                i.put("initiator", e.getKey());
                fields(i, e.getValue());
            });
        }
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);   // a tree of strings and numbers always serializes
        }
    }

    private static void fields(ObjectNode n, Snapshot s) {
        n.put("attempts", s.attempts());
        n.put("succeeded", s.succeeded());
        ObjectNode m = n.putObject("miscompares");
        for (MiscompareCause cause : MiscompareCause.values()) {
            m.put(cause.label(), s.miscompared(cause));
        }
        ObjectNode w = n.putObject("lockWaitMicros");
        w.put("p50", s.lockWaitP50Micros());
        w.put("p99", s.lockWaitP99Micros());
        w.put("max", s.lockWaitMaxMicros());
    }
}
