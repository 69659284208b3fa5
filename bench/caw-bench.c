/*
 * caw-bench: COMPARE AND WRITE (VAAI ATS) load and correctness client, on libiscsi.
 *
 * N sessions (one thread and one iSCSI login each) loop for -t seconds:
 *   CAW(lba, compare = block holding counter c, write = block holding c + 1)
 *   GOOD       -> the session won: successes++, c = c + 1
 *   MISCOMPARE -> another session won: re-read the block (READ16) to learn c, retry
 * Modes:
 *   one      all sessions race on LBA 0
 *   disjoint session i uses LBA i*8 (no contention between sessions)
 *   rw       no CAW: each session alternates 64 KiB WRITE16 / READ16 at random places in its own
 *            1 MiB region (used by bench/run.sh to load 64 sessions while it samples the target's RSS)
 *   randwrite / seqwrite
 *            no CAW: each session keeps -q WRITE16s of -b bytes in flight (libiscsi's async API),
 *            at random aligned places of the whole LUN or one after the other (wrapping at its end);
 *            ops_s, MiB_s and p50/p99 latency per WRITE (bench/run.sh's durable-write rows)
 *   randread / seqread
 *            the same with READ16 (bench/run.sh's read rows: iscsi-perf prints no latency)
 * Output (one line): RESULT mode=.. sessions=.. ops=.. ops_s=.. success=.. miscompare=.. errors=..
 *   p50_us=.. p99_us=.. check=OK|FAIL  (ops = successful + miscompared CAWs; latency per CAW).
 * Correctness: at the end every block's counter must equal the number of successful CAWs on it
 * (a lost update or two winners for one value make it differ): otherwise check=FAIL, exit 1.
 *
 * Build: gcc -O2 -o caw-bench caw-bench.c $(pkg-config --cflags --libs libiscsi) -lpthread
 * Usage: caw-bench [-m one|disjoint|rw|randwrite|seqwrite|randread|seqread] [-n sessions] [-t seconds] [-q depth]
 *        [-b bytes] iscsi://host:port/iqn/lun [URL...]
 * With several URLs (one device through several gateways) session i logs in to URL i mod count.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#define MAX_SESSIONS 256
#define RW_BYTES (64 * 1024)
#define RW_REGION (1024 * 1024)

enum mode { MODE_ONE, MODE_DISJOINT, MODE_RW, MODE_RANDWRITE, MODE_SEQWRITE, MODE_RANDREAD, MODE_SEQREAD };

struct session {
    int id;
    struct iscsi_context *iscsi;
    int lun;
    uint64_t lba;
    uint64_t successes, miscompares, errors, rw_ops;
    uint32_t *lat_us;        /* one sample per CAW, grown as needed */
    size_t nlat, caplat;
    pthread_t thread;
};

static char **urls;
static int url_count;
static enum mode mode = MODE_ONE;
static int block_size = 512;
static uint64_t lun_blocks;      /* from READ CAPACITY(16) */
static int queue_depth = 1;      /* randwrite/seqwrite: WRITEs in flight per session */
static int io_bytes = 4096;      /* randwrite/seqwrite: bytes per WRITE */
static atomic_int stop_flag;
static pthread_barrier_t start_barrier;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct iscsi_context *login(int id, int *lun) {
    char name[128];
    snprintf(name, sizeof name, "iqn.2026-11.org.vaaitarget.bench:caw-%d", id);
    struct iscsi_context *iscsi = iscsi_create_context(name);
    if (iscsi == NULL) {
        fprintf(stderr, "session %d: cannot create context\n", id);
        return NULL;
    }
    const char *url_arg = urls[id % url_count];
    struct iscsi_url *url = iscsi_parse_full_url(iscsi, url_arg);
    if (url == NULL) {
        fprintf(stderr, "bad url %s: %s\n", url_arg, iscsi_get_error(iscsi));
        iscsi_destroy_context(iscsi);
        return NULL;
    }
    iscsi_set_targetname(iscsi, url->target);
    iscsi_set_session_type(iscsi, ISCSI_SESSION_NORMAL);
    iscsi_set_header_digest(iscsi, ISCSI_HEADER_DIGEST_NONE);
    if (iscsi_full_connect_sync(iscsi, url->portal, url->lun) != 0) {
        fprintf(stderr, "session %d: login failed: %s\n", id, iscsi_get_error(iscsi));
        iscsi_destroy_url(url);
        iscsi_destroy_context(iscsi);
        return NULL;
    }
    *lun = url->lun;
    iscsi_destroy_url(url);
    return iscsi;
}

static void put_counter(unsigned char *block, uint64_t v) {
    memset(block, 0, block_size);
    memcpy(block, "CAWBENCH", 8);
    for (int i = 0; i < 8; i++) {
        block[8 + i] = (unsigned char) (v >> (56 - 8 * i));
    }
}

static int get_counter(const unsigned char *block, uint64_t *v) {
    if (memcmp(block, "CAWBENCH", 8) != 0) {
        return -1;
    }
    uint64_t x = 0;
    for (int i = 0; i < 8; i++) {
        x = (x << 8) | block[8 + i];
    }
    *v = x;
    return 0;
}

/* READ16 of one block; returns 0 and the counter, or -1. */
static int read_counter(struct session *s, uint64_t *v) {
    struct scsi_task *t = iscsi_read16_sync(s->iscsi, s->lun, s->lba, block_size, block_size, 0, 0, 0, 0, 0);
    int rc = -1;
    if (t != NULL && t->status == SCSI_STATUS_GOOD && t->datain.size >= block_size) {
        rc = get_counter(t->datain.data, v);
    }
    if (t != NULL) {
        scsi_free_scsi_task(t);
    }
    return rc;
}

static int write_blocks(struct session *s, uint64_t lba, unsigned char *buf, int len) {
    struct scsi_task *t = iscsi_write16_sync(s->iscsi, s->lun, lba, buf, len, block_size, 0, 0, 0, 0, 0);
    int ok = t != NULL && t->status == SCSI_STATUS_GOOD;
    if (t != NULL) {
        scsi_free_scsi_task(t);
    }
    return ok ? 0 : -1;
}

static void record_latency(struct session *s, double secs) {
    if (s->nlat == s->caplat) {
        size_t cap = s->caplat ? s->caplat * 2 : 65536;
        uint32_t *p = realloc(s->lat_us, cap * sizeof *p);
        if (p == NULL) {
            return;
        }
        s->lat_us = p;
        s->caplat = cap;
    }
    double us = secs * 1e6;
    s->lat_us[s->nlat++] = us > 4e9 ? UINT32_MAX : (uint32_t) us;
}

static void caw_loop(struct session *s) {
    unsigned char *buf = malloc(2 * block_size);
    uint64_t c;
    if (buf == NULL || read_counter(s, &c) != 0) {
        fprintf(stderr, "session %d: initial read failed\n", s->id);
        s->errors++;
        free(buf);
        return;
    }
    while (!atomic_load(&stop_flag)) {
        put_counter(buf, c);
        put_counter(buf + block_size, c + 1);
        double t0 = now_s();
        struct scsi_task *t = iscsi_compareandwrite_sync(s->iscsi, s->lun, s->lba, buf, 2 * block_size,
                                                         block_size, 0, 0, 0, 0, 0);
        double dt = now_s() - t0;
        if (t == NULL) {
            fprintf(stderr, "session %d: CAW transport error: %s\n", s->id, iscsi_get_error(s->iscsi));
            s->errors++;
            break;
        }
        int status = t->status;
        int key = t->sense.key;
        int ascq = t->sense.ascq;
        scsi_free_scsi_task(t);
        record_latency(s, dt);
        if (status == SCSI_STATUS_GOOD) {
            s->successes++;
            c++;
            continue;
        }
        if (status == SCSI_STATUS_CHECK_CONDITION && key == SCSI_SENSE_MISCOMPARE) {
            s->miscompares++;
        } else {
            if (s->errors++ < 5) {
                fprintf(stderr, "session %d: CAW status 0x%x sense key 0x%x ascq 0x%04x\n", s->id, status, key, ascq);
            }
            if (s->errors > 1000) {
                break;
            }
        }
        if (read_counter(s, &c) != 0) {
            fprintf(stderr, "session %d: re-read failed\n", s->id);
            s->errors++;
            break;
        }
    }
    free(buf);
}

static void rw_loop(struct session *s) {
    unsigned char *buf = malloc(RW_BYTES);
    unsigned int seed = (unsigned int) s->id * 2654435761u;
    uint64_t base = (uint64_t) s->id * (RW_REGION / block_size);
    uint64_t slots = RW_REGION / RW_BYTES;
    if (buf == NULL) {
        s->errors++;
        return;
    }
    memset(buf, s->id & 0xFF, RW_BYTES);
    while (!atomic_load(&stop_flag)) {
        uint64_t lba = base + (rand_r(&seed) % slots) * (RW_BYTES / block_size);
        if (write_blocks(s, lba, buf, RW_BYTES) != 0) {
            s->errors++;
            break;
        }
        struct scsi_task *t = iscsi_read16_sync(s->iscsi, s->lun, lba, RW_BYTES, block_size, 0, 0, 0, 0, 0);
        int ok = t != NULL && t->status == SCSI_STATUS_GOOD && t->datain.size == RW_BYTES
                 && memcmp(t->datain.data, buf, RW_BYTES) == 0;
        if (t != NULL) {
            scsi_free_scsi_task(t);
        }
        if (!ok) {
            fprintf(stderr, "session %d: read-back of lba %" PRIu64 " failed or differs\n", s->id, lba);
            s->errors++;
            break;
        }
        s->rw_ops += 2;
    }
    free(buf);
}

/* One WRITE slot of a session's queue (randwrite/seqwrite). */
struct wslot {
    struct session *s;
    unsigned char *buf;
    double t0;
};
static __thread uint64_t next_seq_lba;   /* seqwrite: where the session writes next */
static __thread unsigned int wseed;
static __thread int inflight;

static void issue_write(struct wslot *w);

static void write_done(struct iscsi_context *iscsi, int status, void *command_data, void *private_data) {
    (void) iscsi;
    struct wslot *w = private_data;
    struct session *s = w->s;
    inflight--;
    if (status == SCSI_STATUS_GOOD) {
        s->rw_ops++;
        record_latency(s, now_s() - w->t0);
    } else {
        s->errors++;
    }
    if (command_data != NULL) {
        scsi_free_scsi_task(command_data);
    }
    if (!atomic_load(&stop_flag) && status == SCSI_STATUS_GOOD) {
        issue_write(w);
    }
}

static void issue_write(struct wslot *w) {
    struct session *s = w->s;
    uint64_t per = (uint64_t) io_bytes / block_size;
    uint64_t slots = lun_blocks / per;
    uint64_t lba;
    if (mode == MODE_SEQWRITE || mode == MODE_SEQREAD) {
        lba = next_seq_lba;
        next_seq_lba = next_seq_lba + per + per > lun_blocks ? 0 : next_seq_lba + per;
    } else {
        lba = ((((uint64_t) rand_r(&wseed)) << 31 ^ (uint64_t) rand_r(&wseed)) % slots) * per;
    }
    w->t0 = now_s();
    struct scsi_task *t = mode == MODE_RANDREAD || mode == MODE_SEQREAD
        ? iscsi_read16_task(s->iscsi, s->lun, lba, io_bytes, block_size, 0, 0, 0, 0, 0, write_done, w)
        : iscsi_write16_task(s->iscsi, s->lun, lba, w->buf, io_bytes, block_size, 0, 0, 0, 0, 0, write_done, w);
    if (t == NULL) {
        s->errors++;
        return;
    }
    inflight++;
}

static void write_loop(struct session *s) {
    struct wslot *slots = calloc(queue_depth, sizeof *slots);
    wseed = (unsigned int) s->id * 2654435761u + 1;
    next_seq_lba = (uint64_t) s->id * (lun_blocks / MAX_SESSIONS);
    inflight = 0;
    for (int i = 0; i < queue_depth; i++) {
        slots[i].s = s;
        slots[i].buf = malloc(io_bytes);
        memset(slots[i].buf, 0x5a ^ s->id, io_bytes);
        issue_write(&slots[i]);
    }
    while (inflight > 0) {
        struct pollfd pfd = { .fd = iscsi_get_fd(s->iscsi), .events = iscsi_which_events(s->iscsi) };
        if (poll(&pfd, 1, 1000) < 0 && errno != EINTR) {
            s->errors++;
            break;
        }
        if (iscsi_service(s->iscsi, pfd.revents) < 0) {
            fprintf(stderr, "session %d: %s\n", s->id, iscsi_get_error(s->iscsi));
            s->errors++;
            break;
        }
    }
    for (int i = 0; i < queue_depth; i++) {
        free(slots[i].buf);
    }
    free(slots);
}

static void *run_session(void *arg) {
    struct session *s = arg;
    pthread_barrier_wait(&start_barrier);
    if (s->iscsi != NULL) {
        if (mode == MODE_RANDWRITE || mode == MODE_SEQWRITE || mode == MODE_RANDREAD || mode == MODE_SEQREAD) {
            write_loop(s);
        } else if (mode == MODE_RW) {
            rw_loop(s);
        } else {
            caw_loop(s);
        }
    }
    return NULL;
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
    return x < y ? -1 : x > y;
}

static int block_size_of(struct iscsi_context *iscsi, int lun) {
    struct scsi_task *t = iscsi_readcapacity16_sync(iscsi, lun);
    int bs = 512;
    if (t != NULL && t->status == SCSI_STATUS_GOOD) {
        struct scsi_readcapacity16 *rc16 = scsi_datain_unmarshall(t);
        if (rc16 != NULL && rc16->block_length > 0) {
            bs = (int) rc16->block_length;
            lun_blocks = rc16->returned_lba + 1;
        }
    }
    if (t != NULL) {
        scsi_free_scsi_task(t);
    }
    return bs;
}

int main(int argc, char **argv) {
    int n = 8;
    double secs = 5;
    int opt;
    while ((opt = getopt(argc, argv, "m:n:t:q:b:")) != -1) {
        switch (opt) {
        case 'm':
            mode = strcmp(optarg, "disjoint") == 0 ? MODE_DISJOINT : strcmp(optarg, "rw") == 0 ? MODE_RW
                 : strcmp(optarg, "randwrite") == 0 ? MODE_RANDWRITE : strcmp(optarg, "seqwrite") == 0 ? MODE_SEQWRITE
                 : strcmp(optarg, "randread") == 0 ? MODE_RANDREAD : strcmp(optarg, "seqread") == 0 ? MODE_SEQREAD
                 : MODE_ONE;
            if (mode == MODE_ONE && strcmp(optarg, "one") != 0) {
                fprintf(stderr, "unknown mode %s (one|disjoint|rw|randwrite|seqwrite|randread|seqread)\n", optarg);
                return 2;
            }
            break;
        case 'n': n = atoi(optarg); break;
        case 't': secs = atof(optarg); break;
        case 'q': queue_depth = atoi(optarg); break;
        case 'b': io_bytes = atoi(optarg); break;
        default:
            fprintf(stderr, "usage: %s [-m one|disjoint|rw|randwrite|seqwrite|randread|seqread] [-n sessions] [-t seconds] [-q depth] [-b bytes]"
                    " iscsi://host:port/iqn/lun\n", argv[0]);
            return 2;
        }
    }
    if (optind >= argc || n < 1 || n > MAX_SESSIONS || secs <= 0 || queue_depth < 1 || io_bytes < 512) {
        fprintf(stderr, "usage: %s [-m one|disjoint|rw|randwrite|seqwrite|randread|seqread] [-n 1..%d] [-t seconds] [-q depth] [-b bytes] URL [URL...]\n", argv[0], MAX_SESSIONS);
        return 2;
    }
    urls = argv + optind;
    url_count = argc - optind;
    const char *mode_name = mode == MODE_ONE ? "one" : mode == MODE_DISJOINT ? "disjoint" : mode == MODE_RW ? "rw"
                          : mode == MODE_RANDWRITE ? "randwrite" : mode == MODE_SEQWRITE ? "seqwrite"
                          : mode == MODE_RANDREAD ? "randread" : "seqread";
    /* the queued modes (WRITE16 or READ16): same loop, same RESULT line */
    int writes = mode == MODE_RANDWRITE || mode == MODE_SEQWRITE || mode == MODE_RANDREAD || mode == MODE_SEQREAD;

    struct session *ss = calloc(n, sizeof *ss);
    int logged_in = 0;
    for (int i = 0; i < n; i++) {
        ss[i].id = i;
        ss[i].lba = mode == MODE_DISJOINT ? (uint64_t) i * 8 : 0;
        ss[i].iscsi = login(i, &ss[i].lun);
        logged_in += ss[i].iscsi != NULL;
    }
    if (logged_in != n) {
        fprintf(stderr, "only %d of %d sessions logged in\n", logged_in, n);
        printf("RESULT mode=%s sessions=%d check=FAIL (login)\n", mode_name, n);
        return 1;
    }
    block_size = block_size_of(ss[0].iscsi, ss[0].lun);
    if (writes && (io_bytes % block_size != 0 || lun_blocks < (uint64_t) 2 * io_bytes / block_size)) {
        fprintf(stderr, "-b %d is not a multiple of the block size %d or the LUN is too small\n", io_bytes, block_size);
        return 2;
    }

    /* initial counters: 0 on every block in use */
    if (mode != MODE_RW && !writes) {
        unsigned char *blk = malloc(block_size);
        put_counter(blk, 0);
        int blocks = mode == MODE_ONE ? 1 : n;
        for (int i = 0; i < blocks; i++) {
            if (write_blocks(&ss[0], ss[i].lba, blk, block_size) != 0) {
                fprintf(stderr, "initial write of lba %" PRIu64 " failed\n", ss[i].lba);
                return 1;
            }
        }
        free(blk);
    }

    pthread_barrier_init(&start_barrier, NULL, n + 1);
    for (int i = 0; i < n; i++) {
        pthread_create(&ss[i].thread, NULL, run_session, &ss[i]);
    }
    pthread_barrier_wait(&start_barrier);
    double t0 = now_s();
    struct timespec d = { (time_t) secs, (long) ((secs - (time_t) secs) * 1e9) };
    nanosleep(&d, NULL);
    atomic_store(&stop_flag, 1);
    for (int i = 0; i < n; i++) {
        pthread_join(ss[i].thread, NULL);
    }
    double elapsed = now_s() - t0;

    uint64_t succ = 0, mis = 0, err = 0, rw = 0;
    size_t nlat = 0;
    for (int i = 0; i < n; i++) {
        succ += ss[i].successes;
        mis += ss[i].miscompares;
        err += ss[i].errors;
        rw += ss[i].rw_ops;
        nlat += ss[i].nlat;
    }
    int ok = err == 0;
    if (writes) {
        uint32_t *all = malloc((nlat ? nlat : 1) * sizeof *all);
        size_t k = 0;
        for (int i = 0; i < n; i++) {
            memcpy(all + k, ss[i].lat_us, ss[i].nlat * sizeof *all);
            k += ss[i].nlat;
        }
        qsort(all, nlat, sizeof *all, cmp_u32);
        printf("RESULT mode=%s sessions=%d qd=%d bytes=%d secs=%.2f ops=%" PRIu64 " ops_s=%.0f MiB_s=%.1f errors=%" PRIu64
               " p50_us=%u p99_us=%u check=%s\n", mode_name, n, queue_depth, io_bytes, elapsed, rw, rw / elapsed,
               rw * (double) io_bytes / elapsed / 1048576, err, nlat ? all[nlat / 2] : 0,
               nlat ? all[(size_t) ((nlat - 1) * 0.99)] : 0, ok ? "OK" : "FAIL");
        free(all);
    } else if (mode == MODE_RW) {
        printf("RESULT mode=rw sessions=%d secs=%.2f ops=%" PRIu64 " ops_s=%.0f MiB_s=%.1f errors=%" PRIu64 " check=%s\n",
               n, elapsed, rw, rw / elapsed, rw * (double) RW_BYTES / elapsed / 1048576, err, ok ? "OK" : "FAIL");
    } else {
        /* correctness: each block's final counter = successful CAWs on it */
        int blocks = mode == MODE_ONE ? 1 : n;
        for (int b = 0; b < blocks; b++) {
            uint64_t expect = mode == MODE_ONE ? succ : ss[b].successes;
            uint64_t got = 0;
            struct session probe = ss[0];
            probe.lba = ss[b].lba;
            if (read_counter(&probe, &got) != 0 || got != expect) {
                fprintf(stderr, "FAIL: lba %" PRIu64 " counter %" PRIu64 " but %" PRIu64 " successful CAWs\n",
                        ss[b].lba, got, expect);
                ok = 0;
            }
        }
        uint32_t *all = malloc((nlat ? nlat : 1) * sizeof *all);
        size_t k = 0;
        for (int i = 0; i < n; i++) {
            memcpy(all + k, ss[i].lat_us, ss[i].nlat * sizeof *all);
            k += ss[i].nlat;
        }
        qsort(all, nlat, sizeof *all, cmp_u32);
        uint32_t p50 = nlat ? all[nlat / 2] : 0;
        uint32_t p99 = nlat ? all[(size_t) ((nlat - 1) * 0.99)] : 0;
        printf("RESULT mode=%s sessions=%d secs=%.2f ops=%" PRIu64 " ops_s=%.0f success=%" PRIu64
               " miscompare=%" PRIu64 " errors=%" PRIu64 " p50_us=%u p99_us=%u check=%s\n",
               mode_name, n, elapsed, succ + mis, (succ + mis) / elapsed, succ, mis, err, p50, p99,
               ok ? "OK" : "FAIL");
        free(all);
    }
    for (int i = 0; i < n; i++) {
        iscsi_logout_sync(ss[i].iscsi);
        iscsi_destroy_context(ss[i].iscsi);
        free(ss[i].lat_us);
    }
    free(ss);
    return ok ? 0 : 1;
}
