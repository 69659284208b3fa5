#!/usr/bin/env bash
# The project's test command: builds everything and runs every test, including the end-to-end
# conformance tests (libiscsi's iscsi-test-cu, iscsi-inq/-ls/-readcapacity16, jSCSI) and the Debian
# package (built, installed with dpkg -i, started as its systemd unit would, removed).
#
# As root on Debian/Ubuntu it first installs what is missing (JDK 17, Maven, libiscsi-bin, and QEMU,
# open-iscsi, sg3-utils, busybox-static, e2fsprogs for the Linux-initiator suite), running
# `apt-get update` once only when something must be installed. Otherwise it only says what is missing:
# without libiscsi-bin the external-tool tests are skipped, or fail when CI=true.
# Extra arguments go to Maven, e.g. ./test.sh -pl conformance-tests -am -Dconformance.families=Read10
set -euo pipefail
cd "$(dirname "$0")"

missing=()
command -v javac >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v iscsi-test-cu >/dev/null 2>&1 || missing+=(libiscsi-bin)
# The Linux kernel initiator suite (conformance-tests, ../shared/linux-initiator): a QEMU guest with
# open-iscsi and sg3_utils; its first run downloads Debian's cloud kernel package once.
command -v qemu-system-x86_64 >/dev/null 2>&1 || missing+=(qemu-system-x86)
command -v iscsiadm >/dev/null 2>&1 || missing+=(open-iscsi)
command -v sg_inq >/dev/null 2>&1 || missing+=(sg3-utils)
dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
command -v mkfs.ext4 >/dev/null 2>&1 || missing+=(e2fsprogs)
# The ATS race test builds bench/caw-bench.c (a libiscsi client) with gcc.
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
dpkg -s libiscsi-dev >/dev/null 2>&1 || missing+=(libiscsi-dev)
# The Debian package test (conformance-tests DebianPackageTest) builds the .deb with dpkg-deb (package dpkg).
command -v dpkg-deb >/dev/null 2>&1 || missing+=(dpkg)
# The out-of-space test (RealFileSystemErrorsTest) builds a de_DE locale with localedef.
{ command -v localedef >/dev/null 2>&1 && [ -f /usr/share/i18n/locales/de_DE ]; } || missing+=(locales)
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "test.sh: missing ${missing[*]}: install with: sudo apt-get install -y ${missing[*]}" >&2
    command -v mvn >/dev/null 2>&1 || exit 1
  fi
fi

# RBD LUNs (issue 18): a throw-away Ceph cluster (../shared/ceph/mini-ceph.sh: one mon, one memstore OSD on
# 127.0.0.1, about 10 s) unless CEPH_CONF already names one. Installed as root (`mini-ceph.sh install`),
# stopped at exit by the PIDs it started. Without it the RBD tests are skipped (or fail when CI=true).
ceph_dir=
mini_ceph=../shared/ceph/mini-ceph.sh
if [ -z "${CEPH_CONF:-}" ] && [ -x "$mini_ceph" ]; then
  [ "$(id -u)" = 0 ] && "$mini_ceph" install
  if command -v ceph-mon >/dev/null 2>&1; then
    ceph_dir=$(mktemp -d)
    if CEPH_DIR=$ceph_dir "$mini_ceph" start >"$ceph_dir/start.log" 2>&1; then
      export CEPH_CONF=$ceph_dir/ceph.conf
    else
      echo "test.sh: could not start the Ceph cluster for the RBD tests ($ceph_dir/start.log)" >&2
    fi
  fi
fi

log=$(mktemp)
trap 'rm -f "$log"; if [ -n "$ceph_dir" ]; then CEPH_DIR=$ceph_dir "$mini_ceph" stop >/dev/null; rm -rf "$ceph_dir"; fi' EXIT
set +e
# verify, not test: Maven builds a module's jars in its package phase, after its tests, so with `mvn test`
# the runnable jar (target-server/target/iscsi-target.jar) would not exist when conformance-tests runs;
# its DebianPackageTest packages, installs (dpkg -i, as root) and starts that jar.
mvn -B -ntp verify "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# End with Surefire's summary lines (one per module that ran tests), so the last lines say it all.
echo
echo "Test summary (Surefire, per module):"
grep -E '^\[(INFO|WARNING|ERROR)\] Tests run: [0-9]+, Failures: [0-9]+, Errors: [0-9]+, Skipped: [0-9]+$' "$log" \
  | sed -E 's/^\[[A-Z]+\] //' || echo "no tests ran (build failed before Surefire?)"
# Netty's paranoid leak detector (enabled for every test JVM in the parent pom) reports a leaked
# buffer as an ERROR line starting with "LEAK:"; any such line fails the run.
if grep -q 'LEAK: ' "$log"; then
  echo "test.sh: Netty reported leaked buffers (lines with 'LEAK:' above): failing the run" >&2
  grep -n 'LEAK: ' "$log" | head -5 >&2
  [ "$status" = 0 ] && status=1
fi
exit "$status"
