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

# ---- later features (VAAI): each becomes real steps when the target has it.
skip write-same          "WRITE SAME (sg_write_same --unmap / zero): later feature"
skip unmap               "UNMAP (sg_unmap): later feature"
skip get-lba-status      "GET LBA STATUS (sg_get_lba_status): later feature"
skip persistent-reserve  "PERSISTENT RESERVE IN/OUT (sg_persist): later feature"
skip extended-copy       "EXTENDED COPY / RECEIVE COPY RESULTS (sg_xcopy): later feature"
