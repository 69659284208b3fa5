/*
 * atomic-write DEVICE OFFSET LENGTH: one pwritev2(RWF_ATOMIC) of LENGTH bytes at OFFSET of DEVICE
 * (O_DIRECT), then a read back and compare. Prints what statx reports for atomic writes.
 * Built static on the host (gcc -static) and copied into the Linux-initiator guest.
 * Exit: 0 written and read back whole, 1 usage or open, 2 the atomic write failed, 3 read back differs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef RWF_ATOMIC
#define RWF_ATOMIC 0x00000040 /* Linux 6.11 include/uapi/linux/fs.h */
#endif
#ifndef STATX_WRITE_ATOMIC
#define STATX_WRITE_ATOMIC 0x00010000U
#endif

/* struct statx as of Linux 6.11 (the atomic-write fields follow stx_dio_offset_align). */
struct statx_611 {
    uint32_t mask, blksize;
    uint64_t attributes;
    uint32_t nlink, uid, gid;
    uint16_t mode, spare0;
    uint64_t ino, size, blocks, attributes_mask;
    struct { int64_t sec; uint32_t nsec; int32_t reserved; } atime, btime, ctime, mtime;
    uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
    uint64_t mnt_id;
    uint32_t dio_mem_align, dio_offset_align;
    uint64_t subvol;
    uint32_t atomic_write_unit_min, atomic_write_unit_max, atomic_write_segments_max;
    uint32_t spare1;
    uint64_t spare3[9];
};

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: atomic-write DEVICE OFFSET LENGTH\n");
        return 1;
    }
    off_t offset = strtoll(argv[2], NULL, 0);
    size_t length = strtoul(argv[3], NULL, 0);
    struct statx_611 sx;
    memset(&sx, 0, sizeof sx);
    if (syscall(SYS_statx, AT_FDCWD, argv[1], 0, STATX_WRITE_ATOMIC, &sx) == 0) {
        printf("statx atomic_write_unit_min=%u atomic_write_unit_max=%u segments_max=%u (mask has it: %s)\n",
               sx.atomic_write_unit_min, sx.atomic_write_unit_max, sx.atomic_write_segments_max,
               (sx.mask & STATX_WRITE_ATOMIC) ? "yes" : "no");
    }
    int fd = open(argv[1], O_RDWR | O_DIRECT);
    if (fd < 0) {
        perror("open");
        return 1;
    }
    void *out, *in;
    if (posix_memalign(&out, 4096, length) || posix_memalign(&in, 4096, length)) {
        return 1;
    }
    for (size_t i = 0; i < length; i++) {
        ((unsigned char *) out)[i] = (unsigned char) (i * 7 + 0x5A);
    }
    struct iovec iov = { out, length };
    ssize_t n = pwritev2(fd, &iov, 1, offset, RWF_ATOMIC);
    if (n != (ssize_t) length) {
        printf("pwritev2(RWF_ATOMIC) of %zu bytes at %lld: %zd (%s)\n", length, (long long) offset, n,
               n < 0 ? strerror(errno) : "short");
        return 2;
    }
    printf("pwritev2(RWF_ATOMIC) of %zu bytes at %lld: done\n", length, (long long) offset);
    if (pread(fd, in, length, offset) != (ssize_t) length || memcmp(in, out, length) != 0) {
        printf("read back differs\n");
        return 3;
    }
    printf("read back whole\n");
    return 0;
}
