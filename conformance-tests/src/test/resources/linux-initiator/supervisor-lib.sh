# Shared by the target supervisors (fault-supervisor.sh, ctl-supervisor.sh):
# start the target command $TARGET in its own process group, and stop it (the
# whole group) when the harness stops the supervisor.  Sourced with TARGET set.
child=

say() { echo "supervisor: $*"; }
start_target() {
    setsid bash -c "$TARGET" &
    child=$!
    say "started target pid $child"
}
stop_target() {
    [ -n "$child" ] || exit 0
    kill -TERM -- "-$child" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$child" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$child" 2>/dev/null
    wait "$child" 2>/dev/null
    exit 0
}
trap stop_target TERM INT HUP
