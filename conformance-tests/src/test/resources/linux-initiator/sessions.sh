# Boot "sessions": login / LUN scan / logout with open-iscsi's default
# settings, repeated logins, a forced relogin of an active session (the target
# must reinstate it), a second session from a second iface record with the
# same initiator name, and CRC32C header + data digests.
# Run with --no-login (this file drives the sessions); discovery is the
# harness's own fatal step.  Needs common.sh before it.
# Env: EXPECT_LUNS (default 3), CYCLES (default 3).
EXPECT_LUNS=${EXPECT_LUNS:-3}
CYCLES=${CYCLES:-3}
NODE="-T $TARGET_IQN -p $PORTAL"

# --- 1. first login with defaults, LUN scan of all LUNs, logout
must login iscsi_login
must --timeout 0 lun-scan wait_luns "$EXPECT_LUNS" 30

luns_answer() {
    # every disk LUN answers TEST UNIT READY (a first Unit Attention is
    # allowed) and READ CAPACITY(16), and has its own NAA designator in VPD 83h
    local e lun sg naa all= rc=0
    for e in $LUNS; do
        lun=${e%%:*}; sg=${e##*:}
        case "$e" in *:0:*:/dev/*) ;; *) echo "LUN $lun is not a disk with an sg device: $e"; continue;; esac
        sg_turs "$sg" || sg_turs "$sg" || { echo "LUN $lun: TEST UNIT READY failed"; rc=1; }
        sg_readcap -l "$sg" | grep -q 'Logical block length=' || { echo "LUN $lun: no READ CAPACITY(16)"; rc=1; }
        naa=$(sg_vpd -p di "$sg" | grep -i -A1 'designator type: NAA' | tail -1 | tr -d ' ')
        echo "LUN $lun $sg NAA: ${naa:-none}"
        [ -n "$naa" ] || { echo "LUN $lun: no NAA designator"; rc=1; }
        case " $all " in *" $naa "*) echo "LUN $lun: NAA $naa is not unique"; rc=1;; esac
        all="$all $naa"
    done
    return $rc
}
step lun-identities     luns_answer
lun_numbers() {
    # the LUN numbers are 0..EXPECT_LUNS-1 (REPORT LUNS, as the kernel scanned them)
    local want= got i=0
    while [ $i -lt "$EXPECT_LUNS" ]; do want="$want $i"; i=$((i + 1)); done
    got=$(for e in $LUNS; do echo "${e%%:*}"; done | sort -n | tr '\n' ' ')
    sg_luns "$SG"
    echo "LUN numbers: $got, expected:$want"
    [ " ${got% }" = "$want" ]
}
step lun-numbers        lun_numbers
step session-params     iscsiadm -m session -P 2
step logout             iscsi_logout
step logout-no-session  no_session

# --- 2. login and logout repeated
relogin_cycles() {
    local i=1
    while [ $i -le "$CYCLES" ]; do
        echo "--- cycle $i"
        iscsiadm -m node $NODE --login || { echo "login $i failed"; return 1; }
        wait_luns "$EXPECT_LUNS" 30 || return 1
        dd if="$DEV" of=/dev/null bs=4096 count=16 iflag=direct 2>/dev/null || { echo "read $i failed"; return 1; }
        iscsiadm -m node $NODE --logout || { echo "logout $i failed"; return 1; }
        no_session >/dev/null || { echo "session left after logout $i"; return 1; }
        i=$((i + 1))
    done
}
step login-logout-cycles relogin_cycles

# --- 3. forced relogin while the session is active: traffic to the target is
# dropped (blackhole route) until the initiator declares the connection dead
# (NOP-Out timeout), then allowed again.  The target never saw the old TCP
# connection close (QEMU's slirp keeps it open), so the relogin with the same
# initiator name and ISID finds the old session still there: the target must
# reinstate it (RFC 7143 6.3.5 / 5.3.5 session reinstatement) and the recovered
# session must carry I/O.
iscsiadm -m node $NODE -o update -n 'node.conn[0].timeo.noop_out_interval' -v 2
iscsiadm -m node $NODE -o update -n 'node.conn[0].timeo.noop_out_timeout' -v 2
step login-for-relogin  iscsiadm -m node $NODE --login
forced_relogin() {
    local s before
    s=$(sessions_of_target | head -1)
    [ -n "$s" ] || { echo "no session"; return 1; }
    wait_luns "$EXPECT_LUNS" 30 >/dev/null || return 1
    pattern 0x6b $((8 * BLOCK_SIZE)) > /tmp/relogin.bin
    write_blocks "$DEV" 4096 /tmp/relogin.bin || { echo "write before relogin failed"; return 1; }
    before=$(dmesg | grep -c 'detected conn error')
    ip route add blackhole "$HOST_IP/32" || { echo "cannot add a blackhole route"; return 1; }
    echo "dropping traffic to $HOST_IP until $s fails"
    if ! wait_state "$s" FAILED 30; then ip route del blackhole "$HOST_IP/32"; return 1; fi
    ip route del blackhole "$HOST_IP/32"
    wait_state "$s" LOGGED_IN 60 || return 1
    dmesg | grep -E 'conn error|iscsi' | tail -5
    [ "$(dmesg | grep -c 'detected conn error')" -gt "$before" ] || { echo "no connection error was seen"; return 1; }
    expect_blocks "$DEV" 4096 /tmp/relogin.bin || return 1
    pattern 0x6c $((8 * BLOCK_SIZE)) > /tmp/relogin2.bin
    write_blocks "$DEV" 4104 /tmp/relogin2.bin && expect_blocks "$DEV" 4104 /tmp/relogin2.bin
}
step forced-relogin     forced_relogin

# --- 4. a second session from a second iface record, same initiator name, while
# the first one is active: both must stay logged in and carry I/O.
second_session() {
    local n
    iscsiadm -m iface -I li2 -o new >/dev/null || return 1
    iscsiadm -m node $NODE -I li2 -o new >/dev/null || return 1
    iscsiadm -m node $NODE -I li2 --login || return 1
    wait_luns $((2 * EXPECT_LUNS)) 30 || return 1
    sleep 3
    n=0
    for s in $(sessions_of_target); do
        echo "$s: $(cat /sys/class/iscsi_session/$s/state)"
        [ "$(cat /sys/class/iscsi_session/$s/state)" = LOGGED_IN ] && n=$((n + 1))
    done
    [ $n = 2 ] || { echo "$n sessions logged in, expected 2"; return 1; }
    iscsiadm -m session -P 1 | grep -E 'Target:|Iface Name|Iface Initiatorname|SID|Session State'
    for e in $LUNS; do
        d=${e#*:*:}; d=${d%%:*}
        [ -n "$d" ] && { dd if="$d" of=/dev/null bs=4096 count=4 iflag=direct 2>/dev/null || { echo "read $d failed"; return 1; }; }
    done
    dmesg | grep -c 'detected conn error'
}
step second-session     second_session
step logout-all         iscsiadm -m node $NODE --logout
iscsiadm -m node $NODE -I li2 -o delete >/dev/null 2>&1
iscsiadm -m iface -I li2 -o delete >/dev/null 2>&1
step logout-all-no-session no_session

# --- 5. CRC32C header and data digests
iscsiadm -m node -o delete >/dev/null 2>&1
iscsiadm -m node $NODE -o new >/dev/null
iscsiadm -m node $NODE -o update -n 'node.conn[0].iscsi.HeaderDigest' -v CRC32C
iscsiadm -m node $NODE -o update -n 'node.conn[0].iscsi.DataDigest' -v CRC32C
step digest-login       iscsiadm -m node $NODE --login
step --timeout 0 digest-lun-scan wait_luns "$EXPECT_LUNS" 30
digests_negotiated() {
    local p
    p=$(iscsiadm -m session -P 2)
    echo "$p" | grep -E 'HeaderDigest|DataDigest'
    echo "$p" | grep -q 'HeaderDigest: CRC32C' && echo "$p" | grep -q 'DataDigest: CRC32C'
}
step digest-negotiated  digests_negotiated
step digest-inquiry     sg_inq "$SG"
step digest-dd-4MiB     dd_readback "$DEV" 8192 4
step digest-logout      iscsiadm -m node $NODE --logout
