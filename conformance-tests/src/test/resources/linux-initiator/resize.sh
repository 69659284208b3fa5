# Boot "resize": live changes seen by the Linux kernel initiator.  The guest
# asks the host for admin commands with the note "ctl: ARGS", which
# ctl-supervisor.sh (the target command of this boot) runs as
# `bin/vaai-target ctl ARGS`, in order: first `sessions --json` (the JUnit
# suite checks this session is listed under the guest's initiator name), then
# `resize` of the first disk LUN.  The kernel must see the new size after
# `echo 1 > .../device/rescan`, and the new blocks must be usable.
# Needs common.sh before it.  Env: RESIZE_TO_MIB (default 96; the LUNs start
# at 64 MiB).
NEW_MIB=${RESIZE_TO_MIB:-96}

note "ctl: sessions --json"
resize_seen_after_rescan() {
    local before now i=0 want=$((NEW_MIB * 1048576))
    before=$(blockdev --getsize64 "$DEV")
    note "ctl: resize $TARGET_IQN $LUN ${NEW_MIB}M"
    while :; do
        echo 1 > "/sys/block/${DEV#/dev/}/device/rescan"
        now=$(blockdev --getsize64 "$DEV")
        [ "$now" = "$want" ] && break
        [ $i -ge 90 ] && { echo "size still $now bytes after $i rescans (want $want)"; return 1; }
        i=$((i + 1)); sleep 1
    done
    echo "$DEV: $before -> $now bytes after $((i + 1)) rescan(s)"
}
step --timeout 150 resize-seen-after-rescan resize_seen_after_rescan
capacity_change_reported() {
    # the kernel logs the CAPACITY DATA HAS CHANGED unit attention (2Ah/09h) it got
    dmesg | grep -i 'capacity data has changed'
}
step resize-capacity-ua-reported capacity_change_reported
BLOCK_SIZE=$(cat /sys/block/${DEV#/dev/}/queue/logical_block_size)
step resize-new-blocks-usable dd_readback "$DEV" $(( (NEW_MIB - 1) * 1048576 / BLOCK_SIZE )) 1
