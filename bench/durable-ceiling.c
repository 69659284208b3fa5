/*
 * The disk's ceiling for durable 4 KiB random writes, without any target in the way: one or more threads,
 * each writing B random 4 KiB blocks with pwrite(2) and then calling fdatasync(2), over and over. The
 * durable write rate a target with group commit can reach is bounded by this rate at the batch sizes its
 * queue depth allows (README, "Where the durable write rate goes").
 *
 * usage: durable-ceiling FILE [SECONDS_PER_CASE]   (FILE: an existing file of at least 1 GiB, e.g. a LUN
 *        image; it is overwritten with a pattern in place, so never a LUN that holds data you need)
 * build: gcc -O2 -o durable-ceiling bench/durable-ceiling.c -lpthread
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *path;
static long blocks;
static double seconds = 2;

struct job { int batch; unsigned seed; long writes; };

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static void *run(void *arg) {
  struct job *j = arg;
  int fd = open(path, O_RDWR);
  if (fd < 0) { perror(path); exit(1); }
  char buf[4096];
  memset(buf, 0x5a, sizeof buf);
  double end = now() + seconds;
  while (now() < end) {
    for (int i = 0; i < j->batch; i++) {
      long block = rand_r(&j->seed) % blocks;
      if (pwrite(fd, buf, sizeof buf, block * 4096) != sizeof buf) { perror("pwrite"); exit(1); }
    }
    if (fdatasync(fd) != 0) { perror("fdatasync"); exit(1); }
    j->writes += j->batch;
  }
  close(fd);
  return NULL;
}

static void measure(int threads, int batch) {
  pthread_t t[16];
  struct job jobs[16];
  double start = now();
  for (int i = 0; i < threads; i++) {
    jobs[i] = (struct job){batch, (unsigned)(i + 1) * 7919u, 0};
    pthread_create(&t[i], NULL, run, &jobs[i]);
  }
  long writes = 0;
  for (int i = 0; i < threads; i++) { pthread_join(t[i], NULL); writes += jobs[i].writes; }
  double elapsed = now() - start;
  printf("%d thread(s), %3d writes per fdatasync: %6.0f durable writes/s, %6.0f us per batch\n",
         threads, batch, writes / elapsed, elapsed * 1e6 * threads / (writes / (double)batch));
}

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: %s FILE [SECONDS_PER_CASE]\n", argv[0]); return 2; }
  path = argv[1];
  if (argc > 2) seconds = atof(argv[2]);
  struct stat st;
  if (stat(path, &st) != 0 || st.st_size < (1L << 30)) { fprintf(stderr, "%s: need an existing file of at least 1 GiB\n", path); return 2; }
  blocks = st.st_size / 4096;
  int batches[] = {1, 8, 16, 32, 64, 256};
  for (size_t i = 0; i < sizeof batches / sizeof batches[0]; i++) measure(1, batches[i]);
  measure(2, 8);
  measure(2, 16);
  measure(4, 16);
  return 0;
}
