#!/usr/bin/env bash
# RBD rows (issue 18): what a gateway costs on top of librbd, and COMPARE AND WRITE through two gateways.
#   - 4 KiB random reads (qd8), 128 KiB sequential reads (qd8) and a 64 KiB random read/write mix
#     (8 sessions) through one gateway, against `rbd bench` with the same sizes and parallelism on the same image;
#   - COMPARE AND WRITE ops/s: caw-bench's counter with CAW_SESSIONS sessions on one gateway, then split
#     over two gateways (check=OK means no lost update, never two winners).
# usage: CEPH_CONF=/path/ceph.conf bench/rbd.sh   (a cluster from ../shared/ceph/mini-ceph.sh start; without one
#        it says so and exits 0). Needs the jar (mvn -DskipTests package), iscsi-perf, gcc + libiscsi-dev.
# env: SECS=10 per case; POOL=rbd; PORT1=3310 PORT2=3311; CAW_SESSIONS=8; BENCH_OUT=bench/results
# The gateways run with ownership: shared (both write; see README "RBD LUNs and several gateways").
# Never part of `mvn test` or CI: figures from a shared 2-core machine with a memstore OSD are noisy.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
SECS=${SECS:-10}
POOL=${POOL:-rbd}
PORT1=${PORT1:-3310}
PORT2=${PORT2:-3311}
CAW_SESSIONS=${CAW_SESSIONS:-8}
OUT=${BENCH_OUT:-$REPO/bench/results}
IQN=iqn.2026-11.org.vaaitarget:rbdbench
say() { echo "[rbd-bench $(date +%T)] $*" >&2; }

if [ -z "${CEPH_CONF:-}" ] || [ ! -r "$CEPH_CONF" ]; then
  say "no Ceph cluster (CEPH_CONF): start one with ../shared/ceph/mini-ceph.sh start; skipping the RBD rows"
  exit 0
fi
for t in rbd iscsi-perf gcc pkg-config; do
  command -v "$t" >/dev/null || { say "missing $t"; exit 1; }
done
[ -f "$REPO/target-server/target/iscsi-target.jar" ] || { say "build the jar first: mvn -DskipTests package"; exit 1; }

WORK=$(mktemp -d)
IMG=rbdbench-$$
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  rbd rm --no-progress "$POOL/$IMG" >/dev/null 2>&1
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

CAW_BIN=$WORK/caw-bench
gcc -O2 -o "$CAW_BIN" "$REPO/bench/caw-bench.c" $(pkg-config --cflags --libs libiscsi) -lpthread || exit 1

say "image $POOL/$IMG (1 GiB, layering), filled"
rbd create --size 1G --image-feature layering "$POOL/$IMG" || exit 1
rbd bench --io-type write --io-size 4M --io-pattern seq --io-total 1G "$POOL/$IMG" >/dev/null 2>&1

ROWS=()
row() { ROWS+=("| $1 | $2 | $3 |"); say "$1: $2 / $3"; }

# rbd bench: last line "elapsed: 10   ops: 65536   ops/sec: 6503.63   bytes/sec: 25.40 MiB/s"
rbdb() {  # type size pattern threads total [extra]
  rbd bench --io-type "$1" --io-size "$2" --io-pattern "$3" --io-threads "$4" --io-total "$5" ${6:-} \
    --rbd_cache=false "$POOL/$IMG" 2>&1 | awk '/ops\/sec:/ {for (i=1;i<=NF;i++) if ($i=="ops/sec:") v=$(i+1)} END {printf "%.0f", v}'
}

gateway() {  # id port -> starts it, echoes its pid
  local yaml=$WORK/gw$1.yaml
  cat >"$yaml" <<EOF
portals: ["127.0.0.1:$2"]
gateway: {id: $1}
admin: {socket: $WORK/gw$1.sock}   # two gateways on one machine: one admin socket each
targets:
  - iqn: $IQN
    luns:
      - rbd: {pool: $POOL, image: $IMG, conf: $CEPH_CONF, ownership: shared}
EOF
  "$REPO/bin/vaai-target" --config "$yaml" >"$WORK/gw$1.log" 2>&1 &
  local pid=$!
  for _ in $(seq 300); do grep -q "listening on" "$WORK/gw$1.log" && break; sleep 0.1; done
  grep -q "listening on" "$WORK/gw$1.log" || { say "gateway $1 did not start: $(tail -3 "$WORK/gw$1.log")"; exit 1; }
  echo "$pid"
}

perf() {  # qd blocks [-r]  -> iops
  timeout -k 5 $((SECS + 30)) iscsi-perf -m "$1" -b "$2" ${3:-} -t "$SECS" "iscsi://127.0.0.1:$PORT1/$IQN/0" 2>&1 \
    | tr '\r' '\n' | sed -n 's/^iops average \([0-9]*\) .*/\1/p' | tail -1
}

caw() {  # mode sessions urls... -> "ops_s check"
  local mode=$1 n=$2; shift 2
  "$CAW_BIN" -m "$mode" -n "$n" -t "$SECS" "$@" 2>>"$WORK/caw.err" | tee -a "$WORK/caw.out" \
    | sed -n 's/^RESULT .*ops_s=\([0-9]*\).* check=\([A-Z]*\).*/\1 \2/p' | tail -1
}

G1=$(gateway 1 "$PORT1"); PIDS+=("$G1")
URL1=iscsi://127.0.0.1:$PORT1/$IQN/0
perf 8 8 -r >/dev/null   # warm-up (JIT), not measured
row "4 KiB random read, qd8 (IOPS)" "$(perf 8 8 -r)" "$(rbdb read 4K rand 8 $((SECS * 20))M)"
row "128 KiB sequential read, qd8 (IOPS)" "$(perf 8 256)" "$(rbdb read 128K seq 8 $((SECS * 200))M)"
W4K=$("$CAW_BIN" -m randwrite -n 1 -q 8 -b 4096 -t "$SECS" "$URL1" 2>/dev/null | sed -n 's/^RESULT .* ops_s=\([0-9]*\).*/\1/p' | tail -1)
row "4 KiB random write, qd8 (IOPS)" "$W4K" "$(rbdb write 4K rand 8 $((SECS * 20))M)"
RW=$(caw rw 8 "$URL1")
row "64 KiB random write/read 50/50, 8 sessions (ops/s)" "${RW%% *}" \
  "$(rbdb readwrite 64K rand 8 $((SECS * 50))M "--rw-mix-read 50")"

G2=$(gateway 2 "$PORT2"); PIDS+=("$G2")
URL2=iscsi://127.0.0.1:$PORT2/$IQN/0
ONE=$(caw one "$CAW_SESSIONS" "$URL1")
TWO=$(caw one "$CAW_SESSIONS" "$URL1" "$URL2")
[ -n "$TWO" ] || say "caw-bench over two gateways gave no result: $(tail -3 "$WORK/caw.out" "$WORK/caw.err" 2>/dev/null | tr '\n' ' ')"
row "COMPARE AND WRITE, $CAW_SESSIONS sessions on one block (ops/s, check)" "one gateway: $ONE; split over two: $TWO" "-"

mkdir -p "$OUT"
{
  echo "RBD rows ($(date -u +%F), SECS=$SECS, memstore OSD on this machine; through the gateway | rbd bench on the same image):"
  echo
  echo "| case | through a gateway | rbd bench |"
  echo "| --- | --- | --- |"
  printf '%s\n' "${ROWS[@]}"
} | tee "$OUT/rbd.md"
