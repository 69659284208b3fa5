#!/usr/bin/env bash
# Performance comparison: our target against tgt and istgt (COMPARE AND WRITE, reads), same clients,
# same machine, alternating A B A B. Prints one table; writes it as TSV and Markdown and draws a chart.
#
# usage: bench/run.sh            (from anywhere; run as root to let it apt-get what is missing)
# env (all optional):
#   ROUNDS=2          rounds of the alternation (each: us, tgt for the I/O cases; us, istgt for CAW)
#   PERF_SECS=5       seconds per iscsi-perf / qemu-img bench case (run-perf.sh)
#   CAW_SECS=5        seconds per caw-bench case; CAW_SESSIONS=8
#   RSS_SESSIONS=64   sessions doing I/O while our RSS is sampled, for RSS_SECS=8 seconds: first our
#                     running target (bin/vaai-target, as README says to start it), then tgt, then
#                     ours restarted as plain `java -jar` (the JVM sizes its heap from the RAM)
#   LIMITS_SECS=5     iperf3 seconds (run-limits.sh); LIMITS_PC_SECS=2 per page-cache case
#   PEERS_DIR         the peer scripts (default: ../shared/peers beside the repository)
#   PEERS_WORK        LUN files, configs and raw results (default /tmp/vaai-bench)
#   BENCH_OUT         where results.tsv/results.md/chart.png go (default bench/results)
#   US_PORT=3306      our portal port; our target runs as users start it, bin/vaai-target (its memory
#                     settings), with its default write cache (through: WCE=0, group commit);
#                     JAVA_OPTS adds JVM options
#   US_BACK_PORT=3307 a second instance of ours with --write-cache back, for the durable-write and the
#                     COMPARE AND WRITE rows (both write-cache modes)
#   LAT_SECS=5        seconds per latency case (caw-bench randread/seqread: p50/p99 of the read rows,
#                     which iscsi-perf does not print)
#   DURABLE_SECS=5    seconds per durable-write case (caw-bench randwrite/seqwrite): us through, us back,
#                     tgt with its backing file O_SYNC (TGT_BSOFLAGS=sync), alternating per round
#   WARM_SECS=5       untimed warm-up per target and kind of load before the first round (JIT, page cache)
#   METRICS_PORT=9470 where our target serves /metrics in the metrics-on/off row; METRICS_SCRAPE_SECS=5
#                     how often that row scrapes it while measuring (Prometheus-like); METRICS_SAMPLES=3
#                     measurements per start of the target in that row
# Never part of `mvn test` or CI: figures from a shared 2-core machine are noisy; compare ratios.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
PEERS_DIR=${PEERS_DIR:-$REPO/../shared/peers}
[ -f "$PEERS_DIR/peers-env.sh" ] || { echo "peer scripts not found in $PEERS_DIR (set PEERS_DIR)" >&2; exit 2; }
PEERS_DIR=$(cd "$PEERS_DIR" && pwd)
export PEERS_WORK=${PEERS_WORK:-${TMPDIR:-/tmp}/vaai-bench}
export PEERS_RESULTS=$PEERS_WORK/results
. "$PEERS_DIR/peers-env.sh"
ROUNDS=${ROUNDS:-2}
export PERF_SECS=${PERF_SECS:-5}
export LIMITS_SECS=${LIMITS_SECS:-5} LIMITS_PC_SECS=${LIMITS_PC_SECS:-2}
export LIMITS_FILE_DIRS=${LIMITS_FILE_DIRS:-$PEERS_WORK}
CAW_SECS=${CAW_SECS:-5}; CAW_SESSIONS=${CAW_SESSIONS:-8}
RSS_SESSIONS=${RSS_SESSIONS:-64}; RSS_SECS=${RSS_SECS:-8}
US_PORT=${US_PORT:-3306}
US_IQN=iqn.2026-11.org.vaaitarget:bench
US_URL=iscsi://$PEER_HOST:$US_PORT/$US_IQN/0
US_BACK_PORT=${US_BACK_PORT:-3307}
US_BACK_URL=iscsi://$PEER_HOST:$US_BACK_PORT/$US_IQN/0
DURABLE_SECS=${DURABLE_SECS:-5}
OUT=${BENCH_OUT:-$REPO/bench/results}
JAR=$REPO/target-server/target/iscsi-target.jar
RAW=$PEERS_RESULTS
mkdir -p "$PEERS_WORK/us" "$PEERS_WORK/us-back" "$OUT"
rm -rf "$RAW"; mkdir -p "$RAW"
say() { echo "[bench $(date +%T) load $(cut -d' ' -f1 /proc/loadavg)] $*" >&2; }

# --- 1. tools
need=()
for c in tgtd:tgt istgt:istgt iscsi-perf:libiscsi-bin qemu-img:qemu-utils iperf3:iperf3 gnuplot:gnuplot-nox gcc:gcc curl:curl; do
  command -v "${c%%:*}" >/dev/null || need+=("${c#*:}")
done
pkg-config --exists libiscsi 2>/dev/null || need+=(libiscsi-dev)
[ -e /usr/lib/x86_64-linux-gnu/qemu/block-iscsi.so ] || ls /usr/lib/*/qemu/block-iscsi.so >/dev/null 2>&1 || need+=(qemu-block-extra)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    say "installing ${need[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}" >"$PEERS_WORK/apt.log" 2>&1 ||
      { apt-get update >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}" >"$PEERS_WORK/apt.log" 2>&1; } ||
      { echo "apt-get install ${need[*]} failed (see $PEERS_WORK/apt.log)" >&2; exit 1; }
  else
    echo "missing: ${need[*]} (sudo apt-get install -y ${need[*]})" >&2; exit 1
  fi
fi
CAW_BIN=$PEERS_WORK/caw-bench
if [ ! -x "$CAW_BIN" ] || [ "$REPO/bench/caw-bench.c" -nt "$CAW_BIN" ]; then
  gcc -O2 -Wall -o "$CAW_BIN" "$REPO/bench/caw-bench.c" $(pkg-config --cflags --libs libiscsi) -lpthread || exit 1
fi

# --- 2. our jar (built when missing or older than a source file)
if [ ! -s "$JAR" ] || [ -n "$(find "$REPO"/target-core/src/main "$REPO"/target-server/src/main -newer "$JAR" -type f | head -1)" ]; then
  say "building $JAR"
  (cd "$REPO" && mvn -q -B -DskipTests -pl target-server -am package) || { echo "build failed" >&2; exit 1; }
fi

# --- 3. LUN files: same size, same filesystem, fully written with the same random data
#     (no sparse holes, so reads hit real pages on every target)
US_LUN=$PEERS_WORK/us/lun0.img
SRC=/dev/shm/vaai-bench-src.img
SIZE_BYTES=$(numfmt --from=iec "$LUN_SIZE")
prefill() {  # file
  local f=$1
  mkdir -p "$(dirname "$f")"
  if [ -f "$f" ] && [ "$(stat -c %s "$f")" = "$SIZE_BYTES" ] && [ $(( $(stat -c %b "$f") * 512 )) -ge "$SIZE_BYTES" ]; then return; fi
  [ -s "$SRC" ] || head -c "$SIZE_BYTES" /dev/urandom >"$SRC"
  dd if="$SRC" of="$f" bs=1M status=none
}
say "preparing LUN files ($LUN_SIZE each) in $PEERS_WORK"
US_BACK_LUN=$PEERS_WORK/us-back/lun0.img
for f in "$US_LUN" "$US_BACK_LUN" "$PEERS_WORK/tgt/lun1.img" "$PEERS_WORK/istgt/lun0.img"; do prefill "$f"; done
rm -f "$SRC"; sync

# --- 4. targets
US_PID=
US_BACK_PID=
US_STARTS=0
cleanup() {
  [ -n "$US_PID" ] && kill "$US_PID" 2>/dev/null && wait "$US_PID" 2>/dev/null
  [ -n "$US_BACK_PID" ] && kill "$US_BACK_PID" 2>/dev/null && wait "$US_BACK_PID" 2>/dev/null
  "$PEERS_DIR/stop-peers.sh" tgt istgt >/dev/null 2>&1
}
trap cleanup EXIT
"$PEERS_DIR/stop-peers.sh" tgt istgt >/dev/null 2>&1
start_us() {  # launcher [target options]; launcher: "script" (bin/vaai-target) or "plain" (java -jar, the JVM's default memory sizing)
  if [ -n "$US_PID" ]; then kill "$US_PID" 2>/dev/null; wait "$US_PID" 2>/dev/null; US_PID=; fi
  local memory=()
  [ "$1" = plain ] && memory=(VAAI_TARGET_MEMORY=)
  shift
  US_STARTS=$((US_STARTS + 1))   # each start logs its garbage collections to gc-us-N.log (report.py reads N=1)
  env "${memory[@]}" JAVA_OPTS="${JAVA_OPTS:-} -Xlog:gc:file=$RAW/gc-us-$US_STARTS.log" \
    "$REPO/bin/vaai-target" --portal "$PEER_HOST:$US_PORT" --iqn "$US_IQN" --lun "$US_LUN" "$@" \
    >>"$PEERS_WORK/us/server.log" 2>&1 &
  US_PID=$!
  wait_port "$US_PORT" 300 || { cat "$PEERS_WORK/us/server.log" >&2; return 1; }
}
: >"$PEERS_WORK/us/server.log"
start_us script || exit 1
"$PEERS_DIR/start-tgt.sh" >&2 || exit 1
"$PEERS_DIR/start-istgt.sh" >&2 || exit 1
# a second instance of ours with --write-cache back (WCE=1): COMPARE AND WRITE and durable-write rows
env JAVA_OPTS="${JAVA_OPTS:-}" "$REPO/bin/vaai-target" --portal "$PEER_HOST:$US_BACK_PORT" --iqn "$US_IQN" \
  --lun "$US_BACK_LUN" --write-cache back >>"$PEERS_WORK/us-back/server.log" 2>&1 &
US_BACK_PID=$!
wait_port "$US_BACK_PORT" 300 || { cat "$PEERS_WORK/us-back/server.log" >&2; exit 1; }
ISTGT_PID=$(cat "$PEERS_WORK/istgt/istgt.pid.fg")
say "us pid $US_PID ($US_URL), us back $US_BACK_PID, tgt $(cat "$PEERS_WORK/tgt/tgtd.pid"), istgt $ISTGT_PID"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# --- 5. the runs
perf_us() { PERF_CASES="read bench" PERF_NAME=us PERF_TARGET_PID=$US_PID "$PEERS_DIR/run-perf.sh" "$US_URL" "$1" >/dev/null; }
perf_tgt() { PERF_CASES="read bench" "$PEERS_DIR/run-perf.sh" tgt "$1" >/dev/null; }
perf_istgt() { PERF_CASES="read" "$PEERS_DIR/run-perf.sh" istgt "$1" >/dev/null; }
CAW_TSV=$RAW/caw.tsv
echo -e "target\tmode\tround\tops_s\tp50_us\tp99_us\tsuccess\tmiscompare\terrors\tcheck\ttarget_cpu_s\tops" >"$CAW_TSV"
pid_cpu() {  # pid: user+sys clock ticks of the whole process (all threads), 0 when unknown
  if [ -n "$1" ] && [ -r "/proc/$1/stat" ]; then awk '{print $14+$15}' "/proc/$1/stat"; else echo 0; fi
}
ticks_to_s() { awk -v a="$1" -v b="$2" -v t="$(getconf CLK_TCK)" 'BEGIN{printf "%.2f", (b-a)/t}'; }
caw() {  # name url mode round pid
  local line c0 c1
  c0=$(pid_cpu "$5")
  line=$("$CAW_BIN" -m "$3" -n "$CAW_SESSIONS" -t "$CAW_SECS" "$2" 2>>"$RAW/caw.log" | grep '^RESULT')
  c1=$(pid_cpu "$5")
  echo "$1 round $4: $line" >>"$RAW/caw.log"
  [[ $line == *check=FAIL* ]] && say "caw-bench FAIL on $1 ($3): $line"
  kv() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$line"; }
  echo -e "$1\t$3\t$4\t$(kv ops_s)\t$(kv p50_us)\t$(kv p99_us)\t$(kv success)\t$(kv miscompare)\t$(kv errors)\t$(kv check)\t$(ticks_to_s "$c0" "$c1")\t$(kv ops)" >>"$CAW_TSV"
}
# Latency of the read rows (iscsi-perf prints none): caw-bench randread/seqread, one session, with the
# target's CPU over the case.
LAT_SECS=${LAT_SECS:-5}
LAT_TSV=$RAW/latency.tsv
echo -e "target\tcase\tround\tops_s\tMiB_s\tp50_us\tp99_us\terrors\ttarget_cpu_s" >"$LAT_TSV"
latency() {  # name url round pid
  local c line c0 c1
  for c in "randread 1 4096 rand4k-qd1" "randread 32 4096 rand4k-qd32" "seqread 8 131072 seq128k-qd8"; do
    set -- "$1" "$2" "$3" "$4" $c
    c0=$(pid_cpu "$4")
    line=$(timeout $((LAT_SECS + 60)) "$CAW_BIN" -m "$5" -n 1 -q "$6" -b "$7" -t "$LAT_SECS" "$2" \
           2>>"$RAW/latency.log" | grep '^RESULT')
    c1=$(pid_cpu "$4")
    echo "$1 $8 round $3: $line" >>"$RAW/latency.log"
    kv() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$line"; }
    echo -e "$1\t$8\t$3\t$(kv ops_s)\t$(kv MiB_s)\t$(kv p50_us)\t$(kv p99_us)\t$(kv errors)\t$(ticks_to_s "$c0" "$c1")" >>"$LAT_TSV"
  done
}

# warm-up, not measured: our JIT compiles the hot paths of every kind of load measured below (a
# long-running server is measured warm: on 2 cores C2 needs 10-20 s of a new load before it is at
# full speed); the peers get the same load so that their page cache state matches
WARM_SECS=${WARM_SECS:-5}
say "warm-up ${WARM_SECS}s per target and load (not measured)"
for u in "$US_URL" "$TGT_URL" "$ISTGT_URL"; do
  timeout $((WARM_SECS + 20)) iscsi-perf -m 8 -b 8 -r -t "$WARM_SECS" "$u" >/dev/null 2>&1
  timeout $((WARM_SECS + 20)) iscsi-perf -m 8 -b 256 -t "$WARM_SECS" "$u" >/dev/null 2>&1
  timeout $((WARM_SECS + 20)) "$CAW_BIN" -m rw -n 4 -t "$WARM_SECS" "$u" >/dev/null 2>&1
done
for u in "$US_URL" "$US_BACK_URL" "$ISTGT_URL"; do
  for m in one disjoint; do timeout $((WARM_SECS + 20)) "$CAW_BIN" -m "$m" -n 8 -t "$WARM_SECS" "$u" >/dev/null 2>&1; done
done

say "limits (iperf3 ${LIMITS_SECS}s, page cache)"
"$PEERS_DIR/run-limits.sh" 1 >/dev/null
for r in $(seq "$ROUNDS"); do
  say "round $r/$ROUNDS: perf us";  perf_us "$r"
  say "round $r/$ROUNDS: perf tgt"; perf_tgt "$r"
  say "round $r/$ROUNDS: perf istgt (reads)"; perf_istgt "$r"
  say "round $r/$ROUNDS: read latency us, tgt, istgt"
  latency us "$US_URL" "$r" "$US_PID"
  latency tgt "$TGT_URL" "$r" "$(cat "$PEERS_WORK/tgt/tgtd.pid")"
  latency istgt "$ISTGT_URL" "$r" "$ISTGT_PID"
  for m in one disjoint; do
    say "round $r/$ROUNDS: COMPARE AND WRITE $m-block, $CAW_SESSIONS sessions: us (through), istgt, us back"
    caw us "$US_URL" "$m" "$r" "$US_PID"
    caw istgt "$ISTGT_URL" "$m" "$r" "$ISTGT_PID"
    caw us-back "$US_BACK_URL" "$m" "$r" "$US_BACK_PID"
  done
done
"$PEERS_DIR/run-limits.sh" 2 >/dev/null

# Durable writes: random 4 KiB at qd 1, 8, 32 and sequential 128 KiB at qd 8, one session (caw-bench,
# libiscsi async). us through (the running instance: the default), us back (a second instance, WCE=1:
# GOOD from the page cache, what durability costs), tgt with its backing file opened O_SYNC (its
# write-through): alternating per round. The ATS heartbeat row (8 sessions, own blocks) is the
# COMPARE AND WRITE disjoint case above, run against the default (through).
DURABLE_TSV=$RAW/durable.tsv
echo -e "target\tcase\tround\tops_s\tMiB_s\tp50_us\tp99_us\terrors\tcheck" >"$DURABLE_TSV"
durable() {  # name url round
  local c line
  for c in "randwrite 1 4096 rand4k-qd1" "randwrite 8 4096 rand4k-qd8" "randwrite 32 4096 rand4k-qd32" \
           "seqwrite 8 131072 seq128k-qd8"; do
    set -- "$1" "$2" "$3" $c
    line=$(timeout $((DURABLE_SECS + 60)) "$CAW_BIN" -m "$4" -n 1 -q "$5" -b "$6" -t "$DURABLE_SECS" "$2" \
           2>>"$RAW/durable.log" | grep '^RESULT')
    echo "$1 $7 round $3: $line" >>"$RAW/durable.log"
    kv() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$line"; }
    echo -e "$1\t$7\t$3\t$(kv ops_s)\t$(kv MiB_s)\t$(kv p50_us)\t$(kv p99_us)\t$(kv errors)\t$(kv check)" >>"$DURABLE_TSV"
  done
}
say "durable writes: tgt again with O_SYNC"
"$PEERS_DIR/stop-peers.sh" tgt >/dev/null 2>&1
TGT_BSOFLAGS=sync "$PEERS_DIR/start-tgt.sh" >&2 || exit 1
for u in "$US_URL" "$US_BACK_URL" "$TGT_URL"; do   # warm-up, not measured (JIT of the write path, page cache)
  timeout $((WARM_SECS + 20)) "$CAW_BIN" -m randwrite -q 8 -n 1 -t "$WARM_SECS" "$u" >/dev/null 2>&1
  timeout $((WARM_SECS + 20)) "$CAW_BIN" -m seqwrite -q 8 -b 131072 -n 1 -t "$WARM_SECS" "$u" >/dev/null 2>&1
done
for r in $(seq "$ROUNDS"); do
  say "round $r/$ROUNDS: durable writes: us through, us back, tgt O_SYNC"
  durable us "$US_URL" "$r"
  durable us-back "$US_BACK_URL" "$r"
  durable tgt-sync "$TGT_URL" "$r"
done
kill "$US_BACK_PID" 2>/dev/null; wait "$US_BACK_PID" 2>/dev/null; US_BACK_PID=
"$PEERS_DIR/stop-peers.sh" tgt >/dev/null 2>&1
"$PEERS_DIR/start-tgt.sh" >&2 || exit 1   # page cache again, as for every other tgt row


# our RSS (and tgt's, for reference) while RSS_SESSIONS sessions write and read 64 KiB blocks
RSS_TSV=$RAW/rss.tsv
echo -e "target\tsessions\tmax_rss_kib\tio_result" >"$RSS_TSV"
rss_case() {  # name pid url
  local max=0 res
  "$CAW_BIN" -m rw -n "$RSS_SESSIONS" -t "$RSS_SECS" "$3" >"$RAW/rss-$1.out" 2>>"$RAW/rss-$1.out" &
  local cpid=$!
  while kill -0 "$cpid" 2>/dev/null; do
    local v; v=$(awk '/^VmRSS/{print $2}' "/proc/$2/status" 2>/dev/null)
    [ -n "$v" ] && [ "$v" -gt "$max" ] && max=$v
    sleep 0.2
  done
  wait "$cpid"
  res=$(grep '^RESULT' "$RAW/rss-$1.out" | sed 's/^RESULT //')
  echo -e "$1\t$RSS_SESSIONS\t$max\t${res:-FAILED}" >>"$RSS_TSV"
}
say "RSS with $RSS_SESSIONS sessions doing I/O: us, tgt"
rss_case us "$US_PID" "$US_URL"
rss_case tgt "$(cat "$PEERS_WORK/tgt/tgtd.pid")" "$TGT_URL"
# again as plain `java -jar`: the JVM sizes its initial heap from the machine's RAM (1/64)
start_us plain || exit 1
"$CAW_BIN" -m rw -n 4 -t 2 "$US_URL" >/dev/null 2>&1
rss_case "us-plain-java" "$US_PID" "$US_URL"

# The cost of metrics (README "Metrics": at most 3 % fewer IOPS): 4 KiB random reads at qd32 on our
# target started without and with --metrics, side by side, alternating the order each round; each
# start is warmed up first (JIT); with metrics on, /metrics is scraped every METRICS_SCRAPE_SECS while
# measuring, as Prometheus would.
# Each start is measured METRICS_SAMPLES times in a row (the row is their mean): one 5 s sample per start
# swung by 25 % between two starts of the same build once the read path got cheaper.
METRICS_PORT=${METRICS_PORT:-9470}; METRICS_SCRAPE_SECS=${METRICS_SCRAPE_SECS:-5}; METRICS_SAMPLES=${METRICS_SAMPLES:-3}
METRICS_TSV=$RAW/metrics.tsv
echo -e "metrics\tround\tiops\tseconds\ttarget_cpu_s" >"$METRICS_TSV"
metrics_case() {  # on|off round
  local opts=() scraper= c0 c1 out iops
  [ "$1" = on ] && opts=(--metrics "$PEER_HOST:$METRICS_PORT")
  start_us script "${opts[@]}" || return 1
  timeout $((2 * WARM_SECS + 20)) iscsi-perf -m 32 -b 8 -r -t $((2 * WARM_SECS)) "$US_URL" >/dev/null 2>&1   # JIT warm
  if [ "$1" = on ]; then
    curl -fsS "http://$PEER_HOST:$METRICS_PORT/metrics" | grep -q '^vaai_target_commands_total' ||
      say "metrics row: /metrics on $PEER_HOST:$METRICS_PORT does not answer"
    ( while sleep "$METRICS_SCRAPE_SECS"; do curl -fsS "http://$PEER_HOST:$METRICS_PORT/metrics" >/dev/null || break; done ) &
    scraper=$!
  fi
  local k
  for k in $(seq "$METRICS_SAMPLES"); do
    c0=$(awk '{print $14+$15}' "/proc/$US_PID/stat")
    out=$(timeout -k 5 $((PERF_SECS + 30)) iscsi-perf -m 32 -b 8 -r -t "$PERF_SECS" "$US_URL" 2>&1 | tr '\r' '\n' |
          grep -E '^iops average' | tail -1)
    c1=$(awk '{print $14+$15}' "/proc/$US_PID/stat")
    iops=$(sed -n 's/^iops average \([0-9]*\) .*/\1/p' <<<"$out")
    echo -e "$1\t$2.$k\t${iops:-NA}\t$PERF_SECS\t$(awk -v a="$c0" -v b="$c1" -v t="$(getconf CLK_TCK)" 'BEGIN{printf "%.1f", (b-a)/t}')" \
      >>"$METRICS_TSV"
  done
  if [ -n "$scraper" ]; then kill "$scraper" 2>/dev/null; wait "$scraper" 2>/dev/null; fi
}
for r in $(seq "$ROUNDS"); do
  if [ $((r % 2)) = 1 ]; then order="off on"; else order="on off"; fi
  for m in $order; do
    say "round $r/$ROUNDS: 4 KiB random read qd32, metrics $m"
    metrics_case "$m" "$r"
  done
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# --- 6. the table
MACHINE="nproc=$(nproc); $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1); $(awk '/MemTotal/{printf "%.1f GiB RAM", $2/1048576}' /proc/meminfo); LUN files on $(findmnt -n -o FSTYPE --target "$PEERS_WORK" | tail -1)"
python3 "$REPO/bench/report.py" --raw "$RAW" --out "$OUT" --rounds "$ROUNDS" \
  --machine "$MACHINE" --load "start $LOAD_START, end $LOAD_END" \
  --settings "PERF_SECS=$PERF_SECS CAW_SECS=$CAW_SECS LAT_SECS=$LAT_SECS DURABLE_SECS=$DURABLE_SECS CAW_SESSIONS=$CAW_SESSIONS RSS_SESSIONS=$RSS_SESSIONS LIMITS_SECS=$LIMITS_SECS JAVA_OPTS='${JAVA_OPTS:-}'"
say "raw results in $RAW; table and chart in $OUT"

# The RBD rows (issue 18) only when a Ceph cluster is up (CEPH_CONF, e.g. ../shared/ceph/mini-ceph.sh start):
# a gateway against `rbd bench` on the same image, and COMPARE AND WRITE split over two gateways
# (bench/rbd.sh writes bench/results/rbd.md).
if [ -n "${CEPH_CONF:-}" ] && [ -f "$CEPH_CONF" ]; then
  say "RBD rows (CEPH_CONF=$CEPH_CONF): bench/rbd.sh"
  "$REPO/bench/rbd.sh" || say "bench/rbd.sh failed"
else
  say "no Ceph cluster (CEPH_CONF unset): RBD rows skipped (bench/rbd.sh)"
fi
