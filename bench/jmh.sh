#!/usr/bin/env bash
# JMH micro-benchmarks of the hot paths: range locks, PDU codec, CDB dispatch (bench/jmh).
# Builds them through the root pom's `jmh` profile (never part of the normal build or `mvn test`)
# and runs them briefly: 1 fork, 3 warm-up iterations of 2 s (the codec paths need several seconds
# of JIT warm-up on a loaded machine) and 3 measured iterations of 1 s.
# On a shared 2-core machine the figures are noisy (expect +-20 %): compare runs made back to back.
# usage: bench/jmh.sh [JMH args...]   e.g. bench/jmh.sh RangeLock     or    bench/jmh.sh -h
# Results: bench/results/jmh.txt (human) and bench/results/jmh.json when run without arguments.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
mvn -q -B -Pjmh -pl bench/jmh -am -DskipTests package
JAR=bench/jmh/target/benchmarks.jar
if [ $# -gt 0 ]; then
  exec java -jar "$JAR" "$@"
fi
mkdir -p bench/results
echo "# $(date -u +%FT%TZ) nproc=$(nproc) load=$(cut -d' ' -f1-3 /proc/loadavg)" | tee bench/results/jmh.txt
java -jar "$JAR" -f 1 -wi 3 -w 2s -i 3 -r 1s -rf json -rff bench/results/jmh.json 2>&1 | tee -a bench/results/jmh.txt
