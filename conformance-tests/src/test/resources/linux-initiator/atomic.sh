# Boot "atomic-writes" (a Linux 6.11+ kernel): the kernel reads the atomic-write limits of VPD B0h, an
# RWF_ATOMIC write reaches the target as WRITE ATOMIC(16) and reads back whole.  Needs common.sh before it
# and the static helper as --file atomic-write.
# Env: ATOMIC_MAX_BYTES (what the target advertises: MAXIMUM ATOMIC TRANSFER LENGTH x block size)
# The kernel's view (6.12): atomic_write_max_bytes is what we advertise; the unit min is the physical block
# (4 KiB from READ CAPACITY(16)), the unit max a power of two within its own request limits.

Q=/sys/block/${DEV#/dev/}/queue
atomic_limits() {
    local f
    for f in atomic_write_unit_min_bytes atomic_write_unit_max_bytes atomic_write_max_bytes \
             atomic_write_boundary_bytes max_hw_sectors_kb logical_block_size physical_block_size; do
        printf '%s=%s\n' $f "$(cat $Q/$f 2>/dev/null)"
    done
    local min max hwmax
    min=$(cat $Q/atomic_write_unit_min_bytes 2>/dev/null)
    max=$(cat $Q/atomic_write_unit_max_bytes 2>/dev/null)
    hwmax=$(cat $Q/atomic_write_max_bytes 2>/dev/null)
    [ "$min" = "$(cat $Q/logical_block_size)" ] || [ "$min" = "$(cat $Q/physical_block_size)" ] \
        || { echo "CHECK FAILED: unit min $min is neither the logical nor the physical block size"; return 1; }
    [ -n "$max" ] && [ "$max" -gt 0 ] || { echo "CHECK FAILED: no atomic write unit (VPD B0h atomic fields not used)"; return 1; }
    # the kernel keeps a power of two within its own request limits: at most what we advertise
    [ $((max & (max - 1))) -eq 0 ] && [ "$max" -le "$ATOMIC_MAX_BYTES" ] \
        || { echo "CHECK FAILED: unit max $max is not a power of two up to the advertised $ATOMIC_MAX_BYTES"; return 1; }
    [ "$hwmax" = "$ATOMIC_MAX_BYTES" ] || { echo "CHECK FAILED: atomic_write_max_bytes $hwmax is not the advertised $ATOMIC_MAX_BYTES"; return 1; }
}
step atomic-limits atomic_limits

TRACE=/sys/kernel/tracing
atomic_write() {
    [ -d $TRACE/events ] || mount -t tracefs nodev $TRACE 2>/dev/null
    echo 1 > $TRACE/events/scsi/scsi_dispatch_cmd_start/enable || { echo "no scsi trace events"; return 1; }
    echo > $TRACE/trace
    local max
    max=$(cat $Q/atomic_write_unit_max_bytes)
    # one whole atomic unit at an offset aligned to it (RWF_ATOMIC wants natural alignment)
    "$FILES/atomic-write" "$DEV" $((max * 4)) "$max"
    local rc=$?
    echo 0 > $TRACE/events/scsi/scsi_dispatch_cmd_start/enable
    grep -E 'raw=9c ' $TRACE/trace | head -3 > /tmp/atomic-trace.txt
    cat /tmp/atomic-trace.txt
    [ $rc -eq 0 ] || return 1
    [ -s /tmp/atomic-trace.txt ] || { echo "CHECK FAILED: no WRITE ATOMIC(16) (9Ch) CDB in the scsi trace"; return 1; }
}
step atomic-write-rwf-atomic atomic_write
