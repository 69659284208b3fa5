# Boot "fault": the target is killed (SIGKILL) in the middle of writes and
# restarted on the same files by fault-supervisor.sh (the target command of
# this boot).  The initiator must reconnect by itself (same session, no
# command from us) and every write that completed (O_DIRECT + fsync, so
# WRITE + SYNCHRONIZE CACHE) must be on the medium afterwards.
# Needs common.sh before it.  Env: FAULT_CHUNKS (default 40), FAULT_KILL_AFTER
# (chunks completed before the kill request, default 8).
CHUNKS=${FAULT_CHUNKS:-40}
KILL_AFTER=${FAULT_KILL_AFTER:-8}
CHUNK=262144
BASE_LBA=32768
CB=$((CHUNK / BLOCK_SIZE))

# chunk I's content: a header naming it + a slice of one random source
dd if=/dev/urandom of=/tmp/fault-src.bin bs=$CHUNK count=1 2>/dev/null
make_chunk() {
    { printf 'chunk %08d of this fault run.' "$1"; dd if=/tmp/fault-src.bin bs=$CHUNK count=1 2>/dev/null; } \
        | head -c $CHUNK > "$2"
}
writer() {
    local i=0
    while [ $i -lt "$CHUNKS" ]; do
        make_chunk $i /tmp/fault-w.bin
        dd if=/tmp/fault-w.bin of="$DEV" bs=$CHUNK count=1 seek=$(((BASE_LBA + i * CB) * BLOCK_SIZE)) \
            oflag=direct,seek_bytes conv=notrunc,fsync 2>/tmp/fault-dd.err \
            || { echo "write of chunk $i failed: $(cat /tmp/fault-dd.err)"; echo "$i" > /tmp/fault-failed; return 1; }
        echo "$i" >> /tmp/fault-done
        i=$((i + 1))
    done
}
SESSION=$(sessions_of_target | head -1)
ERRORS_BEFORE=$(dmesg | grep -c 'detected conn error')
rm -f /tmp/fault-done /tmp/fault-failed; : > /tmp/fault-done

fault_kill_during_writes() {
    local i=0 done_at
    writer > /tmp/fault-writer.log 2>&1 &
    WRITER=$!
    while [ "$(wc -l < /tmp/fault-done)" -lt "$KILL_AFTER" ]; do
        kill -0 $WRITER 2>/dev/null || { cat /tmp/fault-writer.log; echo "writer stopped early"; return 1; }
        [ $i -ge 600 ] && { echo "writer made no progress"; return 1; }
        i=$((i + 1)); usleep 100000
    done
    done_at=$(wc -l < /tmp/fault-done)
    note "fault: kill-target 1 (after $done_at of $CHUNKS chunks)"
    echo "kill requested after $done_at chunks; waiting for the writer"
    wait $WRITER; local rc=$?
    cat /tmp/fault-writer.log
    echo "writer finished with status $rc, $(wc -l < /tmp/fault-done) of $CHUNKS chunks written"
    [ $rc = 0 ] && [ "$(wc -l < /tmp/fault-done)" = "$CHUNKS" ] && [ "$done_at" -lt "$CHUNKS" ]
}
step --timeout 200 fault-writes-survive-kill fault_kill_during_writes
fault_reconnected() {
    # the kernel saw the connection die and the same session is logged in again
    dmesg | grep -E 'connection[0-9]+:0|session recovery' | tail -6
    [ "$(dmesg | grep -c 'detected conn error')" -gt "$ERRORS_BEFORE" ] \
        || { echo "no connection error was seen: the target was not killed?"; return 1; }
    [ "$(sessions_of_target | head -1)" = "$SESSION" ] || { echo "session $SESSION is gone"; return 1; }
    wait_state "$SESSION" LOGGED_IN 60
}
step fault-session-recovered fault_reconnected
fault_verify() {
    local i bad=0 n
    n=$(wc -l < /tmp/fault-done)
    for i in $(cat /tmp/fault-done); do
        make_chunk "$i" /tmp/fault-x.bin
        dd if="$DEV" of=/tmp/fault-r.bin bs=$CHUNK count=1 skip=$(((BASE_LBA + i * CB) * BLOCK_SIZE)) \
            iflag=direct,skip_bytes 2>/dev/null || { echo "read of chunk $i failed"; bad=$((bad + 1)); continue; }
        cmp -s /tmp/fault-x.bin /tmp/fault-r.bin || { echo "chunk $i differs:"; head -c 64 /tmp/fault-r.bin | xxd; bad=$((bad + 1)); }
    done
    echo "$n completed chunks checked, $bad wrong"
    [ $bad = 0 ] && [ "$n" -gt 0 ]
}
step fault-completed-writes-intact fault_verify
# after the restart the target still works for new I/O (and CAW-free basics)
step fault-after-restart-readback dd_readback "$DEV" $((BASE_LBA + CHUNKS * CB)) 1
step fault-after-restart-inquiry  sg_inq "$SG"
