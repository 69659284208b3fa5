#!/usr/bin/env python3
"""Turns the raw outputs of bench/run.sh into one table (stdout, results.tsv, results.md) and a chart.

Inputs in --raw: perf/{us,tgt}-run<R>.tsv (run-perf.sh), limits/run<R>.tsv (run-limits.sh),
caw.tsv, latency.tsv, durable.tsv, rss.tsv and metrics.tsv (run.sh). Every row that measures operations shows
their p50/p99 latency (us and peer); the read rows take it from caw-bench's randread/seqread runs of the
same queue depth and size (latency.tsv), since iscsi-perf prints none. "us" is our target with its default write cache (through);
"us back" and "tgt O_SYNC" appear only in the durable-write rows. Values are the mean over the rounds; results.tsv also has the
per-round values so the spread is visible.
"""
import argparse
import csv
import glob
import os
import shutil
import subprocess
from statistics import mean


def read_tsv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def perf_rounds(raw, name):
    """{case: [row per round]} from perf/<name>-run*.tsv"""
    out = {}
    for path in sorted(glob.glob(os.path.join(raw, "perf", f"{name}-run*.tsv"))):
        for row in read_tsv(path):
            out.setdefault(row["case"], []).append(row)
    return out


def avg(values):
    vs = [v for v in values if v is not None]
    return mean(vs) if vs else None


def per_round_fmt(values):
    return " ".join("NA" if v is None else f"{v:.6g}" for v in values)


def gc_summary(path):
    """Young/remark/cleanup pauses and the allocation rate from a -Xlog:gc log, or None."""
    import re
    pat = re.compile(r"^\[([\d.]+)s\].*GC\(\d+\) (Pause [^(]*(?:\([^)]*\) )*)(\d+)M->(\d+)M\((\d+)M\) ([\d.]+)ms")
    pauses = []
    try:
        with open(path) as f:
            for line in f:
                m = pat.search(line)
                if m:
                    pauses.append((float(m.group(1)), int(m.group(3)), int(m.group(4)), float(m.group(6))))
    except OSError:
        return None
    if len(pauses) < 2:
        return None
    span = pauses[-1][0] - pauses[0][0]
    allocated = sum(max(0, pauses[i][1] - pauses[i - 1][2]) for i in range(1, len(pauses)))
    total_ms = sum(p[3] for p in pauses)
    return {"count": len(pauses), "total_ms": total_ms, "max_ms": max(p[3] for p in pauses),
            "span_s": span, "alloc_mib_s": allocated / span if span > 0 else None,
            "pause_share": total_ms / 1000 / span if span > 0 else None}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--machine", default="")
    ap.add_argument("--load", default="")
    ap.add_argument("--settings", default="")
    a = ap.parse_args()

    perf = {n: perf_rounds(a.raw, n) for n in ("us", "tgt", "istgt", "us-zerocopy")}
    gc = gc_summary(os.path.join(a.raw, "gc-us-1.log"))
    limits = {}
    for path in sorted(glob.glob(os.path.join(a.raw, "limits", "run*.tsv"))):
        for row in read_tsv(path):
            limits.setdefault(row["case"], []).append(num(row["MiB_s"]))
    iperf1 = avg(limits.get("iperf3-P1", []))

    rows = []  # (metric, us_rounds, peer, peer_rounds, better[, lat])  better: 'high' | 'low'
    # lat: (us p50 rounds, us p99 rounds, peer p50 rounds, peer p99 rounds), for rows that measure operations

    def load(name):
        path = os.path.join(a.raw, name)
        return read_tsv(path) if os.path.exists(path) else []

    latency = load("latency.tsv")

    def lat_vals(target, case, col):
        return [num(r[col]) for r in latency if r["target"] == target and r["case"] == case]

    def read_lat(case, peer):
        return (lat_vals("us", case, "p50_us"), lat_vals("us", case, "p99_us"),
                lat_vals(peer, case, "p50_us"), lat_vals(peer, case, "p99_us"))

    def field(name, case, col):
        return [num(r[col]) for r in perf[name].get(case, [])]

    def cpu_per_million(name, case):
        vals = []
        for r in perf[name].get(case, []):
            iops, secs, cpu = num(r["iops"]), num(r["seconds"]), num(r["target_cpu_s"])
            vals.append(cpu / (iops * secs) * 1e6 if iops and secs and cpu is not None else None)
        return vals

    rows.append(("4 KiB random read, qd32 (IOPS)", field("us", "rand4k-qd32", "iops"), "tgt",
                 field("tgt", "rand4k-qd32", "iops"), "high", read_lat("rand4k-qd32", "tgt")))
    rows.append(("4 KiB random read, qd1 (IOPS)", field("us", "rand4k-qd1", "iops"), "tgt",
                 field("tgt", "rand4k-qd1", "iops"), "high", read_lat("rand4k-qd1", "tgt")))
    rows.append(("128 KiB sequential read, qd8 (MiB/s)", field("us", "seq128k-qd8", "MiB_s"), "tgt",
                 field("tgt", "seq128k-qd8", "MiB_s"), "high", read_lat("seq128k-qd8", "tgt")))
    if perf["istgt"]:
        rows.append(("128 KiB sequential read, qd8 (MiB/s)", field("us", "seq128k-qd8", "MiB_s"), "istgt",
                     field("istgt", "seq128k-qd8", "MiB_s"), "high", read_lat("seq128k-qd8", "istgt")))
        # the goal's peer: per round, the better of tgt and istgt
        best = [max(x, y) if x is not None and y is not None else None for x, y in
                zip(field("tgt", "seq128k-qd8", "MiB_s"), field("istgt", "seq128k-qd8", "MiB_s"))]
        rows.append(("128 KiB sequential read, qd8 (MiB/s)", field("us", "seq128k-qd8", "MiB_s"),
                     "better of tgt, istgt", best, "high"))
        rows.append(("4 KiB random read, qd1 (IOPS)", field("us", "rand4k-qd1", "iops"), "istgt",
                     field("istgt", "rand4k-qd1", "iops"), "high", read_lat("rand4k-qd1", "istgt")))
    rows.append(("128 KiB sequential write, qd8, us through vs tgt page cache (MiB/s)",
                 field("us", "seqwrite128k-qd8", "MiB_s"), "tgt",
                 field("tgt", "seqwrite128k-qd8", "MiB_s"), "high"))
    def cpu_per_gib(name, case):
        vals = []
        for r in perf[name].get(case, []):
            mib, secs, cpu = num(r["MiB_s"]), num(r["seconds"]), num(r["target_cpu_s"])
            vals.append(cpu / (mib * secs / 1024) if mib and secs and cpu is not None else None)
        return vals

    rows.append(("target CPU s per GiB, 128 KiB sequential read qd8 (copied, the default)",
                 cpu_per_gib("us", "seq128k-qd8"), "tgt", cpu_per_gib("tgt", "seq128k-qd8"), "low"))
    if perf["us-zerocopy"]:  # raw results of runs from before zeroCopyReads was withdrawn
        rows.append(("128 KiB sequential read, qd8, --zero-copy-reads always (MiB/s)",
                     field("us-zerocopy", "seq128k-qd8", "MiB_s"), "tgt", field("tgt", "seq128k-qd8", "MiB_s"), "high"))
        rows.append(("target CPU s per GiB, 128 KiB sequential read qd8, --zero-copy-reads always",
                     cpu_per_gib("us-zerocopy", "seq128k-qd8"), "tgt", cpu_per_gib("tgt", "seq128k-qd8"), "low"))
    if iperf1:
        frac = lambda vals: [v / iperf1 if v is not None else None for v in vals]
        rows.append(("128 KiB sequential read / 1 loopback TCP stream", frac(field("us", "seq128k-qd8", "MiB_s")),
                     "tgt", frac(field("tgt", "seq128k-qd8", "MiB_s")), "high"))
        rows.append(("128 KiB sequential write / 1 loopback TCP stream",
                     frac(field("us", "seqwrite128k-qd8", "MiB_s")), "tgt",
                     frac(field("tgt", "seqwrite128k-qd8", "MiB_s")), "high"))
    rows.append(("target CPU s per million I/Os, 4 KiB random read qd32", cpu_per_million("us", "rand4k-qd32"),
                 "tgt", cpu_per_million("tgt", "rand4k-qd32"), "low"))
    rows.append(("target CPU s per million I/Os, 4 KiB sequential write qd8",
                 cpu_per_million("us", "seqwrite4k-qd8"), "tgt", cpu_per_million("tgt", "seqwrite4k-qd8"), "low"))

    rss = {r["target"]: r for r in read_tsv(os.path.join(a.raw, "rss.tsv"))} if os.path.exists(
        os.path.join(a.raw, "rss.tsv")) else {}
    rss_sessions = next(iter(rss.values()))["sessions"] if rss else "64"
    if rss:
        mib = lambda t: [num(rss[t]["max_rss_kib"]) / 1024] if t in rss and num(rss[t]["max_rss_kib"]) else [None]
        rows.append((f"max RSS with {rss_sessions} sessions doing I/O, started by bin/vaai-target (MiB)", mib("us"),
                     "tgt", mib("tgt"), "low"))
        if "us-plain-java" in rss:
            rows.append((f"max RSS with {rss_sessions} sessions doing I/O, plain java -jar: JVM default heap (MiB)",
                         mib("us-plain-java"), "tgt", mib("tgt"), "low"))

    caw = read_tsv(os.path.join(a.raw, "caw.tsv")) if os.path.exists(os.path.join(a.raw, "caw.tsv")) else []

    def caw_vals(target, mode, col):
        return [num(r[col]) for r in caw if r["target"] == target and r["mode"] == mode]

    def caw_cpu(target, mode):
        vals = []
        for r in caw:
            if r["target"] == target and r["mode"] == mode:
                cpu, ops = num(r.get("target_cpu_s")), num(r.get("ops"))
                vals.append(cpu / ops if cpu is not None and ops else None)
        return vals

    def caw_lat(us, peer, mode):
        return (caw_vals(us, mode, "p50_us"), caw_vals(us, mode, "p99_us"),
                caw_vals(peer, mode, "p50_us"), caw_vals(peer, mode, "p99_us"))

    for mode, label in (("one", "one block"), ("disjoint", "disjoint blocks")):
        for us, cache in (("us", "through"), ("us-back", "back")):
            if not caw_vals(us, mode, "ops_s"):
                continue
            rows.append((f"COMPARE AND WRITE, 8 sessions, {label}, us {cache} (ops/s)", caw_vals(us, mode, "ops_s"),
                         "istgt", caw_vals("istgt", mode, "ops_s"), "high", caw_lat(us, "istgt", mode)))
            rows.append((f"COMPARE AND WRITE, 8 sessions, {label}, us {cache}, p50 latency (us)",
                         caw_vals(us, mode, "p50_us"), "istgt", caw_vals("istgt", mode, "p50_us"), "low"))
            rows.append((f"COMPARE AND WRITE, 8 sessions, {label}, us {cache}, p99 latency (us)",
                         caw_vals(us, mode, "p99_us"), "istgt", caw_vals("istgt", mode, "p99_us"), "low"))
            if any(v is not None for v in caw_cpu(us, mode)):
                # target CPU over the case (/proc: user+sys, all threads) per COMPARE AND WRITE: does not
                # depend on how much CPU the client had
                rows.append((f"target CPU us per COMPARE AND WRITE, 8 sessions, {label}, us {cache}",
                             [v * 1e6 if v is not None else None for v in caw_cpu(us, mode)], "istgt",
                             [v * 1e6 if v is not None else None for v in caw_cpu("istgt", mode)], "low"))

    # metrics on against metrics off, our target both times (the "peer" is us without metrics)
    mpath = os.path.join(a.raw, "metrics.tsv")
    mrows = read_tsv(mpath) if os.path.exists(mpath) else []
    if mrows:
        def mvals(state, col):
            return [num(r[col]) for r in mrows if r["metrics"] == state]

        def mcpu(state):
            vals = []
            for r in mrows:
                if r["metrics"] == state:
                    iops, secs, cpu = num(r["iops"]), num(r["seconds"]), num(r["target_cpu_s"])
                    vals.append(cpu / (iops * secs) * 1e6 if iops and secs and cpu is not None else None)
            return vals
        rows.append(("4 KiB random read, qd32, --metrics on and scraped (IOPS)", mvals("on", "iops"),
                     "us, metrics off", mvals("off", "iops"), "high"))
        rows.append(("target CPU s per million I/Os, 4 KiB random read qd32, --metrics on",
                     mcpu("on"), "us, metrics off", mcpu("off"), "low"))

    durable = read_tsv(os.path.join(a.raw, "durable.tsv")) if os.path.exists(
        os.path.join(a.raw, "durable.tsv")) else []

    def durable_vals(target, case, col):
        return [num(r[col]) for r in durable if r["target"] == target and r["case"] == case]

    for case, label, col, unit in (("rand4k-qd1", "4 KiB random write, qd1", "ops_s", "IOPS"),
                                   ("rand4k-qd8", "4 KiB random write, qd8", "ops_s", "IOPS"),
                                   ("rand4k-qd32", "4 KiB random write, qd32", "ops_s", "IOPS"),
                                   ("seq128k-qd8", "128 KiB sequential write, qd8", "MiB_s", "MiB/s")):
        if not durable_vals("us", case, col):
            continue
        rows.append((f"{label}, durable: us through vs tgt O_SYNC ({unit})", durable_vals("us", case, col),
                     "tgt O_SYNC", durable_vals("tgt-sync", case, col), "high",
                     (durable_vals("us", case, "p50_us"), durable_vals("us", case, "p99_us"),
                      durable_vals("tgt-sync", case, "p50_us"), durable_vals("tgt-sync", case, "p99_us"))))
        rows.append((f"{label}: us through vs us back ({unit})", durable_vals("us", case, col),
                     "us back", durable_vals("us-back", case, col), "high",
                     (durable_vals("us", case, "p50_us"), durable_vals("us", case, "p99_us"),
                      durable_vals("us-back", case, "p50_us"), durable_vals("us-back", case, "p99_us"))))
        rows.append((f"{label}, durable, p99 latency: us through vs tgt O_SYNC (us)", durable_vals("us", case, "p99_us"),
                     "tgt O_SYNC", durable_vals("tgt-sync", case, "p99_us"), "low"))

    def fmt(v):
        if v is None:
            return "NA"
        if abs(v) >= 100:
            return f"{v:,.0f}"
        if abs(v) >= 10:
            return f"{v:.1f}"
        return f"{v:.2f}"

    def lat_fmt(p50s, p99s):
        p50, p99 = avg(p50s), avg(p99s)
        return "-" if p50 is None and p99 is None else f"{fmt(p50)}/{fmt(p99)}"

    table = []
    lat_cols = {}  # metric index -> (us "p50/p99", peer "p50/p99")
    for row in rows:
        metric, us, peer, pv, better = row[:5]
        u, p = avg(us), avg(pv)
        ratio = u / p if u is not None and p else None
        lat = row[5] if len(row) > 5 else None
        lat_cols[len(table)] = (lat_fmt(lat[0], lat[1]), lat_fmt(lat[2], lat[3])) if lat else ("-", "-")
        table.append((metric, u, peer, p, ratio, better, us, pv))

    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "results.tsv"), "w") as f:
        f.write("metric\tus\tpeer\tpeer_value\tratio_us_over_peer\tbetter\tus_per_round\tpeer_per_round"
                "\tus_p50_p99_us\tpeer_p50_p99_us\n")
        for i, (metric, u, peer, p, ratio, better, us, pv) in enumerate(table):
            f.write(f"{metric}\t{fmt(u)}\t{peer}\t{fmt(p)}\t{fmt(ratio)}\t{better}\t"
                    f"{per_round_fmt(us)}\t{per_round_fmt(pv)}\t{lat_cols[i][0]}\t{lat_cols[i][1]}\n")

    caw_checks = [r["check"] for r in caw]
    caw_errors = sum(int(num(r["errors"]) or 0) for r in caw)
    notes = ["us: our target as users start it, writeCache through (the default: WCE=0, group commit) in every"
             " row; tgt: page cache except in the 'tgt O_SYNC' rows; 'us back': a second instance, --write-cache back (COMPARE AND WRITE and durable-write rows)"]
    goals = []

    def ratio_of(metric_start, peer):
        for metric, u, pr, p, ratio, better, _, _ in table:
            if metric.startswith(metric_start) and pr == peer:
                return ratio
        return None

    for metric_start, peer, goal in (("4 KiB random write, qd32", "us back", 0.7),
                                     ("4 KiB random write, qd32, durable", "tgt O_SYNC", 1.3),
                                     ("4 KiB random write, qd1, durable", "tgt O_SYNC", 1.1)):
        r = ratio_of(metric_start, peer)
        if r is not None:
            goals.append(f"{metric_start} / {peer} >= {goal}: {fmt(r)} ({'met' if r >= goal else 'NOT met'})")
    # issue 19 (ATS under contention, queue depth 1)
    for metric_start, peer, goal, better in (
            ("COMPARE AND WRITE, 8 sessions, one block, us through (ops/s)", "istgt", 1.3, "high"),
            ("COMPARE AND WRITE, 8 sessions, one block, us through, p99", "istgt", 0.8, "low"),
            ("COMPARE AND WRITE, 8 sessions, disjoint blocks, us through (ops/s)", "istgt", 1.5, "high"),
            ("target CPU us per COMPARE AND WRITE, 8 sessions, one block, us through", "istgt", 0.6, "low"),
            ("4 KiB random read, qd1", "tgt", 1.3, "high"),
            ("4 KiB random write, qd1, durable", "tgt O_SYNC", 1.3, "high"),
            ("128 KiB sequential read, qd8", "better of tgt, istgt", 1.2, "high")):
        r = ratio_of(metric_start, peer)
        if r is not None:
            met = r >= goal if better == "high" else r <= goal
            goals.append(f"{metric_start} / {peer} {'>=' if better == 'high' else '<='} {goal}: {fmt(r)}"
                         f" ({'met' if met else 'NOT met'})")
    hb = avg(caw_vals("us", "disjoint", "p99_us"))
    if hb is not None:
        goals.append(f"ATS heartbeats (8 sessions, own blocks, through) p99 < 2000 us: {fmt(hb)}"
                     f" ({'met' if hb < 2000 else 'NOT met'})")
    notes += ["goal: " + g for g in goals]
    if iperf1:
        notes.append(f"loopback TCP, iperf3 1 stream: {iperf1:,.0f} MiB/s; 2 streams: "
                     f"{fmt(avg(limits.get('iperf3-P2', [])))} MiB/s")
    pc = {k: avg(v) for k, v in limits.items() if k.startswith("pagecache-")}
    for k in sorted(pc):
        if k.endswith("-131072"):
            notes.append(f"page cache, one thread, {k.split('-')[2]} 128 KiB: {fmt(pc[k])} MiB/s")
    notes.append(f"COMPARE AND WRITE correctness (counter = successful CAWs, no lost update): "
                 f"{'OK' if caw_checks and all(c == 'OK' for c in caw_checks) else 'FAIL'} in "
                 f"{len(caw_checks)} runs, {caw_errors} unexpected errors")
    for t, r in rss.items():
        notes.append(f"{rss_sessions}-session I/O during the RSS sample on {t}: {r['io_result']}")
    if gc:
        notes.append(f"our garbage collection over the {gc['span_s']:.0f} s from the first to the last pause"
                     f" (warm-up, rounds, RSS sample; G1 as bin/vaai-target starts it): {gc['count']} pauses,"
                     f" {gc['total_ms']:.0f} ms in all ({100 * gc['pause_share']:.2f} % of the time), longest"
                     f" {gc['max_ms']:.1f} ms; allocation rate {gc['alloc_mib_s']:.0f} MiB/s")
    notes.append(f"machine: {a.machine}")
    notes.append(f"load average: {a.load}")
    notes.append(f"settings: rounds={a.rounds} {a.settings}")

    md = ["| metric | us | peer | peer value | us / peer | us p50/p99 (us) | peer p50/p99 (us) |",
          "| --- | ---: | --- | ---: | ---: | ---: | ---: |"]
    for i, (metric, u, peer, p, ratio, better, _, _) in enumerate(table):
        arrow = "higher is better" if better == "high" else "lower is better"
        md.append(f"| {metric} ({arrow}) | {fmt(u)} | {peer} | {fmt(p)} | {fmt(ratio)} | {lat_cols[i][0]} | {lat_cols[i][1]} |")
    md.append("")
    md += [f"- {n}" for n in notes]
    with open(os.path.join(a.out, "results.md"), "w") as f:
        f.write("\n".join(md) + "\n")

    w = max(len(m) for m, *_ in table)
    print(f"{'metric':<{w}}  {'us':>10}  {'peer':<6} {'peer value':>10}  {'us/peer':>7}  {'us p50/p99':>13}"
          f"  {'peer p50/p99':>13}")
    for i, (metric, u, peer, p, ratio, better, _, _) in enumerate(table):
        print(f"{metric:<{w}}  {fmt(u):>10}  {peer:<6} {fmt(p):>10}  {fmt(ratio):>7}  {lat_cols[i][0]:>13}"
              f"  {lat_cols[i][1]:>13}")
    for n in notes:
        print("  " + n)

    chart(a.out, table)


def chart(out, table):
    """Bar chart of us/peer per metric (1 = parity), PNG through gnuplot when it is installed."""
    if not shutil.which("gnuplot"):
        print("  (gnuplot not installed: no chart)")
        return
    dat = os.path.join(out, "chart.dat")
    with open(dat, "w") as f:
        for metric, u, peer, p, ratio, better, _, _ in table:
            if ratio is None or "RSS" in metric or "TCP stream" in metric or "metrics" in metric:
                continue
            # lower-is-better metrics are inverted so that a taller bar is always better
            r = ratio if better == "high" else (1 / ratio if ratio else 0)
            short = (metric.replace("COMPARE AND WRITE, 8 sessions, ", "CAW ")
                     .replace(": us through vs us back", " through").replace(", durable: us through vs tgt O_SYNC", " durable")
                     .replace(", durable, p99 latency: us through vs tgt O_SYNC (us)", " durable p99")
                     .replace(", us through vs tgt page cache", "")
                     .replace("target CPU s per million I/Os, ", "CPU/IO ")
                     .replace("target CPU s per GiB, ", "CPU/GiB ")
                     .replace(" (copied, the default)", " copied").replace(", --zero-copy-reads always", " sendfile")
                     .replace(" qd8, sendfile", " qd8 sendfile")
                     .replace(" (IOPS)", "").replace(" (MiB/s)", "").replace(" (ops/s)", " ops/s")
                     .replace(" latency (us)", "").replace(" / 1 loopback TCP stream", " vs TCP")
                     .replace("sequential", "seq").replace("random", "rand"))
            f.write(f"\"{short} ({'us/' if better == 'high' else ''}{peer}{'' if better == 'high' else '/us'})\" {r:.4f}\n")
    png = os.path.join(out, "chart.png")
    script = f"""
set terminal pngcairo size 1000,560 font ",9"
set output "{png}"
set title "Our target relative to tgt (I/O) and istgt (COMPARE AND WRITE); > 1 = better than the peer"
set style data histogram
set style fill solid 0.7 border -1
set boxwidth 0.7
set xtics rotate by -40 left
set yrange [0:*]
set grid ytics
set key off
set bmargin 13
set rmargin 16
plot "{dat}" using 2:xtic(1) lc rgb "#3b6ea5", 1 with lines dt 2 lc rgb "#aa0000"
"""
    r = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    if r.returncode != 0:
        print("  gnuplot failed: " + r.stderr.strip())
    else:
        os.remove(dat)
        print(f"  chart: {png}")


if __name__ == "__main__":
    main()
