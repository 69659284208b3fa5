# Boot "scsi-and-block", part 1: sg3_utils against the first disk LUN ($SG /
# $DEV, found by the harness's login + lun-scan), each with a check of the
# output that matters.  Needs common.sh before it.
# Env: WRITE_CACHE (back|through, what the target was started with; default back)
#      EXPECT_LUNS (default 3)

# run a command, keep its output in /tmp/out.txt and print it
run_out() { "$@" > /tmp/out.txt 2>&1; local rc=$?; cat /tmp/out.txt; return $rc; }
# has REGEX: the last output matches the extended regex
has() { grep -Eq "$1" /tmp/out.txt || { echo "CHECK FAILED: no line matches /$1/"; return 1; }; }

std_inquiry() {
    run_out sg_inq "$SG" || return 1
    has 'PDT=0 ' && has 'Vendor identification: *[^ ]' && has 'Product identification: *[^ ]'
}
step inquiry-standard   std_inquiry
vpd_supported() {
    # VPD 00h lists the pages the suite reads below
    run_out sg_vpd -p sv "$SG" || return 1
    # sg_vpd names them by acronym: 00h [sv], 80h [sn], 83h [di], B0h [bl],
    # B1h [bdc], B2h [lbpv]
    local p rc=0
    for p in sv sn di bl bdc lbpv; do
        grep -q "\[$p\]" /tmp/out.txt || { echo "CHECK FAILED: page [$p] not in the Supported VPD pages"; rc=1; }
    done
    return $rc
}
step inquiry-vpd-00     vpd_supported
vpd_serial() { run_out sg_inq -p 0x80 "$SG" || return 1; has 'Unit serial number: *[^ ]'; }
step inquiry-vpd-80     vpd_serial
vpd_devid() {
    # an NAA designator (LU name, what ESXi and multipath key on)
    run_out sg_vpd -p di "$SG" || return 1
    awk '/^  [A-Za-z].*:$/ { sect = $0 }
         /designator type: NAA/ && sect ~ /Addressed logical unit/ { f = 1 }
         END { exit !f }' /tmp/out.txt \
        || { echo "CHECK FAILED: no NAA designator for the addressed logical unit"; return 1; }
}
step inquiry-vpd-83     vpd_devid
vpd_block_limits() {
    local caw
    run_out sg_vpd -p bl "$SG" || return 1
    caw=$(sed -n 's/.*Maximum compare and write length: *\([0-9]*\) blocks.*/\1/p' /tmp/out.txt)
    echo "MAXIMUM COMPARE AND WRITE LENGTH: ${caw:-missing}"
    [ -n "$caw" ] && [ "$caw" -gt 0 ] || { echo "CHECK FAILED: MAXIMUM COMPARE AND WRITE LENGTH must be > 0"; return 1; }
    has 'Maximum transfer length: *[0-9]'
}
step inquiry-vpd-b0     vpd_block_limits
vpd_bdc() {
    # the page decodes, with its MEDIUM ROTATION RATE field (sg_vpd: "Nominal
    # rotation rate: N rpm", "Non-rotating medium" or "... not reported")
    run_out sg_vpd -p bdc "$SG" || return 1
    has '[Rr]otation rate|Non-rotating medium'
}
step inquiry-vpd-b1     vpd_bdc
vpd_lbp() { run_out sg_vpd -p lbpv "$SG" || return 1; has 'LBPU'; }
step inquiry-vpd-b2     vpd_lbp

read_capacity() {
    local len last
    run_out sg_readcap -l "$SG" || return 1
    len=$(sed -n 's/.*Logical block length=\([0-9]*\) bytes.*/\1/p' /tmp/out.txt)
    last=$(sed -n 's/.*Last LBA=\([0-9]*\).*/\1/p' /tmp/out.txt)
    echo "block length $len (kernel: $BLOCK_SIZE), last LBA $last (kernel: $((NUM_BLOCKS - 1)))"
    [ "$len" = "$BLOCK_SIZE" ] && [ "$last" = $((NUM_BLOCKS - 1)) ]
}
step read-capacity-16   read_capacity
report_luns() {
    local n
    run_out sg_luns "$SG" || return 1
    n=$(grep -cE '^ +[0-9a-f]{16}' /tmp/out.txt)
    echo "LUNs reported: $n, expected ${EXPECT_LUNS:-3}"
    [ "$n" = "${EXPECT_LUNS:-3}" ]
}
step report-luns        report_luns
step test-unit-ready    sg_turs -v "$SG"
opcodes() {
    # REPORT SUPPORTED OPERATION CODES: the VAAI-relevant ones are listed
    run_out sg_opcodes "$SG" || return 1
    has '^ *28 ' && has '^ *2a ' && has '^ *89 ' && has '^ *35 '
}
step report-opcodes     opcodes
mode_sense() {
    run_out sg_modes -a "$SG" || return 1
    has '[Cc]aching'
}
step mode-sense-all     mode_sense
cache_type() {
    # the kernel's reading of the Caching mode page's WCE bit
    local want got
    [ "${WRITE_CACHE:-back}" = back ] && want="write back" || want="write through"
    got=$(cat /sys/class/scsi_disk/*/cache_type 2>/dev/null | head -1)
    cat /sys/class/scsi_disk/*/cache_type
    echo "cache_type: '$got', expected '$want'"
    [ "$got" = "$want" ]
}
step mode-caching-wce   cache_type
step synchronize-cache  sg_sync -v "$SG"

# COMPARE AND WRITE: the harness's caw.sh (success, data, miscompare exit 14,
# data unchanged, sense INFORMATION = offset of the first differing byte, raw)
. /harness/commands.d/caw.sh

# ---- thin provisioning, reservations and copy offload (VAAI).  Every range
# below is 1 MiB aligned and 128 KiB long, inside [4 MiB, 19 MiB) of the first
# LUN (blockdev.sh later reformats the whole LUN); the LUN files start sparse.
MIB_BLOCKS=$((1048576 / BLOCK_SIZE))
RANGE=$((131072 / BLOCK_SIZE))
region() { echo $(( (4 + $1) * MIB_BLOCKS )); }

# repeat_file IN N OUT: OUT = IN repeated N times (N a power of two)
repeat_file() {
    local n=$2
    cp "$1" "$3"
    while [ "$n" -gt 1 ]; do cat "$3" "$3" > "$3.tmp" && mv "$3.tmp" "$3"; n=$((n / 2)); done
}
random_blocks() { dd if=/dev/urandom of="$2" bs="$BLOCK_SIZE" count="$1" 2>/dev/null; }
pattern 0 $((RANGE * BLOCK_SIZE)) > /tmp/zeros-range.bin
pattern 0 "$BLOCK_SIZE" > /tmp/zero-block.bin

# lba_status LBA [N]: the first N (default 1) GET LBA STATUS descriptors from
# LBA, one "lba blocks status" line each (decimal; status 0 = mapped,
# 1 = deallocated), into /tmp/lbas.txt
lba_status() {
    local n=${2:-1}
    sg_get_lba_status --brief --lba="$1" --maxlen=$((8 + 16 * n)) "$SG" > /tmp/lbas.raw 2>&1 \
        || { cat /tmp/lbas.raw; return 1; }
    local l n st rest
    while read -r l n st rest; do
        case "$l" in 0x*) echo "$((l)) $((n)) $st";; esac
    done < /tmp/lbas.raw > /tmp/lbas.txt
    echo "GET LBA STATUS from $1:"; cat /tmp/lbas.raw
}
# expect_extent LINE LBA MIN_BLOCKS STATUS: descriptor LINE (1-based) of the
# last lba_status starts at LBA, covers at least MIN_BLOCKS and has STATUS
expect_extent() {
    local got l n st
    got=$(sed -n "${1}p" /tmp/lbas.txt)
    read -r l n st <<EOF
$got
EOF
    if [ "$l" = "$2" ] && [ "${n:-0}" -ge "$3" ] && [ "$st" = "$4" ]; then return 0; fi
    echo "CHECK FAILED: descriptor $1 is '$got', expected LBA $2, >= $3 blocks, status $4"
    return 1
}
# write_mapped LBA: write random data over the range at LBA and check that
# GET LBA STATUS reports it mapped (the precondition of every deallocation step)
write_mapped() {
    random_blocks "$RANGE" /tmp/range-data.bin
    write_blocks "$DEV" "$1" /tmp/range-data.bin || { echo "write failed"; return 1; }
    lba_status "$1" && expect_extent 1 "$1" "$RANGE" 0
}
# deallocated_zeros LBA: the range reads back as zeros (LBPRZ=1) and GET LBA
# STATUS reports it deallocated
deallocated_zeros() {
    expect_blocks "$DEV" "$1" /tmp/zeros-range.bin || return 1
    lba_status "$1" && expect_extent 1 "$1" "$RANGE" 1
}

lbp_flags() {
    # Logical Block Provisioning VPD: UNMAP, WRITE SAME(16)/(10) with UNMAP, reads of unmapped blocks = 0
    run_out sg_vpd -p lbpv "$SG" || return 1
    has '\(LBPU\): 1' && has '\(LBPWS\): 1' && has '\(LBPWS10\): 1' && has '\(LBPRZ\): 1'
}
step lbp-vpd-flags       lbp_flags

# WRITE SAME (10) of one random block over the range, read back with O_DIRECT
write_same_plain() {
    local lba
    lba=$(region "$1"); shift
    random_blocks 1 /tmp/ws-block.bin
    repeat_file /tmp/ws-block.bin "$RANGE" /tmp/ws-expect.bin
    sg_write_same "$@" --in=/tmp/ws-block.bin --lba="$lba" --num="$RANGE" "$SG" || return 1
    expect_blocks "$DEV" "$lba" /tmp/ws-expect.bin || return 1
    # the blocks on either side are untouched (never written: zeros)
    expect_blocks "$DEV" $((lba - 1)) /tmp/zero-block.bin && expect_blocks "$DEV" $((lba + RANGE)) /tmp/zero-block.bin
}
step write-same-10       write_same_plain 0 --10 -v
step write-same-16       write_same_plain 1 --16 -v
# WRITE SAME (16) with UNMAP=1 and a zero block: deallocates (GET LBA STATUS) and reads zeros
write_same_unmap() {
    local lba
    lba=$(region "$1"); shift
    write_mapped "$lba" || return 1
    sg_write_same "$@" --unmap --lba="$lba" --num="$RANGE" "$SG" || return 1
    deallocated_zeros "$lba"
}
step write-same-16-unmap write_same_unmap 2 --16 --in=/tmp/zero-block.bin -v
step write-same-10-unmap write_same_unmap 3 --10 --in=/tmp/zero-block.bin -v
# WRITE SAME (16) with NDOB=1 (no Data-Out): zeros; with UNMAP=1 also deallocated
write_same_ndob() {
    local lba
    lba=$(region 4)
    random_blocks "$RANGE" /tmp/range-data.bin
    write_blocks "$DEV" "$lba" /tmp/range-data.bin || return 1
    sg_write_same --16 --ndob --lba="$lba" --num="$RANGE" -v "$SG" || return 1
    expect_blocks "$DEV" "$lba" /tmp/zeros-range.bin
}
# (bounded: a target that ignores NDOB waits for a Data-Out that never comes)
step --timeout 30 write-same-16-ndob  write_same_ndob
step --timeout 30 write-same-16-ndob-unmap write_same_unmap 5 --16 --ndob -v

# UNMAP of one written range, then of two ranges in one parameter list
unmap_one() {
    local lba
    lba=$(region 6)
    write_mapped "$lba" || return 1
    sg_unmap --force --lba="$lba" --num="$RANGE" -v "$SG" || return 1
    deallocated_zeros "$lba"
}
step unmap               unmap_one
unmap_two() {
    local a b
    a=$(region 7); b=$(region 8)
    write_mapped "$a" && write_mapped "$b" || return 1
    sg_unmap --force --lba="$a,$b" --num="$RANGE,$RANGE" -v "$SG" || return 1
    deallocated_zeros "$a" && deallocated_zeros "$b"
}
step unmap-two-ranges    unmap_two

# GET LBA STATUS over a written range followed by an unmapped one: exactly the
# written range mapped, then a deallocated extent that starts right after it
lba_status_mixed() {
    local lba half
    lba=$(region 9); half=$((RANGE / 2))
    write_mapped "$lba" || return 1
    sg_unmap --force --lba=$((lba + half)) --num="$half" "$SG" || return 1
    lba_status "$lba" 2 || return 1
    expect_extent 1 "$lba" "$half" 0 || return 1
    [ "$(sed -n '1p' /tmp/lbas.txt | cut -d' ' -f2)" = "$half" ] \
        || { echo "CHECK FAILED: the mapped extent must end at LBA $((lba + half))"; return 1; }
    expect_extent 2 $((lba + half)) "$half" 1 || return 1
    # and the data: first half as written, second half zeros
    dd if=/tmp/range-data.bin of=/tmp/half.bin bs="$BLOCK_SIZE" count="$half" 2>/dev/null
    expect_blocks "$DEV" "$lba" /tmp/half.bin \
        && dd if=/tmp/zeros-range.bin of=/tmp/half0.bin bs="$BLOCK_SIZE" count="$half" 2>/dev/null \
        && expect_blocks "$DEV" $((lba + half)) /tmp/half0.bin
}
step get-lba-status-mapped-vs-deallocated lba_status_mixed

# ---- PERSISTENT RESERVE IN/OUT (sg_persist), one I_T nexus
PR_KEY=0x5a5a0001
PR_KEY2=0x5a5a0002
pr_out() { run_out sg_persist --out -n "$@" "$SG"; }
pr_in() { run_out sg_persist --in -n "$@" "$SG"; }
pr_register() { pr_out --register --param-sark=$PR_KEY; }
step pr-register         pr_register
pr_read_keys() { pr_in --read-keys || return 1; has '[ ,]1 registered reservation key follows' && has "^ *$PR_KEY\$"; }
step pr-read-keys        pr_read_keys
pr_reserve() { pr_out --reserve --param-rk=$PR_KEY --prout-type=1; }
step pr-reserve-we       pr_reserve
pr_read_reservation() {
    pr_in --read-reservation || return 1
    has "Key=$PR_KEY" && has 'scope: LU_SCOPE, +type: Write Exclusive *$'
}
step pr-read-reservation pr_read_reservation
# the holder itself may still write under Write Exclusive
step pr-holder-writes    write_blocks "$DEV" "$(region 10)" /tmp/ws-block.bin
pr_release() {
    pr_out --release --param-rk=$PR_KEY --prout-type=1 || return 1
    pr_in --read-reservation || return 1
    has 'there is NO reservation held'
}
step pr-release          pr_release
pr_unregister() {
    pr_out --register --param-rk=$PR_KEY --param-sark=0 || return 1
    pr_in --read-keys || return 1
    has 'there are NO registered reservation keys'
}
step pr-unregister       pr_unregister
# APTPL=1 registration: REPORT CAPABILITIES shows PTPL_A=1, READ FULL STATUS
# shows the key with this initiator's iSCSI name as TransportID
pr_aptpl() {
    pr_out --register --param-sark=$PR_KEY2 --param-aptpl || return 1
    pr_in --report-capabilities || return 1
    has 'PTPL_C\): 1' && has 'PTPL_A\): 1'
}
step pr-register-aptpl   pr_aptpl
pr_full_status() {
    pr_out --reserve --param-rk=$PR_KEY2 --prout-type=5 || return 1
    pr_in --read-full-status || return 1
    has "Key=$PR_KEY2" && has 'Reservation holder' && has 'Write Exclusive, registrants only' \
        && grep -Fq "$INITIATOR_NAME" /tmp/out.txt \
        || { echo "CHECK FAILED: key, holder, type or initiator name $INITIATOR_NAME missing"; return 1; }
}
step pr-read-full-status pr_full_status
# CLEAR removes the registration and the reservation (and leaves the LUN
# free for the block-device steps that follow)
pr_clear() {
    pr_out --clear --param-rk=$PR_KEY2 || return 1
    pr_in --read-keys || return 1
    has 'there are NO registered reservation keys' || return 1
    pr_in --read-reservation || return 1
    has 'there is NO reservation held'
}
step pr-clear            pr_clear

# ---- EXTENDED COPY (LID1) through sg_xcopy, LUN 0 -> LUN 1
lun_field() {
    # lun_field LUN FIELD(3 = block device, 4 = sg device)
    local e
    for e in $LUNS; do
        [ "${e%%:*}" = "$1" ] && { echo "$e" | cut -d: -f"$2"; return 0; }
    done
    return 1
}
tpc_vpd() {
    run_out sg_vpd -p tpc "$SG" || return 1
    has 'Third party copy VPD page' && has 'Maximum CSCD descriptor count: *[1-9]' \
        && has 'Supported descriptors' && has 'block -> block'
}
step xcopy-vpd-8f        tpc_vpd
# be16/be32 FILE OFFSET: a big-endian field of a binary file
be16() { od -An -tu1 -j "$2" -N2 "$1" | awk '{ print $1 * 256 + $2 }'; }
be32() { od -An -tu1 -j "$2" -N4 "$1" | awk '{ print (($1 * 256 + $2) * 256 + $3) * 256 + $4 }'; }
# SPC-5 6.27: the RECEIVE COPY OPERATING PARAMETERS limits shall equal the
# Parameter Data descriptor (0004h) of the 8Fh page, as sg_vpd decodes it
tpc_vpd_matches_rcop() {
    local name vpd rcop off rc=0
    sg_vpd -p tpc "$SG" > /tmp/tpc.txt 2>&1 || { cat /tmp/tpc.txt; return 1; }
    # RECEIVE COPY RESULTS, service action 03h, allocation length 44
    sg_raw -r 44 -o /tmp/rcop.bin "$SG" 84 03 00 00 00 00 00 00 00 00 00 00 00 2c 00 00 || return 1
    for name in "CSCD descriptor count:8:16" "segment descriptor count:10:16" "descriptor list length:12:32"; do
        off=${name#*:}; off=${off%:*}
        vpd=$(sed -n "s/.*Maximum ${name%%:*}: *\([0-9]*\).*/\1/p" /tmp/tpc.txt | head -1)
        if [ "${name##*:}" = 16 ]; then rcop=$(be16 /tmp/rcop.bin "$off"); else rcop=$(be32 /tmp/rcop.bin "$off"); fi
        echo "Maximum ${name%%:*}: VPD 8Fh '$vpd', RECEIVE COPY OPERATING PARAMETERS '$rcop'"
        [ -n "$vpd" ] && [ "$vpd" = "$rcop" ] || { echo "CHECK FAILED: they differ"; rc=1; }
    done
    return $rc
}
step xcopy-vpd-8f-matches-rcop tpc_vpd_matches_rcop
# xcopy_lun1 REGION [sg_xcopy flags]: random data at REGION of LUN 0, a
# different pattern at the destination (LUN 1, region + 1 MiB), copy, compare
xcopy_lun1() {
    local src dst sg1 dev1
    src=$(region "$1"); dst=$(( src + MIB_BLOCKS )); shift
    sg1=$(lun_field 1 4); dev1=$(lun_field 1 3)
    [ -n "$sg1" ] && [ -n "$dev1" ] || { echo "no LUN 1 in '$LUNS'"; return 1; }
    random_blocks "$RANGE" /tmp/xc-src.bin
    write_blocks "$DEV" "$src" /tmp/xc-src.bin || return 1
    pattern 0xc3 $((RANGE * BLOCK_SIZE)) > /tmp/xc-old.bin
    write_blocks "$dev1" "$dst" /tmp/xc-old.bin || return 1
    sg_xcopy if="$SG" of="$sg1" bs="$BLOCK_SIZE" skip="$src" seek="$dst" count="$RANGE" "$@" || return 1
    expect_blocks "$dev1" "$dst" /tmp/xc-src.bin || return 1
    # the blocks on either side of the destination are untouched (never written: zeros)
    expect_blocks "$dev1" $((dst - 1)) /tmp/zero-block.bin && expect_blocks "$dev1" $((dst + RANGE)) /tmp/zero-block.bin
}
step xcopy-lun0-to-lun1  xcopy_lun1 11 verbose=1
step xcopy-lun0-to-lun1-on-dst xcopy_lun1 13 --on_dst bpt=64
