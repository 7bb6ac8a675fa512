/* The machine's fp64 FMA rate and read bandwidth, measured by plain native loops: the floor
 * bench/compare divides an iteration's flops and bytes by. Build: gcc -O3 -march=native -fopenmp.
 * FMA: per thread, 12 independent vector accumulators (enough to cover FMA latency × ports on
 * AVX2 and AVX-512 cores), updated by fused multiply-adds for a fixed count; flops = 2 per lane.
 * Bandwidth: per thread, the sum of its share of a 1 GiB array (far past the caches), best of 5.
 * Prints one JSON line: {"gflops", "gbytes_per_s", "threads", "vector_bits"}. */
#include <immintrin.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(__AVX512F__)
typedef __m512d vec;
#define LANES 8
#define FMA(a, b, c) _mm512_fmadd_pd(a, b, c)
#define SET1(x) _mm512_set1_pd(x)
#define ADD(a, b) _mm512_add_pd(a, b)
#define REDUCE(v) _mm512_reduce_add_pd(v)
#elif defined(__AVX2__) && defined(__FMA__)
typedef __m256d vec;
#define LANES 4
#define FMA(a, b, c) _mm256_fmadd_pd(a, b, c)
#define SET1(x) _mm256_set1_pd(x)
#define ADD(a, b) _mm256_add_pd(a, b)
static double REDUCE(__m256d v) { double t[4]; _mm256_storeu_pd(t, v); return t[0] + t[1] + t[2] + t[3]; }
#else
#error "needs AVX2 with FMA or AVX-512"
#endif

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

int main(void)
{
    const long steps = 200000000L / LANES;
    int threads = omp_get_max_threads();
    double sink = 0, best_fma = 1e30;
    for (int rep = 0; rep < 3; rep++) {
        double start = now();
#pragma omp parallel reduction(+ : sink)
        {
            vec a[12];
            for (int i = 0; i < 12; i++) a[i] = SET1(1.0 + i * 1e-9);
            vec x = SET1(0.999999999), y = SET1(1e-9);
            for (long s = 0; s < steps; s++)
                for (int i = 0; i < 12; i++) a[i] = FMA(a[i], x, y);
            vec t = a[0];
            for (int i = 1; i < 12; i++) t = ADD(t, a[i]);
            sink += REDUCE(t);
        }
        double elapsed = now() - start;
        if (elapsed < best_fma) best_fma = elapsed;
    }
    double gflops = 2.0 * 12 * LANES * (double)steps * threads / best_fma / 1e9;

    const size_t n = (size_t)1 << 27; /* 1 GiB of doubles */
    double *data = aligned_alloc(64, n * sizeof(double));
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) data[i] = 1.0;
    double best_read = 1e30;
    for (int rep = 0; rep < 5; rep++) {
        double start = now();
#pragma omp parallel reduction(+ : sink)
        {
            vec s0 = SET1(0), s1 = SET1(0), s2 = SET1(0), s3 = SET1(0);
#pragma omp for schedule(static)
            for (size_t i = 0; i < n; i += 4 * LANES) {
#if LANES == 8
                s0 = ADD(s0, _mm512_load_pd(data + i)); s1 = ADD(s1, _mm512_load_pd(data + i + 8));
                s2 = ADD(s2, _mm512_load_pd(data + i + 16)); s3 = ADD(s3, _mm512_load_pd(data + i + 24));
#else
                s0 = ADD(s0, _mm256_load_pd(data + i)); s1 = ADD(s1, _mm256_load_pd(data + i + 4));
                s2 = ADD(s2, _mm256_load_pd(data + i + 8)); s3 = ADD(s3, _mm256_load_pd(data + i + 12));
#endif
            }
            sink += REDUCE(ADD(ADD(s0, s1), ADD(s2, s3)));
        }
        double elapsed = now() - start;
        if (elapsed < best_read) best_read = elapsed;
    }
    double gbytes = n * sizeof(double) / best_read / 1e9;
    free(data);
    printf("{\"gflops\": %.2f, \"gbytes_per_s\": %.2f, \"threads\": %d, \"vector_bits\": %d, \"check\": %.3g}\n", gflops, gbytes, threads, LANES * 64, sink);
    return 0;
}
