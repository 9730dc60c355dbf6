/* Test-signal generator: sine, band-limited square/saw/triangle from
 * mipmapped wavetables, white and pink noise, logarithmic sweep, impulse
 * train and octave multitone. */
#include "dsp_internal.h"

#define RL_GENERATOR_MAGIC 0x4E474C52u /* "RLGN" */

/* Wavetables: one per waveform and octave. Level l holds harmonics 1 .. 2^l
 * and is used when 2^l * f < Nyquist <= 2^(l+1) * f, so no partial ever
 * reaches Nyquist; below the lowest level's range (f < Nyquist / 1024) the
 * harmonics above 512 f are dropped. Tables are read with 4-point cubic
 * interpolation; its images stay below about -90 dB relative to the
 * fundamental down to about 47 Hz at 48 kHz, and below -75 dB under that,
 * where the 512 harmonics fill a quarter of the 2048-point table. Each
 * waveform is scaled by one factor, so that its loudest level peaks at 1:
 * harmonic amplitudes match across levels and the output never exceeds the
 * amplitude (a square peaks ~0.7 dB below it where its Gibbs overshoot is
 * smaller than its lone fundamental's 4/pi). */
#define RL_TABLE_SIZE 2048u
#define RL_TABLE_LEVELS 10u
/* The multitone counts its octaves as the levels count harmonics. */
_Static_assert(RL_GENERATOR_MAX_TONES == RL_TABLE_LEVELS, "one octave per wavetable level");
#define RL_TABLE_STRIDE (RL_TABLE_SIZE + 4u) /* t[-1] and t[N], t[N+1] wrap; padded */
#define RL_TABLE_WAVES 3u                    /* square, sawtooth, triangle */

/* Paul Kellet's pink filter has a gain of about 9 for peaks of white noise
 * in -1 .. 1; this keeps its peaks within 1 (its RMS is about -14 dBFS). */
#define RL_PINK_SCALE 0.11

struct rl_generator {
    uint32_t magic;
    uint32_t waveform;
    uint32_t pending_waveform;
    uint32_t switching; /* fading out to change waveform */
    uint32_t running;   /* requested */
    uint32_t fade_frames;
    uint32_t level_left;
    uint32_t rng;
    uint32_t sweep_loop;
    uint32_t tables_offset;
    double sample_rate;
    double frequency;
    double amplitude;
    double phase; /* cycles, 0 .. 1 */
    double level; /* current output gain */
    double level_target;
    double level_step;
    double sweep_start; /* Hz */
    double sweep_end;
    double sweep_frames; /* length in frames */
    double sweep_pos;    /* frames since the sweep started */
    double impulse_pos;  /* frames since the last impulse (or the start) */
    double pink[7];
};

#define RL_GENERATOR_HEADER_BYTES (rl_dsp_align64(sizeof(struct rl_generator)))
#define RL_TABLE_BYTES                                                                             \
    (rl_dsp_align64((size_t)RL_TABLE_WAVES * RL_TABLE_LEVELS * RL_TABLE_STRIDE * sizeof(float)))
/* Scratch for building the tables: a sine of RL_TABLE_SIZE points and a
 * double accumulator. */
#define RL_TABLE_SCRATCH_BYTES ((size_t)2u * RL_TABLE_SIZE * sizeof(double))

rl_generator_config rl_generator_config_init(double sample_rate) {
    rl_generator_config c;
    c.sample_rate = sample_rate;
    return c;
}

rl_result rl_generator_get_heap_size(const rl_generator_config* config, size_t* heap_size) {
    if (heap_size == NULL) {
        return RL_INVALID_ARGS;
    }
    *heap_size = 0;
    if (config == NULL || !rl_dsp_rate_valid(config->sample_rate)) {
        return RL_INVALID_ARGS;
    }
    *heap_size = RL_GENERATOR_HEADER_BYTES + RL_TABLE_BYTES + RL_TABLE_SCRATCH_BYTES;
    return RL_OK;
}

/* Points 0 .. N-1 of the period, with t[-1] = t[N-1], t[N] = t[0] and
 * t[N+1] = t[1] around them for the interpolator. */
static float* rl_generator_table(const rl_generator* g, uint32_t wave, uint32_t level) {
    return (float*)((unsigned char*)(uintptr_t)g + g->tables_offset) +
           ((size_t)wave * RL_TABLE_LEVELS + level) * RL_TABLE_STRIDE + 1u;
}

/* Fourier sine coefficients of the Web Audio OscillatorNode shapes. */
static double rl_generator_harmonic(uint32_t wave, uint32_t h) {
    double k = (double)h;
    switch (wave) {
    case 0: /* square */
        return (h & 1u) ? 4.0 / (RL_PI * k) : 0.0;
    case 1: /* sawtooth */
        return ((h & 1u) ? 2.0 : -2.0) / (RL_PI * k);
    default: /* triangle */
        return (h & 1u) ? ((h & 2u) ? -8.0 : 8.0) / (RL_PI * RL_PI * k * k) : 0.0;
    }
}

/* Sums the levels up incrementally (level l adds harmonics 2^(l-1)+1 ..
 * 2^l), each sine read exactly from a table, then scales each waveform by
 * one factor so that its largest level peaks at 1: the harmonic amplitudes
 * are the same in every level. */
static void rl_generator_build_tables(rl_generator* g) {
    double* sine = (double*)((unsigned char*)g + g->tables_offset + RL_TABLE_BYTES);
    double* acc = sine + RL_TABLE_SIZE;
    uint32_t wave;
    uint32_t level;
    uint32_t i;
    for (i = 0; i < RL_TABLE_SIZE; ++i) {
        sine[i] = rl_sin(RL_TWO_PI * (double)i / (double)RL_TABLE_SIZE);
    }
    for (wave = 0; wave < RL_TABLE_WAVES; ++wave) {
        uint32_t h = 1;
        double peak = 0.0;
        double scale;
        memset(acc, 0, RL_TABLE_SIZE * sizeof(double));
        for (level = 0; level < RL_TABLE_LEVELS; ++level) {
            float* t = rl_generator_table(g, wave, level);
            double level_peak = 0.0;
            for (; h <= (1u << level); ++h) {
                double b = rl_generator_harmonic(wave, h);
                if (b != 0.0) {
                    for (i = 0; i < RL_TABLE_SIZE; ++i) {
                        acc[i] += b * sine[(i * h) & (RL_TABLE_SIZE - 1u)];
                    }
                }
            }
            for (i = 0; i < RL_TABLE_SIZE; ++i) {
                double a = fabs(acc[i]);
                level_peak = a > level_peak ? a : level_peak;
                t[i] = (float)acc[i];
            }
            peak = level_peak > peak ? level_peak : peak;
        }
        scale = 1.0 / peak;
        for (level = 0; level < RL_TABLE_LEVELS; ++level) {
            float* t = rl_generator_table(g, wave, level);
            for (i = 0; i < RL_TABLE_SIZE; ++i) {
                t[i] = (float)((double)t[i] * scale);
            }
            t[-1] = t[RL_TABLE_SIZE - 1u];
            t[RL_TABLE_SIZE] = t[0];
            t[RL_TABLE_SIZE + 1u] = t[1];
        }
    }
}

static uint32_t rl_generator_hash(uint32_t seed) {
    uint32_t z = seed + 0x9E3779B9u;
    z = (z ^ (z >> 16)) * 0x85EBCA6Bu;
    z = (z ^ (z >> 13)) * 0xC2B2AE35u;
    z ^= z >> 16;
    return z != 0 ? z : 0x6D2B79F5u;
}

void rl_generator_set_seed(rl_generator* generator, uint32_t seed) {
    if (generator == NULL || generator->magic != RL_GENERATOR_MAGIC) {
        return;
    }
    generator->rng = rl_generator_hash(seed);
    memset(generator->pink, 0, sizeof generator->pink);
}

rl_result rl_generator_init_preallocated(const rl_generator_config* config, void* heap,
                                         size_t heap_size, rl_generator** generator) {
    size_t need = 0;
    rl_generator* g;
    if (generator == NULL) {
        return RL_INVALID_ARGS;
    }
    *generator = NULL;
    if (!rl_dsp_aligned(heap) || rl_generator_get_heap_size(config, &need) != RL_OK) {
        return RL_INVALID_ARGS;
    }
    if (heap_size < need) {
        return RL_OUT_OF_MEMORY;
    }
    memset(heap, 0, RL_GENERATOR_HEADER_BYTES);
    g = (rl_generator*)heap;
    g->sample_rate = config->sample_rate;
    g->tables_offset = (uint32_t)RL_GENERATOR_HEADER_BYTES;
    g->fade_frames = (uint32_t)lround(RL_GENERATOR_FADE_MS * 0.001 * config->sample_rate);
    if (g->fade_frames < 1) {
        g->fade_frames = 1;
    }
    g->waveform = RL_WAVEFORM_SINE;
    g->pending_waveform = RL_WAVEFORM_SINE;
    g->frequency = 1000.0 < 0.45 * g->sample_rate ? 1000.0 : 0.45 * g->sample_rate;
    g->amplitude = 0.5;
    g->sweep_start = 20.0;
    g->sweep_end = 0.45 * g->sample_rate < 20000.0 ? 0.45 * g->sample_rate : 20000.0;
    g->sweep_frames = g->sample_rate * 10.0;
    rl_generator_build_tables(g);
    g->magic = RL_GENERATOR_MAGIC;
    rl_generator_set_seed(g, 1u);
    *generator = g;
    return RL_OK;
}

void rl_generator_uninit(rl_generator* generator) {
    if (generator != NULL && generator->magic == RL_GENERATOR_MAGIC) {
        generator->magic = 0;
    }
}

static int rl_generator_usable(const rl_generator* g) {
    return g != NULL && g->magic == RL_GENERATOR_MAGIC;
}

static int rl_generator_frequency_valid(const rl_generator* g, double f) {
    return isfinite(f) && f > 0.0 && f < g->sample_rate / 2.0;
}

/* Starts a linear ramp of the output gain toward `target`. */
static void rl_generator_ramp(rl_generator* g, double target) {
    g->level_target = target;
    g->level_left = g->fade_frames;
    g->level_step = (target - g->level) / (double)g->fade_frames;
}

/* What the gain should be heading for now. */
static double rl_generator_goal(const rl_generator* g) {
    return g->running && !g->switching ? g->amplitude : 0.0;
}

rl_result rl_generator_set_waveform(rl_generator* generator, rl_waveform waveform) {
    if (!rl_generator_usable(generator) || (unsigned)waveform > (unsigned)RL_WAVEFORM_LAST) {
        return RL_INVALID_ARGS;
    }
    generator->pending_waveform = (uint32_t)waveform;
    if (generator->level == 0.0 && generator->level_left == 0) {
        generator->waveform = (uint32_t)waveform; /* silent: switch at once */
        generator->switching = 0;
        return RL_OK;
    }
    if (generator->pending_waveform != generator->waveform && !generator->switching) {
        generator->switching = 1;
        rl_generator_ramp(generator, 0.0);
    }
    return RL_OK;
}

rl_result rl_generator_set_frequency(rl_generator* generator, double frequency) {
    if (!rl_generator_usable(generator) || !rl_generator_frequency_valid(generator, frequency)) {
        return RL_INVALID_ARGS;
    }
    generator->frequency = frequency;
    return RL_OK;
}

rl_result rl_generator_set_amplitude(rl_generator* generator, double amplitude) {
    if (!rl_generator_usable(generator) || !isfinite(amplitude) || amplitude < 0.0 ||
        amplitude > 1.0) {
        return RL_INVALID_ARGS;
    }
    generator->amplitude = amplitude;
    if (rl_generator_goal(generator) != generator->level_target) {
        rl_generator_ramp(generator, rl_generator_goal(generator));
    }
    return RL_OK;
}

rl_result rl_generator_set_sweep(rl_generator* generator, double start_hz, double end_hz,
                                 double seconds, int loop) {
    if (!rl_generator_usable(generator) || !rl_generator_frequency_valid(generator, start_hz) ||
        !rl_generator_frequency_valid(generator, end_hz) || !isfinite(seconds) ||
        !(seconds > 0.0) || seconds > RL_GENERATOR_MAX_SWEEP_SECONDS) {
        return RL_INVALID_ARGS;
    }
    generator->sweep_start = start_hz;
    generator->sweep_end = end_hz;
    generator->sweep_frames = seconds * generator->sample_rate;
    if (generator->sweep_frames < 1.0) {
        generator->sweep_frames = 1.0;
    }
    generator->sweep_loop = loop != 0 ? 1u : 0u;
    generator->sweep_pos = 0.0;
    return RL_OK;
}

void rl_generator_start(rl_generator* generator) {
    if (!rl_generator_usable(generator) || generator->running) {
        return;
    }
    generator->running = 1;
    if (generator->level == 0.0) {
        generator->phase = 0.0;
        generator->sweep_pos = 0.0;
        generator->impulse_pos = 0.0;
    }
    rl_generator_ramp(generator, rl_generator_goal(generator));
}

void rl_generator_stop(rl_generator* generator) {
    if (!rl_generator_usable(generator) || !generator->running) {
        return;
    }
    generator->running = 0;
    rl_generator_ramp(generator, 0.0);
}

/* Sweep frequency (Hz) at position `pos` frames. */
static double rl_generator_sweep_at(const rl_generator* g, double pos) {
    if (pos >= g->sweep_frames) {
        return g->sweep_end;
    }
    return g->sweep_start * rl_exp(rl_log(g->sweep_end / g->sweep_start) * pos / g->sweep_frames);
}

double rl_generator_frequency(const rl_generator* generator) {
    if (!rl_generator_usable(generator)) {
        return 0.0;
    }
    if (generator->waveform == RL_WAVEFORM_SWEEP) {
        return rl_generator_sweep_at(generator, generator->sweep_pos);
    }
    return generator->frequency;
}

static uint32_t rl_generator_level_for(double inc) {
    uint32_t level = 0;
    while (level + 1u < RL_TABLE_LEVELS && (double)(2u << level) * inc < 0.5) {
        ++level;
    }
    return level;
}

static double rl_generator_white(rl_generator* g) {
    uint32_t x = g->rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    g->rng = x;
    return (double)(int32_t)x * (1.0 / 2147483648.0);
}

/* Raw waveform, -1 .. 1, into out[0 .. n); advances phase, noise, sweep. */
static void rl_generator_render(rl_generator* g, float* out, uint32_t n) {
    uint32_t i;
    double phase = g->phase;
    double inc = g->frequency / g->sample_rate;
    switch (g->waveform) {
    case RL_WAVEFORM_SINE:
        for (i = 0; i < n; ++i) {
            out[i] = (float)rl_sin(RL_TWO_PI * phase);
            phase += inc;
            phase -= phase >= 1.0 ? 1.0 : 0.0;
        }
        break;
    case RL_WAVEFORM_SQUARE:
    case RL_WAVEFORM_SAWTOOTH:
    case RL_WAVEFORM_TRIANGLE: {
        const float* t =
            rl_generator_table(g, g->waveform - RL_WAVEFORM_SQUARE, rl_generator_level_for(inc));
        for (i = 0; i < n; ++i) {
            double pos = phase * (double)RL_TABLE_SIZE;
            uint32_t k = (uint32_t)pos;
            double frac = pos - (double)k;
            double y0;
            double y1;
            double y2;
            double y3;
            double c1;
            double c2;
            double c3;
            k = k < RL_TABLE_SIZE ? k : RL_TABLE_SIZE - 1u;
            /* 4-point cubic Hermite (Catmull-Rom). */
            y0 = t[(int32_t)k - 1];
            y1 = t[k];
            y2 = t[k + 1u];
            y3 = t[k + 2u];
            c1 = 0.5 * (y2 - y0);
            c2 = y0 - 2.5 * y1 + 2.0 * y2 - 0.5 * y3;
            c3 = 0.5 * (y3 - y0) + 1.5 * (y1 - y2);
            out[i] = (float)(((c3 * frac + c2) * frac + c1) * frac + y1);
            phase += inc;
            phase -= phase >= 1.0 ? 1.0 : 0.0;
        }
        break;
    }
    case RL_WAVEFORM_WHITE_NOISE:
        for (i = 0; i < n; ++i) {
            out[i] = (float)rl_generator_white(g);
        }
        break;
    case RL_WAVEFORM_PINK_NOISE: {
        /* Paul Kellet's refined filter: -3 dB/octave within 0.05 dB from
         * about 2e-4 * sample_rate up (it is defined on normalised
         * frequency, so it holds at any rate). */
        double* b = g->pink;
        for (i = 0; i < n; ++i) {
            double w = rl_generator_white(g);
            double p;
            b[0] = 0.99886 * b[0] + w * 0.0555179;
            b[1] = 0.99332 * b[1] + w * 0.0750759;
            b[2] = 0.96900 * b[2] + w * 0.1538520;
            b[3] = 0.86650 * b[3] + w * 0.3104856;
            b[4] = 0.55000 * b[4] + w * 0.5329522;
            b[5] = -0.7616 * b[5] - w * 0.0168980;
            p = (b[0] + b[1] + b[2] + b[3] + b[4] + b[5] + b[6] + w * 0.5362) * RL_PINK_SCALE;
            b[6] = w * 0.115926;
            out[i] = (float)(p > 1.0 ? 1.0 : (p < -1.0 ? -1.0 : p));
        }
        break;
    }
    case RL_WAVEFORM_SWEEP: {
        /* inc grows by a constant ratio per frame; it is recomputed from
         * the closed form once per call so rounding cannot accumulate. */
        double ratio = rl_exp(rl_log(g->sweep_end / g->sweep_start) / g->sweep_frames);
        double pos = g->sweep_pos;
        inc = rl_generator_sweep_at(g, pos) / g->sample_rate;
        for (i = 0; i < n; ++i) {
            out[i] = (float)rl_sin(RL_TWO_PI * phase);
            phase += inc;
            phase -= phase >= 1.0 ? 1.0 : 0.0;
            pos += 1.0;
            if (pos >= g->sweep_frames) {
                if (g->sweep_loop) {
                    pos = 0.0;
                    inc = g->sweep_start / g->sample_rate;
                } else {
                    pos = g->sweep_frames;
                    inc = g->sweep_end / g->sample_rate;
                }
            } else {
                inc *= ratio;
            }
        }
        g->sweep_pos = pos;
        break;
    }
    case RL_WAVEFORM_IMPULSE: {
        /* Counted in frames, not cycles, so that a whole number of frames
         * per period stays exact however long it runs. */
        double period = g->sample_rate / g->frequency;
        double pos = g->impulse_pos;
        for (i = 0; i < n; ++i) {
            pos += 1.0;
            if (pos >= period) {
                /* Due: pos is in [period, period + 1) unless the frequency
                 * rose past it, when the new period starts here. */
                pos -= period;
                pos = pos < 1.0 ? pos : 0.0;
                out[i] = 1.0f;
            } else {
                out[i] = 0.0f;
            }
        }
        g->impulse_pos = pos;
        break;
    }
    case RL_WAVEFORM_MULTITONE: {
        /* cos(2x) = 2 cos(x)^2 - 1 gives each octave from the one below:
         * one cosine per frame, and the rounding error grows at most 4x per
         * octave (under 1e-10 at the tenth). The tones are the octaves
         * below Nyquist, as the wavetable levels count them. */
        uint32_t tones = rl_generator_level_for(inc) + 1u;
        double scale = 1.0 / (double)tones;
        uint32_t k;
        for (i = 0; i < n; ++i) {
            double c = rl_cos(RL_TWO_PI * phase);
            double sum = c;
            for (k = 1; k < tones; ++k) {
                c = 2.0 * c * c - 1.0;
                sum += c;
            }
            out[i] = (float)(sum * scale);
            phase += inc;
            phase -= phase >= 1.0 ? 1.0 : 0.0;
        }
        break;
    }
    default:
        memset(out, 0, (size_t)n * sizeof(float));
        break;
    }
    g->phase = phase;
}

rl_result rl_generator_process(rl_generator* generator, float* const* planar, uint32_t channels,
                               uint32_t frames) {
    rl_generator* g = generator;
    float* out;
    uint32_t c;
    uint32_t i;
    if (!rl_generator_usable(g) ||
        !rl_dsp_buffers_valid(planar, channels, frames, RL_DSP_MAX_CHANNELS)) {
        return RL_INVALID_ARGS;
    }
    out = planar[0];
    if (g->level == 0.0 && g->level_left == 0 && !g->running) {
        for (c = 0; c < channels; ++c) {
            memset(planar[c], 0, (size_t)frames * sizeof(float));
        }
        return RL_OK;
    }
    i = 0;
    while (i < frames) {
        /* Run to the end of the buffer or of the gain ramp, whichever is
         * first, so a waveform switch at the bottom of a fade lands on a
         * frame boundary. */
        uint32_t n = frames - i;
        uint32_t k;
        if (g->level_left > 0 && g->level_left < n) {
            n = g->level_left;
        }
        rl_generator_render(g, out + i, n);
        for (k = 0; k < n; ++k) {
            if (g->level_left > 0) {
                g->level_left--;
                g->level = g->level_left == 0 ? g->level_target : g->level + g->level_step;
            }
            out[i + k] = (float)((double)out[i + k] * g->level);
        }
        i += n;
        if (g->level_left == 0 && g->switching && g->level == 0.0) {
            g->switching = 0;
            g->waveform = g->pending_waveform;
            g->phase = 0.0;
            g->sweep_pos = 0.0;
            g->impulse_pos = 0.0;
            rl_generator_ramp(g, rl_generator_goal(g));
        }
    }
    for (c = 1; c < channels; ++c) {
        memcpy(planar[c], out, (size_t)frames * sizeof(float));
    }
    return RL_OK;
}
