#!/usr/bin/env bash
# Target supervisor for the fault boot, used as the harness's --target-cmd.
# Starts the real target command (TARGET, run with bash -c in its own process
# group) and stays in the foreground.  The guest asks for a crash by printing
# the note "fault: kill-target N" on the harness channel (harness.log in
# $LI_RUN_DIR); for each new request the supervisor SIGKILLs the target's
# process group, waits until the port is closed, waits FAULT_DOWN_SECS
# (default 2) and starts the same command again: same files, same port.
# Lines starting "supervisor:" in target.log say what happened (the JUnit
# suite checks them).  If the target exits by itself, the supervisor exits 1
# (and the harness fails the run).
#   usage: fault-supervisor.sh 'TARGET COMMAND'
set -uo pipefail
TARGET=$1
PORT=${LI_TARGET_PORT:?}
MARKERS=${LI_RUN_DIR:?}/harness.log
DOWN=${FAULT_DOWN_SECS:-2}
. "$(dirname "$0")/supervisor-lib.sh"
listening() {
    local hex
    hex=$(printf ':%04X' "$PORT")
    awk -v h="$hex" '$4 == "0A" && substr($2, length($2) - 4) == h { f = 1 } END { exit !f }' \
        /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

start_target
handled=0
while :; do
    requests=$(grep -c '^@@NOTE fault: kill-target' "$MARKERS" 2>/dev/null)
    if [ "${requests:-0}" -gt "$handled" ]; then
        handled=$((handled + 1))
        kill -KILL -- "-$child"
        wait "$child" 2>/dev/null
        say "kill request $handled: target pid $child killed with SIGKILL (status $?)"
        for _ in $(seq 50); do listening || break; sleep 0.1; done
        if listening; then say "port $PORT still listening after the kill"; fi
        sleep "$DOWN"
        start_target
        for _ in $(seq 600); do listening && break; kill -0 "$child" 2>/dev/null || break; sleep 0.1; done
        if listening; then
            say "target restarted after kill request $handled, listening on $PORT again"
        else
            say "target did not listen again after kill request $handled"
        fi
    fi
    if ! kill -0 "$child" 2>/dev/null; then
        wait "$child"; rc=$?
        say "target pid $child exited by itself (status $rc)"
        exit 1
    fi
    sleep 0.1
done
