# Helpers shared by the conformance command files (busybox ash, sourced in the
# harness guest after guest/lib.sh).  Kept free of steps: sourcing it records
# nothing.

# wait_luns N [SECONDS]: wait until the logged-in session(s) show at least N
# disk LUNs (SCSI type 0) that each have a block device and an sg device; sets
# LUNS/DEV/SG/LUN/BLOCK_SIZE/NUM_BLOCKS like find_luns.  Run with --timeout 0
# when the caller needs the variables.
wait_luns() {
    local want=$1 wait=${2:-20} i=0 d n blk sg type
    while :; do
        n=0; LUNS=; DEV=; SG=; LUN=
        for d in /sys/class/iscsi_session/session*/device/target*/[0-9]*:*:*:*; do
            [ -d "$d" ] || continue
            type=$(cat "$d/type" 2>/dev/null)
            blk=$(ls "$d/block" 2>/dev/null | head -1)
            sg=$(ls "$d/scsi_generic" 2>/dev/null | head -1)
            LUNS="$LUNS ${d##*:}:$type:${blk:+/dev/$blk}:${sg:+/dev/$sg}"
            if [ "$type" = 0 ] && [ -n "$blk" ] && [ -e "/dev/$blk" ] && [ -n "$sg" ]; then
                n=$((n + 1))
                [ -n "$DEV" ] || { DEV=/dev/$blk; SG=/dev/$sg; LUN=${d##*:}; }
            fi
        done
        [ $n -ge "$want" ] && break
        [ $i -ge $((wait * 5)) ] && break
        i=$((i + 1)); usleep 200000
    done
    if [ -n "$DEV" ]; then
        BLOCK_SIZE=$(cat /sys/block/${DEV#/dev/}/queue/logical_block_size)
        NUM_BLOCKS=$(( $(cat /sys/block/${DEV#/dev/}/size) * 512 / BLOCK_SIZE ))
    fi
    export LUNS DEV SG LUN BLOCK_SIZE NUM_BLOCKS
    echo "disk LUNs with block+sg devices: $n (want $want); LUNs (lun:type:block:sg):$LUNS"
    [ $n -ge "$want" ]
}

# the sysfs name of the session to $TARGET_IQN (session1, ...), one per line
sessions_of_target() {
    local s
    for s in /sys/class/iscsi_session/session*; do
        [ -d "$s" ] || continue
        [ "$(cat "$s/targetname" 2>/dev/null)" = "$TARGET_IQN" ] && echo "${s##*/}"
    done
}

# no_session: PASS when no session to the target is left (iscsiadm exits 21 =
# "no objects found" when there is no session at all)
no_session() {
    local left
    left=$(sessions_of_target)
    iscsiadm -m session 2>&1
    [ -z "$left" ] || { echo "sessions still present: $left"; return 1; }
}

# wait_state SESSION STATE SECONDS: wait for /sys/class/iscsi_session/SESSION/state
wait_state() {
    local i=0 st
    while :; do
        st=$(cat "/sys/class/iscsi_session/$1/state" 2>/dev/null)
        [ "$st" = "$2" ] && { echo "$1: $st"; return 0; }
        [ $i -ge $(($3 * 5)) ] && { echo "$1: state '$st' after $3 s, expected $2"; return 1; }
        i=$((i + 1)); usleep 200000
    done
}

# sha256 of a file, nothing else
sha_of() { sha256sum "$1" | cut -d' ' -f1; }
