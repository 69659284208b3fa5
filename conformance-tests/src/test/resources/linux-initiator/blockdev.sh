# Boot "scsi-and-block", part 2: the block device as a user uses it.
# O_DIRECT dd at several block sizes with read-back, then a file system on a
# second LUN: mkfs, mount, files with known checksums, sync, umount, fsck
# clean, mount again, verify.  Needs common.sh before it.
# Env: FS_KNOWN_SHA256 (sha256 of the 1 MiB file of 0x5a bytes; overridable
#      only to prove that a wrong checksum fails the suite)

# dd_bs BS COUNT LBA: write BS*COUNT random bytes with O_DIRECT at LBA in
# BS-sized requests, read them back with O_DIRECT in requests of another size,
# compare
dd_bs() {
    local bs=$1 count=$2 lba=$3 rbs size
    size=$((bs * count))
    rbs=$((bs >= 65536 ? 4096 : 65536)); [ $rbs -gt $size ] && rbs=$size
    dd if=/dev/urandom of=/tmp/dd-w.bin bs="$size" count=1 2>/dev/null || return 1
    dd if=/tmp/dd-w.bin of="$DEV" bs="$bs" count="$count" seek=$((lba * BLOCK_SIZE)) \
        oflag=direct,seek_bytes conv=notrunc,fsync 2>&1 | tail -1 || return 1
    dd if="$DEV" of=/tmp/dd-r.bin bs="$rbs" count=$((size / rbs)) skip=$((lba * BLOCK_SIZE)) \
        iflag=direct,skip_bytes 2>&1 | tail -1 || return 1
    echo "wrote $count x $bs bytes at LBA $lba, read back in $rbs-byte requests"
    cmp /tmp/dd-w.bin /tmp/dd-r.bin
}
lba=16384
for bs_count in 512:512 4096:256 65536:32 262144:8 1048576:4 4194304:2; do
    bs=${bs_count%:*}; count=${bs_count#*:}
    if [ "$bs" -lt "$BLOCK_SIZE" ]; then
        skip "dd-direct-bs-$bs" "smaller than the $BLOCK_SIZE-byte logical block"
        continue
    fi
    step "dd-direct-bs-$bs" dd_bs "$bs" "$count" "$lba"
    lba=$((lba + bs * count / BLOCK_SIZE))
done

# ---- file system on the second LUN (the first one when there is only one)
FS_DEV=$DEV
for e in $LUNS; do
    case "$e" in 1:0:/dev/*) FS_DEV=${e#1:0:}; FS_DEV=${FS_DEV%%:*};; esac
done
note "file system device: $FS_DEV"
MNT=/mnt/li
mkdir -p "$MNT"
if command -v mkfs.ext4 >/dev/null; then
    step fs-mkfs mkfs.ext4 -F -q -b 4096 "$FS_DEV"
    FS_TYPE=ext4
else
    note "mkfs.ext4 missing in the guest (LI_EXTRA_BINS); using busybox mke2fs (ext2)"
    step fs-mkfs mke2fs -b 4096 "$FS_DEV"
    FS_TYPE=ext2
fi
step fs-mount mount -t "$FS_TYPE" "$FS_DEV" "$MNT"
fs_write() {
    local i
    pattern 0x5a 1048576 > "$MNT/known.bin" || return 1
    dd if=/dev/urandom of="$MNT/random.bin" bs=1048576 count=6 2>/dev/null || return 1
    mkdir -p "$MNT/small"
    i=1
    while [ $i -le 40 ]; do
        dd if=/dev/urandom of="$MNT/small/f$i" bs=$((i * 311)) count=1 2>/dev/null || return 1
        i=$((i + 1))
    done
    (cd "$MNT" && find . -type f | sort | xargs sha256sum) > /tmp/fs-manifest
    wc -l < /tmp/fs-manifest
    sync
}
step fs-write-files fs_write
step fs-umount umount "$MNT"
fs_check() {
    if command -v e2fsck >/dev/null; then
        e2fsck -f -n "$FS_DEV"
    else
        echo "e2fsck missing in the guest: no fsck"; return 1
    fi
}
step fs-fsck-clean fs_check
step fs-mount-again mount -t "$FS_TYPE" "$FS_DEV" "$MNT"
fs_verify() {
    (cd "$MNT" && sha256sum -c /tmp/fs-manifest) | grep -v ': OK$'
    (cd "$MNT" && sha256sum -c -s /tmp/fs-manifest) || return 1
    echo "$(wc -l < /tmp/fs-manifest) files match the checksums written before the umount"
}
step fs-verify-files fs_verify
fs_known() {
    local want=${FS_KNOWN_SHA256:-bf63d8a95fcc2e64619813aae35fdcbe871fdd9264caa3f365eb3aed0f679129} got
    got=$(sha_of "$MNT/known.bin")
    echo "known.bin sha256 $got, expected $want"
    [ "$got" = "$want" ]
}
step fs-known-checksum fs_known
step fs-umount-again umount "$MNT"
