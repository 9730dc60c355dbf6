/* AnalyserNode in two halves: the audio thread's time buffer (timebuf), and
 * the windowed FFT with smoothing that another thread runs (spectrum). */
#include "dsp_internal.h"
#include "internal.h"

/* ------------------------------------------------------------------------ */
/* Time buffer                                                              */
/* ------------------------------------------------------------------------ */

#define RL_TIMEBUF_MAGIC 0x42544C52u /* "RLTB" */
/* A reader whose copy was overwritten retries this many times in all. */
#define RL_TIMEBUF_READ_ATTEMPTS 4

struct rl_timebuf {
    rl_atomic_u32 write_index;
    uint32_t capacity;
    uint32_t magic;
    unsigned char pad[52];
};

_Static_assert(offsetof(struct rl_timebuf, write_index) == RL_TIMEBUF_OFFSET_WRITE_INDEX, "layout");
_Static_assert(offsetof(struct rl_timebuf, capacity) == RL_TIMEBUF_OFFSET_CAPACITY, "layout");
_Static_assert(sizeof(struct rl_timebuf) == RL_TIMEBUF_OFFSET_DATA, "layout");

static int rl_pow2(uint32_t x) {
    return x != 0 && (x & (x - 1u)) == 0;
}

rl_timebuf_config rl_timebuf_config_init(uint32_t capacity_frames) {
    rl_timebuf_config c;
    c.capacity_frames = capacity_frames;
    return c;
}

rl_result rl_timebuf_get_heap_size(const rl_timebuf_config* config, size_t* heap_size) {
    if (heap_size == NULL) {
        return RL_INVALID_ARGS;
    }
    *heap_size = 0;
    if (config == NULL || !rl_pow2(config->capacity_frames) ||
        config->capacity_frames < RL_TIMEBUF_MIN_CAPACITY ||
        config->capacity_frames > RL_TIMEBUF_MAX_CAPACITY) {
        return RL_INVALID_ARGS;
    }
    *heap_size = RL_TIMEBUF_OFFSET_DATA + (size_t)config->capacity_frames * sizeof(float);
    return RL_OK;
}

rl_result rl_timebuf_init_preallocated(const rl_timebuf_config* config, void* heap,
                                       size_t heap_size, rl_timebuf** timebuf) {
    size_t need = 0;
    rl_timebuf* k;
    if (timebuf == NULL) {
        return RL_INVALID_ARGS;
    }
    *timebuf = NULL;
    if (!rl_dsp_aligned(heap) || rl_timebuf_get_heap_size(config, &need) != RL_OK) {
        return RL_INVALID_ARGS;
    }
    if (heap_size < need) {
        return RL_OUT_OF_MEMORY;
    }
    memset(heap, 0, need);
    k = (rl_timebuf*)heap;
    k->capacity = config->capacity_frames;
    atomic_store_explicit(&k->write_index, 0u, memory_order_relaxed);
    k->magic = RL_TIMEBUF_MAGIC;
    *timebuf = k;
    return RL_OK;
}

void rl_timebuf_uninit(rl_timebuf* timebuf) {
    if (timebuf != NULL && timebuf->magic == RL_TIMEBUF_MAGIC) {
        timebuf->magic = 0;
    }
}

static int rl_timebuf_usable(const rl_timebuf* k) {
    return k != NULL && k->magic == RL_TIMEBUF_MAGIC;
}

static float* rl_timebuf_data(const rl_timebuf* k) {
    return (float*)((unsigned char*)(uintptr_t)k + RL_TIMEBUF_OFFSET_DATA);
}

/* Writes the down-mix of frames [from, to) to slots starting at `slot`. */
static void rl_timebuf_mix(float* dst, const float* const* planar, uint32_t channels, uint32_t from,
                           uint32_t to) {
    uint32_t bad = 0;
    uint32_t i;
    uint32_t c;
    if (channels == 1) {
        for (i = from; i < to; ++i) {
            dst[i - from] = rl_dsp_clean(planar[0][i], &bad);
        }
    } else if (channels == 2) {
        for (i = from; i < to; ++i) {
            dst[i - from] =
                (rl_dsp_clean(planar[0][i], &bad) + rl_dsp_clean(planar[1][i], &bad)) * 0.5f;
        }
    } else {
        float scale = 1.0f / (float)channels;
        for (i = from; i < to; ++i) {
            float sum = 0.0f;
            for (c = 0; c < channels; ++c) {
                sum += rl_dsp_clean(planar[c][i], &bad);
            }
            dst[i - from] = sum * scale;
        }
    }
    /* A mix of huge values can overflow; the buffer never holds Inf. */
    (void)rl_dsp_sanitize(dst, to - from);
}

rl_result rl_timebuf_process(rl_timebuf* timebuf, const float* const* planar, uint32_t channels,
                             uint32_t frames) {
    uint32_t w;
    uint32_t slot;
    uint32_t first;
    float* data;
    if (!rl_timebuf_usable(timebuf) ||
        !rl_dsp_const_buffers_valid(planar, channels, frames, RL_DSP_MAX_CHANNELS)) {
        return RL_INVALID_ARGS;
    }
    data = rl_timebuf_data(timebuf);
    w = atomic_load_explicit(&timebuf->write_index, memory_order_relaxed);
    slot = w & (timebuf->capacity - 1u);
    first = timebuf->capacity - slot;
    first = first < frames ? first : frames;
    rl_timebuf_mix(data + slot, planar, channels, 0, first);
    rl_timebuf_mix(data, planar, channels, first, frames);
    atomic_store_explicit(&timebuf->write_index, w + frames, memory_order_release);
    return RL_OK;
}

uint32_t rl_timebuf_write_index(const rl_timebuf* timebuf) {
    if (!rl_timebuf_usable(timebuf)) {
        return 0;
    }
    return atomic_load_explicit(&((rl_timebuf*)(uintptr_t)timebuf)->write_index,
                                memory_order_acquire);
}

rl_result rl_timebuf_read_latest(const rl_timebuf* timebuf, float* out, uint32_t count) {
    rl_timebuf* k = (rl_timebuf*)(uintptr_t)timebuf;
    const float* data;
    uint32_t mask;
    int attempt;
    if (!rl_timebuf_usable(timebuf) || out == NULL || count == 0 ||
        count > timebuf->capacity / 2u) {
        return RL_INVALID_ARGS;
    }
    data = rl_timebuf_data(timebuf);
    mask = timebuf->capacity - 1u;
    for (attempt = 0; attempt < RL_TIMEBUF_READ_ATTEMPTS; ++attempt) {
        uint32_t w1 = atomic_load_explicit(&k->write_index, memory_order_acquire);
        uint32_t start = (w1 - count) & mask;
        uint32_t first = timebuf->capacity - start;
        uint32_t w2;
        first = first < count ? first : count;
        memcpy(out, data + start, (size_t)first * sizeof(float));
        memcpy(out + first, data, (size_t)(count - first) * sizeof(float));
        /* Seqlock-style check: the copy is whole if the writer has not
         * lapped into the copied slots meanwhile. The sample loads race with
         * the writer by design (as the JavaScript reader's typed-array copy
         * does); making every sample an atomic would cost the audio thread
         * a sequentially consistent store per sample in wasm. */
        atomic_thread_fence(memory_order_acquire);
        w2 = atomic_load_explicit(&k->write_index, memory_order_relaxed);
        if (w2 - w1 <= timebuf->capacity - count) {
            break;
        }
    }
    return RL_OK;
}

/* ------------------------------------------------------------------------ */
/* Spectrum                                                                 */
/* ------------------------------------------------------------------------ */

#define RL_SPECTRUM_MAGIC 0x50534C52u /* "RLSP" */

struct rl_spectrum {
    uint32_t magic;
    uint32_t n;             /* fft_size */
    uint32_t window_offset; /* double[n] */
    uint32_t cos_offset;    /* double[n/2]: cos(2 pi k / n) */
    uint32_t sin_offset;    /* double[n/2]: sin(2 pi k / n) */
    uint32_t re_offset;     /* double[n/2]: complex FFT scratch */
    uint32_t im_offset;     /* double[n/2] */
    uint32_t smooth_offset; /* float[n/2]: smoothed magnitudes */
    uint32_t rev_offset;    /* uint32[n/2]: bit reversal of n/2 points */
};

#define RL_SPECTRUM_HEADER_BYTES (rl_dsp_align64(sizeof(struct rl_spectrum)))

rl_spectrum_config rl_spectrum_config_init(uint32_t fft_size) {
    rl_spectrum_config c;
    c.fft_size = fft_size;
    return c;
}

static int rl_spectrum_config_valid(const rl_spectrum_config* c) {
    return c != NULL && rl_pow2(c->fft_size) && c->fft_size >= RL_SPECTRUM_MIN_FFT_SIZE &&
           c->fft_size <= RL_SPECTRUM_MAX_FFT_SIZE;
}

rl_result rl_spectrum_get_heap_size(const rl_spectrum_config* config, size_t* heap_size) {
    size_t n;
    if (heap_size == NULL) {
        return RL_INVALID_ARGS;
    }
    *heap_size = 0;
    if (!rl_spectrum_config_valid(config)) {
        return RL_INVALID_ARGS;
    }
    n = config->fft_size;
    /* All sections are multiples of 64 bytes since n >= 32. */
    *heap_size = RL_SPECTRUM_HEADER_BYTES + n * sizeof(double) + 4u * (n / 2u) * sizeof(double) +
                 (n / 2u) * sizeof(float) + (n / 2u) * sizeof(uint32_t);
    return RL_OK;
}

static double* rl_spectrum_doubles(const rl_spectrum* s, uint32_t offset) {
    return (double*)((unsigned char*)(uintptr_t)s + offset);
}

static float* rl_spectrum_smooth(const rl_spectrum* s) {
    return (float*)((unsigned char*)(uintptr_t)s + s->smooth_offset);
}

static uint32_t* rl_spectrum_rev(const rl_spectrum* s) {
    return (uint32_t*)((unsigned char*)(uintptr_t)s + s->rev_offset);
}

rl_result rl_spectrum_init_preallocated(const rl_spectrum_config* config, void* heap,
                                        size_t heap_size, rl_spectrum** spectrum) {
    size_t need = 0;
    rl_spectrum* s;
    uint32_t n;
    uint32_t half;
    uint32_t bits = 0;
    uint32_t i;
    double* window;
    double* cs;
    double* sn;
    uint32_t* rev;
    if (spectrum == NULL) {
        return RL_INVALID_ARGS;
    }
    *spectrum = NULL;
    if (!rl_dsp_aligned(heap) || rl_spectrum_get_heap_size(config, &need) != RL_OK) {
        return RL_INVALID_ARGS;
    }
    if (heap_size < need) {
        return RL_OUT_OF_MEMORY;
    }
    memset(heap, 0, need);
    s = (rl_spectrum*)heap;
    n = config->fft_size;
    half = n / 2u;
    s->n = n;
    s->window_offset = (uint32_t)RL_SPECTRUM_HEADER_BYTES;
    s->cos_offset = s->window_offset + n * (uint32_t)sizeof(double);
    s->sin_offset = s->cos_offset + half * (uint32_t)sizeof(double);
    s->re_offset = s->sin_offset + half * (uint32_t)sizeof(double);
    s->im_offset = s->re_offset + half * (uint32_t)sizeof(double);
    s->smooth_offset = s->im_offset + half * (uint32_t)sizeof(double);
    s->rev_offset = s->smooth_offset + half * (uint32_t)sizeof(float);
    window = rl_spectrum_doubles(s, s->window_offset);
    cs = rl_spectrum_doubles(s, s->cos_offset);
    sn = rl_spectrum_doubles(s, s->sin_offset);
    rev = rl_spectrum_rev(s);
    /* Blackman, alpha = 0.16, as the Web Audio spec writes it (periodic:
     * divided by N, not N - 1). */
    for (i = 0; i < n; ++i) {
        double x = (double)i / (double)n;
        window[i] = 0.42 - 0.5 * rl_cos(RL_TWO_PI * x) + 0.08 * rl_cos(2.0 * RL_TWO_PI * x);
    }
    for (i = 0; i < half; ++i) {
        double a = RL_TWO_PI * (double)i / (double)n;
        cs[i] = rl_cos(a);
        sn[i] = rl_sin(a);
    }
    while ((1u << bits) < half) {
        ++bits;
    }
    for (i = 0; i < half; ++i) {
        uint32_t r = 0;
        uint32_t b;
        for (b = 0; b < bits; ++b) {
            r |= ((i >> b) & 1u) << (bits - 1u - b);
        }
        rev[i] = r;
    }
    s->magic = RL_SPECTRUM_MAGIC;
    *spectrum = s;
    return RL_OK;
}

void rl_spectrum_uninit(rl_spectrum* spectrum) {
    if (spectrum != NULL && spectrum->magic == RL_SPECTRUM_MAGIC) {
        spectrum->magic = 0;
    }
}

static int rl_spectrum_usable(const rl_spectrum* s) {
    return s != NULL && s->magic == RL_SPECTRUM_MAGIC;
}

void rl_spectrum_reset(rl_spectrum* spectrum) {
    if (rl_spectrum_usable(spectrum)) {
        memset(rl_spectrum_smooth(spectrum), 0, (size_t)(spectrum->n / 2u) * sizeof(float));
    }
}

uint32_t rl_spectrum_fft_size(const rl_spectrum* spectrum) {
    return rl_spectrum_usable(spectrum) ? spectrum->n : 0u;
}

const double* rl_spectrum_window(const rl_spectrum* spectrum) {
    return rl_spectrum_usable(spectrum) ? rl_spectrum_doubles(spectrum, spectrum->window_offset)
                                        : NULL;
}

/* In-place iterative radix-2 decimation-in-time FFT of the n/2 complex
 * points already in bit-reversed order in re/im. Twiddles for a stage of
 * length len are W_n^(j n / len). */
static void rl_spectrum_cfft(const rl_spectrum* s) {
    const uint32_t n = s->n;
    const uint32_t m = n / 2u;
    double* re = rl_spectrum_doubles(s, s->re_offset);
    double* im = rl_spectrum_doubles(s, s->im_offset);
    const double* cs = rl_spectrum_doubles(s, s->cos_offset);
    const double* sn = rl_spectrum_doubles(s, s->sin_offset);
    uint32_t len;
    uint32_t i;
    uint32_t j;
    for (len = 2; len <= m; len <<= 1) {
        uint32_t half = len / 2u;
        uint32_t step = n / len;
        for (i = 0; i < m; i += len) {
            for (j = 0; j < half; ++j) {
                double wr = cs[j * step];
                double wi = -sn[j * step];
                uint32_t a = i + j;
                uint32_t b = a + half;
                double tr = wr * re[b] - wi * im[b];
                double ti = wr * im[b] + wi * re[b];
                re[b] = re[a] - tr;
                im[b] = im[a] - ti;
                re[a] += tr;
                im[a] += ti;
            }
        }
    }
}

/* Bin k (0 .. n/2) of the real FFT from the half-size complex FFT Z:
 * X[k] = E[k] + W_n^k O[k] with E = (Z[k] + conj Z[m-k]) / 2 and
 * O = (Z[k] - conj Z[m-k]) / 2i. */
static void rl_spectrum_bin(const rl_spectrum* s, uint32_t k, double* xr, double* xi) {
    const uint32_t m = s->n / 2u;
    const double* re = rl_spectrum_doubles(s, s->re_offset);
    const double* im = rl_spectrum_doubles(s, s->im_offset);
    if (k == 0 || k == m) {
        *xr = k == 0 ? re[0] + im[0] : re[0] - im[0];
        *xi = 0.0;
        return;
    } else {
        const double* cs = rl_spectrum_doubles(s, s->cos_offset);
        const double* sn = rl_spectrum_doubles(s, s->sin_offset);
        double ar = re[k];
        double ai = im[k];
        double br = re[m - k];
        double bi = -im[m - k];
        double er = 0.5 * (ar + br);
        double ei = 0.5 * (ai + bi);
        double or_ = 0.5 * (ai - bi);
        double oi = -0.5 * (ar - br);
        *xr = er + cs[k] * or_ + sn[k] * oi;
        *xi = ei + cs[k] * oi - sn[k] * or_;
    }
}

/* Loads x[2i] + i x[2i+1] into bit-reversed position, times the window if
 * `window` is set; non-finite samples count as 0. */
static void rl_spectrum_load_float(const rl_spectrum* s, const float* x, int window) {
    const uint32_t m = s->n / 2u;
    const double* w = rl_spectrum_doubles(s, s->window_offset);
    const uint32_t* rev = rl_spectrum_rev(s);
    double* re = rl_spectrum_doubles(s, s->re_offset);
    double* im = rl_spectrum_doubles(s, s->im_offset);
    uint32_t i;
    for (i = 0; i < m; ++i) {
        double a = isfinite(x[2u * i]) ? (double)x[2u * i] : 0.0;
        double b = isfinite(x[2u * i + 1u]) ? (double)x[2u * i + 1u] : 0.0;
        if (window) {
            a *= w[2u * i];
            b *= w[2u * i + 1u];
        }
        re[rev[i]] = a;
        im[rev[i]] = b;
    }
}

void rl_spectrum_rfft(rl_spectrum* spectrum, const double* in, double* out_re, double* out_im) {
    const uint32_t m = spectrum->n / 2u;
    const uint32_t* rev = rl_spectrum_rev(spectrum);
    double* re = rl_spectrum_doubles(spectrum, spectrum->re_offset);
    double* im = rl_spectrum_doubles(spectrum, spectrum->im_offset);
    uint32_t i;
    for (i = 0; i < m; ++i) {
        re[rev[i]] = in[2u * i];
        im[rev[i]] = in[2u * i + 1u];
    }
    rl_spectrum_cfft(spectrum);
    for (i = 0; i <= m; ++i) {
        rl_spectrum_bin(spectrum, i, &out_re[i], &out_im[i]);
    }
}

/* Window, FFT, |X[k]| / n, smoothing into the state. */
static void rl_spectrum_analyse(rl_spectrum* s, const float* time_samples, double smoothing) {
    const uint32_t m = s->n / 2u;
    const double scale = 1.0 / (double)s->n;
    float* smooth = rl_spectrum_smooth(s);
    uint32_t k;
    rl_spectrum_load_float(s, time_samples, 1);
    rl_spectrum_cfft(s);
    for (k = 0; k < m; ++k) {
        double xr;
        double xi;
        double v;
        rl_spectrum_bin(s, k, &xr, &xi);
        v = smoothing * (double)smooth[k] + (1.0 - smoothing) * sqrt(xr * xr + xi * xi) * scale;
        smooth[k] = isfinite(v) ? (float)v : 0.0f;
    }
}

/* The smoothed magnitudes after one analysis, or NULL (nothing done) for
 * the arguments every analysis refuses. */
static const float* rl_spectrum_run(rl_spectrum* spectrum, const float* time_samples,
                                    double smoothing, const void* out) {
    if (!rl_spectrum_usable(spectrum) || time_samples == NULL || out == NULL ||
        !(smoothing >= 0.0 && smoothing <= 1.0)) {
        return NULL;
    }
    rl_spectrum_analyse(spectrum, time_samples, smoothing);
    return rl_spectrum_smooth(spectrum);
}

rl_result rl_spectrum_float_frequency(rl_spectrum* spectrum, const float* time_samples,
                                      double smoothing, float* out_db) {
    const float* smooth = rl_spectrum_run(spectrum, time_samples, smoothing, out_db);
    uint32_t k;
    if (smooth == NULL) {
        return RL_INVALID_ARGS;
    }
    for (k = 0; k < spectrum->n / 2u; ++k) {
        out_db[k] = (float)(20.0 * rl_log10((double)smooth[k]));
    }
    return RL_OK;
}

/* Optimised for size: its loop is nothing next to the FFT it follows. */
#if defined(__clang__)
#define RL_SPECTRUM_SMALL __attribute__((minsize))
#else
#define RL_SPECTRUM_SMALL
#endif

RL_SPECTRUM_SMALL rl_result rl_spectrum_add_power(rl_spectrum* spectrum, const float* time_samples,
                                                  double* power_sum) {
    const float* magnitude = rl_spectrum_run(spectrum, time_samples, 0.0, power_sum);
    uint32_t k;
    if (magnitude == NULL) {
        return RL_INVALID_ARGS;
    }
    for (k = 0; k < spectrum->n / 2u; ++k) {
        power_sum[k] += (double)magnitude[k] * (double)magnitude[k];
    }
    return RL_OK;
}

rl_result rl_spectrum_byte_frequency(rl_spectrum* spectrum, const float* time_samples,
                                     double smoothing, double min_db, double max_db, uint8_t* out) {
    const float* smooth;
    double range;
    uint32_t k;
    if (!isfinite(min_db) || !isfinite(max_db) || !(min_db < max_db)) {
        return RL_INVALID_ARGS;
    }
    smooth = rl_spectrum_run(spectrum, time_samples, smoothing, out);
    if (smooth == NULL) {
        return RL_INVALID_ARGS;
    }
    range = 1.0 / (max_db - min_db);
    for (k = 0; k < spectrum->n / 2u; ++k) {
        /* dB as the float path would report it, then Chromium's scaling. */
        double db = (double)(float)(20.0 * rl_log10((double)smooth[k]));
        double v = 255.0 * (db - min_db) * range;
        v = v < 0.0 ? 0.0 : (v > 255.0 ? 255.0 : v);
        out[k] = (uint8_t)v;
    }
    return RL_OK;
}

rl_result rl_spectrum_byte_time_domain(const float* time_samples, uint32_t count, uint8_t* out) {
    uint32_t i;
    if (time_samples == NULL || out == NULL) {
        return RL_INVALID_ARGS;
    }
    for (i = 0; i < count; ++i) {
        double x = isfinite(time_samples[i]) ? (double)time_samples[i] : 0.0;
        double v = 128.0 * (x + 1.0);
        v = v < 0.0 ? 0.0 : (v > 255.0 ? 255.0 : v);
        out[i] = (uint8_t)v;
    }
    return RL_OK;
}
