#!/usr/bin/env bash
# Target supervisor for the resize boot, used as the harness's --target-cmd.
# Starts the target command (TARGET, with bash -c in its own process group)
# and runs the admin commands the guest asks for: each note "ctl: ARGS" on the
# harness channel (harness.log in $LI_RUN_DIR) runs `CTL ARGS` once, in order,
# with its output in $LI_RUN_DIR/ctl-N.out and a line
# "supervisor: ctl N ARGS: exit STATUS" in target.log.  If the target exits by
# itself, the supervisor exits 1 (and the harness fails the run).
#   usage: ctl-supervisor.sh 'TARGET COMMAND' 'CTL COMMAND'
set -uo pipefail
TARGET=$1
CTL=$2
MARKERS=${LI_RUN_DIR:?}/harness.log
. "$(dirname "$0")/supervisor-lib.sh"

start_target
handled=0
while :; do
    mapfile -t requests < <(grep '^@@NOTE ctl: ' "$MARKERS" 2>/dev/null)
    while [ "${#requests[@]}" -gt "$handled" ]; do
        args=${requests[$handled]#@@NOTE ctl: }
        args=${args% t=*}    # the harness appends the guest's clock
        handled=$((handled + 1))
        bash -c "$CTL $args" > "$LI_RUN_DIR/ctl-$handled.out" 2>&1
        say "ctl $handled $args: exit $?"
    done
    if ! kill -0 "$child" 2>/dev/null; then
        wait "$child"
        say "target exited by itself (status $?)"
        exit 1
    fi
    sleep 0.2
done
