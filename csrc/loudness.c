/* Integrated loudness (ITU-R BS.1770-4) with a bounded block histogram. */
#include "dsp_internal.h"

#define RL_LOUDNESS_MAGIC 0x444C4C52u /* "RLLD" */

/* The shelf and high-pass as BS.1770 defines them at 48 kHz, in the analog
 * form (corner, gain, Q) that reproduces those coefficients, after
 * libebur128 (and pyloudnorm, which derives the same values). */
#define RL_K_SHELF_HZ 1681.974450955533
#define RL_K_SHELF_GAIN_DB 3.999843853973347
#define RL_K_SHELF_Q 0.7071752369554196
#define RL_K_SHELF_VB_EXPONENT 0.4996667741545416
#define RL_K_HIGHPASS_HZ 38.13547087602444
#define RL_K_HIGHPASS_Q 0.5003270373238773

/* Gating blocks are RL_LOUDNESS_BLOCK_HOPS hops long. */
#define RL_LOUDNESS_BLOCK_HOPS 4u

typedef struct rl_loudness_channel {
    double w1[2]; /* transposed direct form II state: shelf, high-pass */
    double w2[2];
    double weight;
    double pad[3];
} rl_loudness_channel;

struct rl_loudness {
    uint32_t magic;
    uint32_t channels;
    uint32_t hop_frames; /* 100 ms, rounded to whole frames */
    uint32_t hop_fill;   /* frames of the current hop measured so far */
    uint32_t hops;       /* complete hops so far, saturating at RL_LOUDNESS_BLOCK_HOPS */
    uint32_t hop_slot;   /* where the next complete hop's energy goes */
    double sample_rate;
    rl_biquad_coeffs shelf;
    rl_biquad_coeffs highpass;
    double hop_energy;                           /* sum_i G_i sum_n y_i[n]^2 of the current hop */
    double hop_energies[RL_LOUDNESS_BLOCK_HOPS]; /* the last complete hops */
    uint64_t blocks;
    uint64_t frames;
    double peak;
    double sum_squares;
    /* Followed by: rl_loudness_channel[channels], then the histogram as
     * double energy[RL_LOUDNESS_HISTOGRAM_BINS] and uint64_t count[...]. */
};

#define RL_LOUDNESS_HEADER_BYTES (((sizeof(struct rl_loudness)) + 63u) & ~(size_t)63u)

static rl_loudness_channel* rl_loudness_channel_at(rl_loudness* l, uint32_t c) {
    return (rl_loudness_channel*)(void*)((unsigned char*)l + RL_LOUDNESS_HEADER_BYTES) + c;
}

static size_t rl_loudness_histogram_offset(uint32_t channels) {
    return RL_LOUDNESS_HEADER_BYTES + rl_dsp_align64(channels * sizeof(rl_loudness_channel));
}

static double* rl_loudness_bin_energy(const rl_loudness* l) {
    return (double*)(void*)((unsigned char*)l + rl_loudness_histogram_offset(l->channels));
}

static uint64_t* rl_loudness_bin_count(const rl_loudness* l) {
    return (uint64_t*)(void*)(rl_loudness_bin_energy(l) + RL_LOUDNESS_HISTOGRAM_BINS);
}

static int rl_loudness_rate_valid(double sample_rate) {
    return sample_rate >= RL_LOUDNESS_MIN_SAMPLE_RATE && sample_rate <= RL_LOUDNESS_MAX_SAMPLE_RATE;
}

rl_loudness_config rl_loudness_config_init(uint32_t channels, double sample_rate) {
    rl_loudness_config c;
    uint32_t i;
    memset(&c, 0, sizeof c);
    c.channels = channels;
    c.sample_rate = sample_rate;
    for (i = 0; i < RL_DSP_MAX_CHANNELS; ++i) {
        c.channel_weights[i] = 1.0;
    }
    if (channels == 4u) {
        c.channel_weights[2] = RL_LOUDNESS_SURROUND_WEIGHT;
        c.channel_weights[3] = RL_LOUDNESS_SURROUND_WEIGHT;
    } else if (channels == 6u) {
        c.channel_weights[3] = 0.0;
        c.channel_weights[4] = RL_LOUDNESS_SURROUND_WEIGHT;
        c.channel_weights[5] = RL_LOUDNESS_SURROUND_WEIGHT;
    }
    return c;
}

static int rl_loudness_config_valid(const rl_loudness_config* c) {
    uint32_t i;
    if (c == NULL || c->channels == 0 || c->channels > RL_DSP_MAX_CHANNELS ||
        !rl_loudness_rate_valid(c->sample_rate)) {
        return 0;
    }
    for (i = 0; i < c->channels; ++i) {
        if (!isfinite(c->channel_weights[i]) || c->channel_weights[i] < 0.0) {
            return 0;
        }
    }
    return 1;
}

rl_result rl_loudness_get_heap_size(const rl_loudness_config* config, size_t* heap_size) {
    if (heap_size == NULL) {
        return RL_INVALID_ARGS;
    }
    *heap_size = 0;
    if (!rl_loudness_config_valid(config)) {
        return RL_INVALID_ARGS;
    }
    *heap_size = rl_loudness_histogram_offset(config->channels) +
                 RL_LOUDNESS_HISTOGRAM_BINS * (sizeof(double) + sizeof(uint64_t));
    return RL_OK;
}

rl_result rl_loudness_k_weighting(double sample_rate, rl_biquad_coeffs* shelf,
                                  rl_biquad_coeffs* highpass) {
    double k;
    double vh;
    double vb;
    double a0;
    if (shelf == NULL || highpass == NULL || !rl_loudness_rate_valid(sample_rate)) {
        return RL_INVALID_ARGS;
    }
    k = rl_tan(RL_PI * RL_K_SHELF_HZ / sample_rate);
    vh = rl_pow(10.0, RL_K_SHELF_GAIN_DB / 20.0);
    vb = rl_pow(vh, RL_K_SHELF_VB_EXPONENT);
    a0 = 1.0 + k / RL_K_SHELF_Q + k * k;
    shelf->b0 = (vh + vb * k / RL_K_SHELF_Q + k * k) / a0;
    shelf->b1 = 2.0 * (k * k - vh) / a0;
    shelf->b2 = (vh - vb * k / RL_K_SHELF_Q + k * k) / a0;
    shelf->a1 = 2.0 * (k * k - 1.0) / a0;
    shelf->a2 = (1.0 - k / RL_K_SHELF_Q + k * k) / a0;
    k = rl_tan(RL_PI * RL_K_HIGHPASS_HZ / sample_rate);
    a0 = 1.0 + k / RL_K_HIGHPASS_Q + k * k;
    /* BS.1770 keeps the high-pass numerator at 1, -2, 1 (not normalised by
     * a0): the -0.691 in the loudness formula accounts for its gain. */
    highpass->b0 = 1.0;
    highpass->b1 = -2.0;
    highpass->b2 = 1.0;
    highpass->a1 = 2.0 * (k * k - 1.0) / a0;
    highpass->a2 = (1.0 - k / RL_K_HIGHPASS_Q + k * k) / a0;
    return RL_OK;
}

static int rl_loudness_usable(const rl_loudness* l) {
    return l != NULL && l->magic == RL_LOUDNESS_MAGIC;
}

void rl_loudness_reset(rl_loudness* loudness) {
    uint32_t c;
    rl_loudness* l = loudness;
    if (!rl_loudness_usable(l)) {
        return;
    }
    for (c = 0; c < l->channels; ++c) {
        rl_loudness_channel* ch = rl_loudness_channel_at(l, c);
        ch->w1[0] = ch->w1[1] = ch->w2[0] = ch->w2[1] = 0.0;
    }
    l->hop_fill = 0;
    l->hops = 0;
    l->hop_slot = 0;
    l->hop_energy = 0.0;
    memset(l->hop_energies, 0, sizeof l->hop_energies);
    l->blocks = 0;
    l->frames = 0;
    l->peak = 0.0;
    l->sum_squares = 0.0;
    memset(rl_loudness_bin_energy(l), 0,
           RL_LOUDNESS_HISTOGRAM_BINS * (sizeof(double) + sizeof(uint64_t)));
}

rl_result rl_loudness_init_preallocated(const rl_loudness_config* config, void* heap,
                                        size_t heap_size, rl_loudness** loudness) {
    size_t need = 0;
    rl_loudness* l;
    uint32_t c;
    double hop;
    if (loudness == NULL) {
        return RL_INVALID_ARGS;
    }
    *loudness = NULL;
    if (!rl_dsp_aligned(heap) || rl_loudness_get_heap_size(config, &need) != RL_OK) {
        return RL_INVALID_ARGS;
    }
    if (heap_size < need) {
        return RL_OUT_OF_MEMORY;
    }
    memset(heap, 0, RL_LOUDNESS_HEADER_BYTES);
    l = (rl_loudness*)heap;
    l->channels = config->channels;
    l->sample_rate = config->sample_rate;
    hop = floor(config->sample_rate * RL_LOUDNESS_HOP_MS / 1000.0 + 0.5);
    l->hop_frames = (uint32_t)hop;
    (void)rl_loudness_k_weighting(config->sample_rate, &l->shelf, &l->highpass);
    for (c = 0; c < config->channels; ++c) {
        rl_loudness_channel_at(l, c)->weight = config->channel_weights[c];
    }
    l->magic = RL_LOUDNESS_MAGIC;
    rl_loudness_reset(l);
    *loudness = l;
    return RL_OK;
}

void rl_loudness_uninit(rl_loudness* loudness) {
    if (rl_loudness_usable(loudness)) {
        loudness->magic = 0;
    }
}

/* One complete hop: the block that ends with it, once there are four. */
static void rl_loudness_end_hop(rl_loudness* l) {
    double energy;
    double lufs;
    double index;
    uint32_t bin;
    uint32_t i;
    l->hop_energies[l->hop_slot] = l->hop_energy;
    l->hop_slot = (l->hop_slot + 1u) % RL_LOUDNESS_BLOCK_HOPS;
    l->hop_energy = 0.0;
    l->hop_fill = 0;
    if (l->hops < RL_LOUDNESS_BLOCK_HOPS) {
        l->hops++;
    }
    if (l->hops < RL_LOUDNESS_BLOCK_HOPS) {
        return;
    }
    energy = 0.0;
    for (i = 0; i < RL_LOUDNESS_BLOCK_HOPS; ++i) {
        energy += l->hop_energies[i];
    }
    energy /= (double)l->hop_frames * (double)RL_LOUDNESS_BLOCK_HOPS;
    l->blocks++;
    if (!(energy > 0.0)) {
        return;
    }
    lufs = -0.691 + 10.0 * rl_log10(energy);
    if (!(lufs > RL_LOUDNESS_ABSOLUTE_GATE_LUFS)) {
        return;
    }
    index = floor((lufs - RL_LOUDNESS_ABSOLUTE_GATE_LUFS) / RL_LOUDNESS_HISTOGRAM_BIN_LU);
    bin = index >= (double)(RL_LOUDNESS_HISTOGRAM_BINS - 1u) ? RL_LOUDNESS_HISTOGRAM_BINS - 1u
                                                             : (uint32_t)index;
    rl_loudness_bin_energy(l)[bin] += energy;
    rl_loudness_bin_count(l)[bin]++;
}

/* K-weights `n` samples of one channel into its filter state; returns the
 * sum of the squared output. Tracks the peak and the plain sum of squares. */
static double rl_loudness_filter(rl_loudness* l, rl_loudness_channel* ch, const float* x,
                                 uint32_t n, double* peak, double* squares) {
    const rl_biquad_coeffs s = l->shelf;
    const rl_biquad_coeffs h = l->highpass;
    double s1 = ch->w1[0];
    double s2 = ch->w1[1];
    double h1 = ch->w2[0];
    double h2 = ch->w2[1];
    double sum = 0.0;
    double sq = 0.0;
    double pk = *peak;
    uint32_t i;
    for (i = 0; i < n; ++i) {
        double v = isfinite(x[i]) ? (double)x[i] : 0.0;
        double a = fabs(v);
        double y;
        double z;
        pk = a > pk ? a : pk;
        sq += v * v;
        y = s.b0 * v + s1;
        s1 = s.b1 * v - s.a1 * y + s2;
        s2 = s.b2 * v - s.a2 * y;
        z = h.b0 * y + h1;
        h1 = h.b1 * y - h.a1 * z + h2;
        h2 = h.b2 * y - h.a2 * z;
        sum += z * z;
    }
    ch->w1[0] = rl_dsp_flush(s1);
    ch->w1[1] = rl_dsp_flush(s2);
    ch->w2[0] = rl_dsp_flush(h1);
    ch->w2[1] = rl_dsp_flush(h2);
    *peak = pk;
    *squares += sq;
    return sum;
}

rl_result rl_loudness_process(rl_loudness* loudness, const float* const* planar, uint32_t channels,
                              uint32_t frames) {
    rl_loudness* l = loudness;
    uint32_t done = 0;
    uint32_t c;
    if (!rl_loudness_usable(l) || planar == NULL || channels != l->channels || frames == 0) {
        return RL_INVALID_ARGS;
    }
    for (c = 0; c < channels; ++c) {
        if (planar[c] == NULL) {
            return RL_INVALID_ARGS;
        }
    }
    while (done < frames) {
        uint32_t n = l->hop_frames - l->hop_fill;
        double squares = 0.0;
        if (n > frames - done) {
            n = frames - done;
        }
        for (c = 0; c < channels; ++c) {
            rl_loudness_channel* ch = rl_loudness_channel_at(l, c);
            double sum = rl_loudness_filter(l, ch, planar[c] + done, n, &l->peak, &squares);
            l->hop_energy += ch->weight * sum;
        }
        l->sum_squares += squares;
        l->hop_fill += n;
        done += n;
        if (l->hop_fill == l->hop_frames) {
            rl_loudness_end_hop(l);
        }
    }
    l->frames += frames;
    return RL_OK;
}

double rl_loudness_integrated(const rl_loudness* loudness) {
    const double* energy;
    const uint64_t* count;
    double sum = 0.0;
    double n = 0.0;
    double gate;
    double start;
    uint32_t first;
    uint32_t b;
    if (!rl_loudness_usable(loudness)) {
        return NAN;
    }
    energy = rl_loudness_bin_energy(loudness);
    count = rl_loudness_bin_count(loudness);
    for (b = 0; b < RL_LOUDNESS_HISTOGRAM_BINS; ++b) {
        sum += energy[b];
        n += (double)count[b];
    }
    if (n == 0.0) {
        return -HUGE_VAL;
    }
    gate = -0.691 + 10.0 * rl_log10(sum / n) + RL_LOUDNESS_RELATIVE_GATE_LU;
    /* The bin holding the gate counts when the gate lies in its lower half. */
    start = floor((gate - RL_LOUDNESS_ABSOLUTE_GATE_LUFS) / RL_LOUDNESS_HISTOGRAM_BIN_LU + 0.5);
    first = start <= 0.0 ? 0u
                         : (start >= (double)(RL_LOUDNESS_HISTOGRAM_BINS - 1u)
                                ? RL_LOUDNESS_HISTOGRAM_BINS - 1u
                                : (uint32_t)start);
    sum = 0.0;
    n = 0.0;
    for (b = first; b < RL_LOUDNESS_HISTOGRAM_BINS; ++b) {
        sum += energy[b];
        n += (double)count[b];
    }
    if (n == 0.0) {
        return -HUGE_VAL;
    }
    return -0.691 + 10.0 * rl_log10(sum / n);
}

uint64_t rl_loudness_blocks(const rl_loudness* loudness) {
    return rl_loudness_usable(loudness) ? loudness->blocks : 0u;
}

uint64_t rl_loudness_frames(const rl_loudness* loudness) {
    return rl_loudness_usable(loudness) ? loudness->frames : 0u;
}

double rl_loudness_sample_peak(const rl_loudness* loudness) {
    return rl_loudness_usable(loudness) ? loudness->peak : 0.0;
}

double rl_loudness_mean_square(const rl_loudness* loudness) {
    if (!rl_loudness_usable(loudness) || loudness->frames == 0) {
        return 0.0;
    }
    return loudness->sum_squares / ((double)loudness->frames * (double)loudness->channels);
}
