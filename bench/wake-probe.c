// What a cross-core wake-up costs on this machine after the waking core was busy for a while.
//
// A client thread on CPU 1 writes a byte to a pipe; a server thread on CPU 0 reads it, spins for the given number of
// microseconds (a server working on a request while the client's core sits idle) and writes the byte back. The
// client reports how much longer each round trip took than the spin. On a VM whose host polls a halted virtual CPU
// for a while before putting it to sleep, the extra time jumps once the client's core idles longer than that window:
// a one-connection benchmark pays that jump on every request a server takes longer than the window to answer.
//
//   gcc -O2 -pthread bench/wake-probe.c -o /tmp/wake-probe
//   for busy in 0 50 100 150 200 300; do /tmp/wake-probe $busy 20000; done
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int to_server[2], to_client[2];
static uint64_t busy_ns;

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void pin_to(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) {
        perror("sched_setaffinity");
        exit(1);
    }
}

static void *serve(void *unused) {
    (void)unused;
    pin_to(0);
    char byte;
    while (read(to_server[0], &byte, 1) == 1) {
        uint64_t start = now_ns();
        while (now_ns() - start < busy_ns) {
        }
        if (write(to_client[1], &byte, 1) != 1) {
            break;
        }
    }
    return NULL;
}

static int by_value(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s SERVER_BUSY_US ROUND_TRIPS\n", argv[0]);
        return 2;
    }
    busy_ns = strtoull(argv[1], NULL, 10) * 1000;
    int rounds = atoi(argv[2]);
    uint64_t *extra = malloc(sizeof *extra * (size_t)rounds);
    pthread_t server;
    if (rounds < 1000 || extra == NULL || pipe(to_server) != 0 || pipe(to_client) != 0 ||
        pthread_create(&server, NULL, serve, NULL) != 0) {
        fprintf(stderr, "could not set up (ROUND_TRIPS must be at least 1000)\n");
        return 1;
    }
    pin_to(1);
    char byte = 'x';
    for (int i = 0; i < rounds; i++) {
        uint64_t start = now_ns();
        if (write(to_server[1], &byte, 1) != 1 || read(to_client[0], &byte, 1) != 1) {
            perror("round trip");
            return 1;
        }
        extra[i] = now_ns() - start - busy_ns;
    }
    qsort(extra, (size_t)rounds, sizeof *extra, by_value);
    printf("server busy %4llu us: round trip beyond it p50 %6.1f p90 %6.1f p99 %6.1f p99.9 %7.1f us\n",
           (unsigned long long)(busy_ns / 1000), extra[rounds / 2] / 1e3, extra[rounds * 9 / 10] / 1e3,
           extra[rounds * 99 / 100] / 1e3, extra[rounds * 999 / 1000] / 1e3);
    return 0;
}
