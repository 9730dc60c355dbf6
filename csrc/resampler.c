/* Band-limited sample-rate conversion with varispeed (ringlet.h, "Resampler").
 *
 * One prototype filter, h(x) = 2 fc sinc(2 fc x) kaiser(x / H), fc = 0.475,
 * over |x| < H = RL_RESAMPLER_TAPS / 2 samples of the lower rate. The taps for
 * a fractional position phi are row(phi)[m] = h(phi + H - 1 - m), m = 0 ..
 * N - 1; the table holds, for each of RL_RESAMPLER_PHASES segments of phi, the
 * cubic through h at the segment's ends and thirds, as four planes of N
 * floats, so a row costs three multiply-adds per tap in four lanes.
 *
 * The trajectory: P[j], the input position heard at output frame j, as an
 * absolute frame number and a fraction, so that it is exact however long
 * the stream and no result depends on how the calls were cut. It is known
 * RL_RESAMPLER_SPEED_DELAY_FRAMES (A) frames ahead of the next output frame
 * and kept H + 2 frames behind it.
 *
 * Interpolating (step <= 1): y[j] = sum_m row(frac P)[m] x[floor P - H + 1 + m].
 * Decimating (step > 1): input n sits at output time t(n), where the
 * trajectory passes n; it adds x[n] / step * row(frac t)[m] to the
 * accumulator of output floor t - H + 1 + m (the same row: h is even).
 * Output j is complete once every input before P[j + H] has been added.
 * Switching between the forms splices (rl_rs_enter_scatter, rl_rs_scan_exit).
 */
#include "dsp_internal.h"
#include "internal.h"

#define RL_RS_MAGIC 0x53524C52u /* "RLRS" */
#define RL_RS_N RL_RESAMPLER_TAPS
#define RL_RS_H (RL_RESAMPLER_TAPS / 2u)
#define RL_RS_L RL_RESAMPLER_PHASES
#define RL_RS_A RL_RESAMPLER_SPEED_DELAY_FRAMES
#define RL_RS_W RL_RESAMPLER_CROSSFADE_FRAMES
/* A switch between the forms splices over this many output frames... */
#define RL_RS_SPLICE 64u
/* ...and the decimating form runs at least this long, so its two splices
 * never overlap. */
#define RL_RS_DWELL (2u * RL_RS_SPLICE + 1u)
/* Trajectory ring: frames [next - H - 2, next + A + RL_MAX_QUANTUM_FRAMES]. */
#define RL_RS_T 2048u
#define RL_RS_TMASK (RL_RS_T - 1u)
/* Room to pull into beyond what the filter must keep. */
#define RL_RS_PULL_ROOM 1024u
/* Partial accumulators per channel in the decimating form: input n adds
 * into partial n % RL_RS_SPLIT, so each output's sum is split into short
 * chains whose float rounding stays small (138 dB instead of 133 dB). */
#define RL_RS_SPLIT 4u
/* One more plane per channel takes the splices' output-grid samples, so
 * that the order of additions into each plane never depends on timing. */
#define RL_RS_PLANES (RL_RS_SPLIT + 1u)
#define RL_RS_CUTOFF 0.475
#define RL_RS_BETA 15.0

_Static_assert(RL_RS_N % 8u == 0, "taps: a multiple of 8 (two four-lane accumulators)");
_Static_assert(RL_RS_A >= RL_RS_H + RL_RS_W + 1u, "a direct start copies and fades at step 1");
_Static_assert(RL_RS_SPLICE <= RL_RS_H, "a splice's samples lie within the lookahead");
_Static_assert(RL_RS_A >= RL_RS_H + RL_RS_SPLICE + 2u, "an input sees the exit that fades it");
_Static_assert(RL_RS_A >= RL_RS_DWELL, "the entry sees the steps of its dwell");
_Static_assert(RL_RS_T >= RL_RS_H + 3u + RL_RS_A + RL_MAX_QUANTUM_FRAMES, "trajectory ring");

/* For code that runs at init, at a reset or at a switch of form, not per
 * frame: optimised for size (it is most of the resampler's code in
 * ringlet.wasm) and kept out of line. */
#if defined(__clang__)
#define RL_RS_COLD __attribute__((minsize, noinline))
#else
#define RL_RS_COLD __attribute__((cold, noinline))
#endif

/* Four floats; the compilers map it to SSE natively and to simd128 in wasm.
 * Loads and stores go through memcpy: the buffers are not 16-byte aligned. */
typedef float rl_v4 __attribute__((vector_size(16)));

static inline rl_v4 rl_v4_load(const float* p) {
    rl_v4 v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void rl_v4_store(float* p, rl_v4 v) {
    memcpy(p, &v, sizeof v);
}

static inline rl_v4 rl_v4_splat(float x) {
    rl_v4 v = {x, x, x, x};
    return v;
}

/* An input position: frame i plus fraction f, 0 <= f < 1. */
typedef struct rl_rs_pos {
    int64_t i;
    double f;
} rl_rs_pos;

/* The speed state after each trajectory frame, so that frames dropped at
 * the end of a short call can be taken back exactly. */
typedef struct rl_rs_speed {
    float speed;  /* the speed of the step leaving this frame */
    float target; /* where a ramp is heading */
    float inc;    /* per-frame change while ramping */
    uint32_t left;
} rl_rs_speed;

struct rl_resampler {
    uint32_t magic;
    uint32_t channels;
    double ratio; /* input_rate / output_rate at P[frame]; the changes below follow */
    double output_rate;
    double max_input_rate;
    float max_speed;
    uint32_t ramp_frames;
    uint32_t capacity;     /* input buffer frames per channel */
    uint32_t acc_capacity; /* accumulator frames per channel */
    float* table;
    float* row;
    float* row0; /* the taps at phi = 0 */
    rl_rs_pos* traj;
    rl_rs_speed* speeds;
    float* in[RL_RESAMPLER_MAX_CHANNELS];
    float* acc[RL_RESAMPLER_MAX_CHANNELS]; /* RL_RS_PLANES planes of acc_capacity */
    /* Input buffer: in[c][k] is input frame base + k; fill frames held. */
    int64_t base;
    int64_t fill;
    /* Output frames: `frame` is the next one; the trajectory is known to `known`. */
    uint64_t frame;
    uint64_t known;
    rl_rs_speed speed; /* the state after the newest trajectory frame */
    /* Decimating form. */
    uint32_t scatter;
    uint64_t acc_base; /* output frame of acc[c][0] */
    int64_t acc_used;  /* acc[c][0 .. acc_used) may be nonzero */
    int64_t placed;    /* next input frame to add */
    uint64_t cursor;   /* trajectory frame with P[cursor] <= placed */
    uint64_t splice;   /* the last switch to this form; see rl_rs_enter_scatter */
    uint64_t left_at;  /* the last switch back to the interpolating form */
    uint64_t exit;     /* the next frame back in the interpolating form, or 0 */
    uint64_t scan;     /* first trajectory frame not yet checked for an exit */
    uint64_t vnext;    /* next output-grid sample of the exit splice to add */
    /* A direct start: frames since it, while it copies or fades. */
    uint32_t warm;
    uint64_t warm_start;
    /* End of input. */
    uint32_t ended;
    int64_t end; /* the first input frame after the input */
    uint64_t work;
    /* Input-rate changes the trajectory has not passed: from input frame
     * chg_at[k] on, the ratio is chg_ratio[k] (in order of chg_at). */
    uint32_t chg_count;
    int64_t chg_at[RL_RESAMPLER_RATE_CHANGES];
    double chg_ratio[RL_RESAMPLER_RATE_CHANGES];
};

RL_RS_COLD rl_resampler_config rl_resampler_config_init(uint32_t channels, double input_rate,
                                                        double output_rate) {
    rl_resampler_config c;
    c.channels = channels;
    c.input_rate = input_rate;
    c.output_rate = output_rate;
    c.max_speed = RL_RESAMPLER_MAX_SPEED;
    c.max_input_rate = 0.0;
    return c;
}

typedef struct rl_rs_plan {
    size_t table;
    size_t row;
    size_t row0;
    size_t traj;
    size_t speeds;
    size_t in;
    size_t acc;
    size_t total;
    uint32_t capacity;
    uint32_t acc_capacity;
} rl_rs_plan;

static int rl_rs_rate_valid(double rate) {
    return rate >= RL_RESAMPLER_MIN_RATE && rate <= RL_RESAMPLER_MAX_RATE;
}

RL_RS_COLD static int rl_rs_plan_for(const rl_resampler_config* c, rl_rs_plan* plan) {
    double step_max;
    size_t at;
    if (c == NULL || c->channels == 0 || c->channels > RL_RESAMPLER_MAX_CHANNELS ||
        !rl_rs_rate_valid(c->input_rate) || !rl_rs_rate_valid(c->output_rate) ||
        !(c->max_speed >= 1.0 && c->max_speed <= RL_RESAMPLER_MAX_SPEED) ||
        (c->max_input_rate != 0.0 &&
         !(c->max_input_rate >= c->input_rate && c->max_input_rate <= RL_RESAMPLER_MAX_RATE))) {
        return 0;
    }
    /* What the filter keeps: H frames before P[next - H - 1] (a splice
     * interpolates there), and ahead to a decimating frame's lookahead:
     * (2H + 1) steps and 2H frames. */
    step_max = (c->max_input_rate > c->input_rate ? c->max_input_rate : c->input_rate) /
               c->output_rate * c->max_speed;
    if (step_max < 1.0) {
        step_max = 1.0;
    }
    plan->capacity = ((uint32_t)ceil((2.0 * RL_RS_H + 2.0) * step_max) + 2u * RL_RS_H + 16u +
                      RL_RS_PULL_ROOM + 15u) &
                     ~15u;
    plan->acc_capacity = RL_MAX_QUANTUM_FRAMES + RL_RS_N + 64u;
    at = rl_dsp_align64(sizeof(struct rl_resampler));
    plan->table = at;
    at += rl_dsp_align64((size_t)RL_RS_L * 4u * RL_RS_N * sizeof(float));
    plan->row = at;
    at += rl_dsp_align64(RL_RS_N * sizeof(float));
    plan->row0 = at;
    at += rl_dsp_align64(RL_RS_N * sizeof(float));
    plan->traj = at;
    at += rl_dsp_align64(RL_RS_T * sizeof(rl_rs_pos));
    plan->speeds = at;
    at += rl_dsp_align64(RL_RS_T * sizeof(rl_rs_speed));
    plan->in = at;
    at += rl_dsp_align64((size_t)plan->capacity * sizeof(float)) * c->channels;
    plan->acc = at;
    at += rl_dsp_align64((size_t)plan->acc_capacity * sizeof(float)) * RL_RS_PLANES * c->channels;
    plan->total = at;
    return 1;
}

RL_RS_COLD rl_result rl_resampler_get_heap_size(const rl_resampler_config* config,
                                                size_t* heap_size) {
    rl_rs_plan plan;
    if (heap_size == NULL) {
        return RL_INVALID_ARGS;
    }
    *heap_size = 0;
    if (!rl_rs_plan_for(config, &plan)) {
        return RL_INVALID_ARGS;
    }
    *heap_size = plan.total;
    return RL_OK;
}

/* ------------------------------------------------------------------------ */
/* The filter                                                               */
/* ------------------------------------------------------------------------ */

/* I0(sqrt(4 y)) = sum_k y^k / (k!)^2, to double precision for y <= beta^2 / 4
 * (30 terms reach 1e-18 of the sum at y = 56.25). inv_k2[k] = 1 / k^2. */
RL_RS_COLD static double rl_rs_bessel_i0_sq(double y, const double* inv_k2) {
    double term = 1.0;
    double sum = 1.0;
    uint32_t k;
    for (k = 1; k <= 40u; ++k) {
        term *= y * inv_k2[k];
        sum += term;
        if (term < sum * 1e-18) {
            break;
        }
    }
    return sum;
}

/* One "line" of the prototype: h(x) at x = (k0 + i) / (3 L), i = 0 .. 3 L,
 * k0 >= 0 (h is even, so a line at negative x is one of these reversed). The
 * sine rotates by a fixed angle from each line's start. */
RL_RS_COLD static void rl_rs_line(int64_t k0, const double* inv_k2, double gain, double* line) {
    const double w = RL_TWO_PI * RL_RS_CUTOFF / (3.0 * RL_RS_L);
    const double cw = rl_cos(w);
    const double sw = rl_sin(w);
    double sn = rl_sin(w * (double)k0);
    double cs = rl_cos(w * (double)k0);
    uint32_t i;
    for (i = 0; i <= 3u * RL_RS_L; ++i) {
        double x = (double)(k0 + (int64_t)i) / (3.0 * RL_RS_L);
        double t = x / (double)RL_RS_H;
        double ns;
        if (t >= 1.0) {
            line[i] = 0.0;
        } else {
            double sinc = x == 0.0 ? 2.0 * RL_RS_CUTOFF : sn / (RL_PI * x);
            line[i] = sinc *
                      rl_rs_bessel_i0_sq(0.25 * RL_RS_BETA * RL_RS_BETA * (1.0 - t * t), inv_k2) *
                      gain;
        }
        ns = sn * cw + cs * sw;
        cs = cs * cw - sn * sw;
        sn = ns;
    }
}

/* For each segment p (phi in [p/L, (p+1)/L), u = phi L - p) and tap m, the
 * cubic in u through h at u = 0, 1/3, 2/3 and 1, as four planes: tap m's
 * values are h((3 L (H - 1 - m) + 3 p + i) / (3 L)), i = 0 .. 3. The taps
 * are scaled so that a row at phi = 0 sums to exactly 1 (unit DC gain). */
RL_RS_COLD static void rl_rs_build_table(float* table) {
    double inv_k2[41];
    double line[3u * RL_RS_L + 1u];
    double gain;
    double dc;
    uint32_t m;
    uint32_t p;
    uint32_t k;
    size_t i;
    for (k = 1; k <= 40u; ++k) {
        inv_k2[k] = 1.0 / ((double)k * (double)k);
    }
    inv_k2[0] = 1.0;
    /* Unit DC gain at phi = 0: the row there is h(0) + 2 sum_k h(k), with the
     * window left unnormalised (the gain takes I0(beta) out too). */
    dc = 2.0 * RL_RS_CUTOFF * rl_rs_bessel_i0_sq(0.25 * RL_RS_BETA * RL_RS_BETA, inv_k2);
    for (k = 1; k < RL_RS_H; ++k) {
        double t = (double)k / (double)RL_RS_H;
        dc += 2.0 * rl_sin(RL_TWO_PI * RL_RS_CUTOFF * (double)k) / (RL_PI * (double)k) *
              rl_rs_bessel_i0_sq(0.25 * RL_RS_BETA * RL_RS_BETA * (1.0 - t * t), inv_k2);
    }
    gain = 1.0 / dc;
    /* Taps m < H sit at x >= 0; tap N - 1 - m is their mirror. */
    for (m = 0; m < RL_RS_H; ++m) {
        rl_rs_line(3 * (int64_t)RL_RS_L * ((int64_t)RL_RS_H - 1 - (int64_t)m), inv_k2, gain, line);
        for (p = 0; p < RL_RS_L; ++p) {
            uint32_t mirror = RL_RS_N - 1u - m;
            uint32_t q = RL_RS_L - 1u - p;
            const double* y = line + 3u * p;
            float* seg = table + (size_t)p * 4u * RL_RS_N;
            float* mseg = table + (size_t)q * 4u * RL_RS_N;
            /* The mirror tap at segment L - 1 - p runs over the same values
             * backwards: y'[i] = y[3 - i]. */
            double z[4];
            z[0] = y[3];
            z[1] = y[2];
            z[2] = y[1];
            z[3] = y[0];
            seg[m] = (float)y[0];
            seg[RL_RS_N + m] =
                (float)((-11.0 * y[0] + 18.0 * y[1] - 9.0 * y[2] + 2.0 * y[3]) * 0.5);
            seg[2u * RL_RS_N + m] =
                (float)((18.0 * y[0] - 45.0 * y[1] + 36.0 * y[2] - 9.0 * y[3]) * 0.5);
            seg[3u * RL_RS_N + m] =
                (float)((-9.0 * y[0] + 27.0 * y[1] - 27.0 * y[2] + 9.0 * y[3]) * 0.5);
            mseg[mirror] = (float)z[0];
            mseg[RL_RS_N + mirror] =
                (float)((-11.0 * z[0] + 18.0 * z[1] - 9.0 * z[2] + 2.0 * z[3]) * 0.5);
            mseg[2u * RL_RS_N + mirror] =
                (float)((18.0 * z[0] - 45.0 * z[1] + 36.0 * z[2] - 9.0 * z[3]) * 0.5);
            mseg[3u * RL_RS_N + mirror] =
                (float)((-9.0 * z[0] + 27.0 * z[1] - 27.0 * z[2] + 9.0 * z[3]) * 0.5);
        }
    }
    for (i = 0; i < (size_t)RL_RS_L * 4u * RL_RS_N; ++i) {
        if (fabsf(table[i]) < 1e-30f) {
            table[i] = 0.0f;
        }
    }
}

/* The taps for fractional position phi in [0, 1). */
static const float* rl_rs_segment(const struct rl_resampler* rs, double phi, float* u);
static inline rl_v4 rl_rs_taps(const float* seg, rl_v4 u, uint32_t m);

static void rl_rs_row(const struct rl_resampler* rs, double phi, float* row) {
    float u;
    const float* seg = rl_rs_segment(rs, phi, &u);
    rl_v4 uv = rl_v4_splat(u);
    uint32_t m;
    for (m = 0; m < RL_RS_N; m += 4u) {
        rl_v4_store(row + m, rl_rs_taps(seg, uv, m));
    }
}

/* sum_m row[m] x[m], in a fixed order (so native and wasm agree bit for bit). */
static float rl_rs_dot(const float* row, const float* x) {
    rl_v4 a = rl_v4_splat(0.0f);
    rl_v4 b = rl_v4_splat(0.0f);
    uint32_t m;
    for (m = 0; m < RL_RS_N; m += 8u) {
        a += rl_v4_load(row + m) * rl_v4_load(x + m);
        b += rl_v4_load(row + m + 4u) * rl_v4_load(x + m + 4u);
    }
    a += b;
    return (a[0] + a[1]) + (a[2] + a[3]);
}

/* acc[m] += v row[m] for m0 <= m < N. */
static void rl_rs_axpy(float* acc, const float* row, float v, uint32_t m0) {
    rl_v4 vv = rl_v4_splat(v);
    uint32_t m = m0;
    for (; m < RL_RS_N && (m & 3u) != 0; ++m) {
        acc[m] += v * row[m];
    }
    for (; m < RL_RS_N; m += 4u) {
        rl_v4_store(acc + m, rl_v4_load(acc + m) + vv * rl_v4_load(row + m));
    }
}

/* ------------------------------------------------------------------------ */
/* Trajectory and speed                                                     */
/* ------------------------------------------------------------------------ */

static inline rl_rs_pos rl_rs_p(const struct rl_resampler* rs, uint64_t j) {
    return rs->traj[j & RL_RS_TMASK];
}

/* a - b. */
static inline double rl_rs_diff(rl_rs_pos a, rl_rs_pos b) {
    return (double)(a.i - b.i) + (a.f - b.f);
}

/* The step leaving frame j: input frames per output frame there. */
static inline double rl_rs_step(const struct rl_resampler* rs, uint64_t j) {
    return rl_rs_diff(rl_rs_p(rs, j + 1u), rl_rs_p(rs, j));
}

/* The first input frame at or after p. */
static inline int64_t rl_rs_ceil(rl_rs_pos p) {
    return p.i + (p.f > 0.0 ? 1 : 0);
}

static rl_rs_pos rl_rs_advance(rl_rs_pos p, double step) {
    double f = p.f + step;
    double n = floor(f);
    p.i += (int64_t)n;
    p.f = f - n;
    return p;
}

/* P one output frame on from p at `speed`, through the input-rate changes
 * that wait: a step that reaches a change's frame is split there, the rest
 * of it taken at the new ratio. */
static rl_rs_pos rl_rs_walk(const struct rl_resampler* rs, rl_rs_pos p, double speed) {
    double ratio = rs->ratio;
    double left = 1.0;
    uint32_t k = 0;
    while (k < rs->chg_count && rs->chg_at[k] <= p.i) {
        ratio = rs->chg_ratio[k++];
    }
    for (; k < rs->chg_count; ++k) {
        double step = ratio * speed;
        double dist = (double)(rs->chg_at[k] - p.i) - p.f;
        if (step * left < dist) {
            break;
        }
        left -= dist / step;
        if (left < 0.0) {
            left = 0.0;
        }
        p.i = rs->chg_at[k];
        p.f = 0.0;
        ratio = rs->chg_ratio[k];
    }
    return left > 0.0 ? rl_rs_advance(p, ratio * speed * left) : p;
}

/* Moves the changes the next frame's position has reached into rs->ratio. */
static void rl_rs_retire_changes(struct rl_resampler* rs) {
    int64_t at = rl_rs_p(rs, rs->frame).i;
    uint32_t n = 0;
    uint32_t k;
    while (n < rs->chg_count && rs->chg_at[n] <= at) {
        rs->ratio = rs->chg_ratio[n++];
    }
    if (n == 0) {
        return;
    }
    for (k = n; k < rs->chg_count; ++k) {
        rs->chg_at[k - n] = rs->chg_at[k];
        rs->chg_ratio[k - n] = rs->chg_ratio[k];
    }
    rs->chg_count -= n;
}

static float rl_rs_clamp_speed(const struct rl_resampler* rs, float s) {
    if (s < (float)RL_RESAMPLER_MIN_SPEED) {
        return (float)RL_RESAMPLER_MIN_SPEED;
    }
    return s > rs->max_speed ? rs->max_speed : s;
}

/* Extends the trajectory by `frames` steps from this call's speed values. */
static void rl_rs_append(struct rl_resampler* rs, uint32_t frames, const float* speeds,
                         uint32_t count) {
    rl_rs_speed s = rs->speed;
    uint32_t i;
    if (count == 1u && isfinite(speeds[0])) {
        float v = rl_rs_clamp_speed(rs, speeds[0]);
        if (v != s.target) {
            s.target = v;
            s.left = rs->ramp_frames;
            s.inc = (v - s.speed) / (float)rs->ramp_frames;
        }
    }
    for (i = 0; i < frames; ++i) {
        uint64_t j = rs->known;
        if (count > 1u) {
            if (isfinite(speeds[i])) {
                s.speed = rl_rs_clamp_speed(rs, speeds[i]);
            }
            s.target = s.speed;
            s.left = 0;
        } else if (s.left > 0) {
            s.speed = --s.left == 0 ? s.target : rl_rs_clamp_speed(rs, s.speed + s.inc);
        }
        rs->traj[(j + 1u) & RL_RS_TMASK] = rl_rs_walk(rs, rl_rs_p(rs, j), (double)s.speed);
        rs->speeds[(j + 1u) & RL_RS_TMASK] = s;
        rs->known = j + 1u;
    }
    rs->speed = s;
}

/* Takes back the trajectory beyond next + A (the frames a short call did not
 * produce), with the speed state it had there. */
RL_RS_COLD static void rl_rs_truncate(struct rl_resampler* rs) {
    uint64_t keep = rs->frame + RL_RS_A;
    if (rs->known > keep) {
        rs->known = keep;
        rs->speed = rs->speeds[keep & RL_RS_TMASK];
    }
}

/* ------------------------------------------------------------------------ */
/* State                                                                    */
/* ------------------------------------------------------------------------ */

/* rl_resampler_reset and rl_resampler_reset_rate: `new_ratio` > 0 is the input
 * ratio from the reset on (after the changes for frames already pulled). */
RL_RS_COLD static rl_result rl_rs_reset(struct rl_resampler* rs, rl_resampler_start start,
                                        double speed, double new_ratio) {
    double step0;
    double p0;
    double look;
    double ratio;
    int64_t zeros;
    int64_t pulled;
    uint64_t j;
    uint32_t c;
    uint32_t k;
    uint32_t n = 0;
    /* The input is numbered from the reset on: changes for frames already
     * pulled (dropped now) apply at once, the others move with the count. */
    pulled = rs->base + rs->fill;
    ratio = rs->ratio;
    while (n < rs->chg_count && rs->chg_at[n] <= pulled) {
        ratio = rs->chg_ratio[n++];
    }
    if (new_ratio > 0.0) {
        ratio = new_ratio;
    }
    if ((start != RL_RESAMPLER_START_SILENT && start != RL_RESAMPLER_START_ALIGNED &&
         (start != RL_RESAMPLER_START_DIRECT || ratio != 1.0)) ||
        (speed != 0.0 && !(speed >= RL_RESAMPLER_MIN_SPEED && speed <= (double)rs->max_speed)) ||
        (start == RL_RESAMPLER_START_DIRECT && speed != 0.0 && speed != 1.0)) {
        return RL_INVALID_ARGS;
    }
    rs->ratio = ratio;
    for (k = n; k < rs->chg_count; ++k) {
        rs->chg_at[k - n] = rs->chg_at[k] - pulled;
        rs->chg_ratio[k - n] = rs->chg_ratio[k];
    }
    rs->chg_count -= n;
    if (start == RL_RESAMPLER_START_DIRECT) {
        rs->speed.speed = 1.0f;
    } else if (speed != 0.0) {
        rs->speed.speed = (float)speed;
    } else if (rs->speed.left > 0) {
        rs->speed.speed = rs->speed.target;
    }
    rs->speed.target = rs->speed.speed;
    rs->speed.inc = 0.0f;
    rs->speed.left = 0;
    step0 = rs->ratio * (double)rs->speed.speed;
    look = start == RL_RESAMPLER_START_SILENT ? (double)RL_RS_H * (step0 > 1.0 ? step0 : 1.0) : 0.0;
    /* Silence before the stream: as much history as the filter keeps. */
    zeros = (int64_t)ceil(look + ((double)RL_RS_H + 2.0) * step0) + 2 * (int64_t)RL_RS_H + 4;
    for (c = 0; c < rs->channels; ++c) {
        memset(rs->in[c], 0, (size_t)zeros * sizeof(float));
    }
    rs->base = -zeros;
    rs->fill = zeros;
    p0 = -look;
    rs->frame = RL_RS_T;
    rs->known = rs->frame + RL_RS_A;
    for (j = rs->frame - RL_RS_H - 2u; j <= rs->known; ++j) {
        double v = p0 + (double)((int64_t)j - (int64_t)rs->frame) * step0;
        rl_rs_pos p;
        p.i = (int64_t)floor(v);
        p.f = v - floor(v);
        /* Ahead of the first frame, through the changes that wait. */
        if (j > rs->frame) {
            p = rl_rs_walk(rs, rl_rs_p(rs, j - 1u), (double)rs->speed.speed);
        }
        rs->traj[j & RL_RS_TMASK] = p;
        rs->speeds[j & RL_RS_TMASK] = rs->speed;
    }
    rs->scatter = 0;
    rs->exit = 0;
    rs->scan = rs->frame;
    rs->vnext = 0;
    rs->acc_base = rs->frame;
    rs->acc_used = 0;
    rs->placed = 0;
    rs->cursor = rs->frame;
    rs->splice = rs->frame;
    rs->left_at = rs->frame - RL_RS_H;
    rs->warm = start == RL_RESAMPLER_START_DIRECT;
    rs->warm_start = rs->frame;
    rs->ended = 0;
    rs->end = 0;
    return RL_OK;
}

RL_RS_COLD rl_result rl_resampler_reset(rl_resampler* rs, rl_resampler_start start, double speed) {
    if (rs == NULL) {
        return RL_INVALID_ARGS;
    }
    if (rs->magic != RL_RS_MAGIC) {
        return RL_INVALID_STATE;
    }
    return rl_rs_reset(rs, start, speed, 0.0);
}

RL_RS_COLD rl_result rl_resampler_reset_rate(rl_resampler* rs, rl_resampler_start start,
                                             double speed, double input_rate) {
    if (rs == NULL) {
        return RL_INVALID_ARGS;
    }
    if (rs->magic != RL_RS_MAGIC) {
        return RL_INVALID_STATE;
    }
    if (!(input_rate >= RL_RESAMPLER_MIN_RATE && input_rate <= rs->max_input_rate)) {
        return RL_INVALID_ARGS;
    }
    return rl_rs_reset(rs, start, speed, input_rate / rs->output_rate);
}

RL_RS_COLD rl_result rl_resampler_init_preallocated(const rl_resampler_config* config, void* heap,
                                                    size_t heap_size, rl_resampler** resampler) {
    rl_rs_plan plan;
    unsigned char* base = (unsigned char*)heap;
    struct rl_resampler* rs;
    uint32_t c;
    if (resampler == NULL) {
        return RL_INVALID_ARGS;
    }
    *resampler = NULL;
    if (!rl_dsp_aligned(heap) || !rl_rs_plan_for(config, &plan)) {
        return RL_INVALID_ARGS;
    }
    if (heap_size < plan.total) {
        return RL_OUT_OF_MEMORY;
    }
    memset(heap, 0, sizeof(struct rl_resampler));
    rs = (struct rl_resampler*)heap;
    rs->channels = config->channels;
    rs->ratio = config->input_rate / config->output_rate;
    rs->output_rate = config->output_rate;
    rs->max_input_rate =
        config->max_input_rate > config->input_rate ? config->max_input_rate : config->input_rate;
    rs->chg_count = 0;
    rs->max_speed = (float)config->max_speed;
    rs->ramp_frames = (uint32_t)ceil(RL_RESAMPLER_SPEED_RAMP_MS * config->output_rate / 1000.0);
    rs->capacity = plan.capacity;
    rs->acc_capacity = plan.acc_capacity;
    rs->table = (float*)(void*)(base + plan.table);
    rs->row = (float*)(void*)(base + plan.row);
    rs->row0 = (float*)(void*)(base + plan.row0);
    rs->traj = (rl_rs_pos*)(void*)(base + plan.traj);
    rs->speeds = (rl_rs_speed*)(void*)(base + plan.speeds);
    for (c = 0; c < rs->channels; ++c) {
        size_t acc_bytes = rl_dsp_align64((size_t)plan.acc_capacity * sizeof(float));
        rs->in[c] = (float*)(void*)(base + plan.in +
                                    c * rl_dsp_align64((size_t)plan.capacity * sizeof(float)));
        rs->acc[c] = (float*)(void*)(base + plan.acc + c * RL_RS_PLANES * acc_bytes);
        memset(rs->acc[c], 0, RL_RS_PLANES * acc_bytes);
    }
    memset(rs->row, 0, RL_RS_N * sizeof(float));
    rl_rs_build_table(rs->table);
    rl_rs_row(rs, 0.0, rs->row0);
    rs->speed.speed = 1.0f;
    rs->speed.target = 1.0f;
    rs->magic = RL_RS_MAGIC;
    rl_resampler_reset(rs, RL_RESAMPLER_START_SILENT, 1.0);
    rs->work = 0;
    *resampler = rs;
    return RL_OK;
}

void rl_resampler_uninit(rl_resampler* rs) {
    if (rs != NULL && rs->magic == RL_RS_MAGIC) {
        rs->magic = 0;
    }
}

/* ------------------------------------------------------------------------ */
/* Input                                                                    */
/* ------------------------------------------------------------------------ */

/* Whether frame j switches to the decimating form: the step stays above 1
 * for RL_RS_DWELL frames from j (so the entry's and the exit's fades never
 * overlap), and the interpolating form has run H frames since it last took
 * over (so the entry splice never interpolates inside the last decimating
 * run). Otherwise the interpolating form carries on: it is still an exact
 * interpolation, and at a step above 1 only aliases what lies above the
 * output's Nyquist frequency, for a moment. A switch in and out costs
 * 2 (H + SPLICE) interpolated samples, at most once per H + RL_RS_DWELL
 * frames however the speed moves. */
static int rl_rs_enters(const struct rl_resampler* rs, uint64_t j) {
    uint64_t k;
    if (rs->warm || rs->scatter || j < rs->left_at + RL_RS_H) {
        return 0;
    }
    for (k = j; k < j + RL_RS_DWELL; ++k) {
        if (rl_rs_step(rs, k) <= 1.0) {
            return 0;
        }
    }
    return 1;
}

/* The input frames output frame j needs: all before the one returned. */
static int64_t rl_rs_need(const struct rl_resampler* rs, uint64_t j) {
    int64_t p = rl_rs_p(rs, j).i;
    int64_t s;
    if (rs->warm && j - rs->warm_start < RL_RS_H) {
        return p + 1; /* a copied frame */
    }
    s = rl_rs_ceil(rl_rs_p(rs, j + RL_RS_H));
    /* A switch to the decimating form interpolates up to P[j + SPLICE - 1],
     * an exit splice up to P[j + H - 1] (rl_rs_add_exit_samples; the exit
     * may be found as the form starts). */
    if (rl_rs_enters(rs, j)) {
        p = rl_rs_p(rs, j + RL_RS_H - 1u).i;
    } else if (rs->scatter && rs->exit != 0) {
        uint64_t k = j + RL_RS_H - 1u;
        int64_t q = rl_rs_p(rs, k < rs->exit + RL_RS_H - 2u ? k : rs->exit + RL_RS_H - 2u).i;
        p = q > p ? q : p;
    }
    p += (int64_t)RL_RS_H + 1;
    return p > s ? p : s;
}

/* Drops input the filter no longer needs, to make room. */
RL_RS_COLD static void rl_rs_shift(struct rl_resampler* rs) {
    /* A splice at the next frame interpolates from P[next - H + 1]. */
    int64_t keep = rl_rs_p(rs, rs->frame - RL_RS_H - 1u).i - (int64_t)RL_RS_H - 2;
    int64_t k;
    uint32_t c;
    if (rs->scatter && keep > rs->placed) {
        keep = rs->placed;
    }
    k = keep - rs->base;
    if (k <= 0) {
        return;
    }
    for (c = 0; c < rs->channels; ++c) {
        memmove(rs->in[c], rs->in[c] + k, (size_t)(rs->fill - k) * sizeof(float));
    }
    rs->fill -= k;
    rs->base += k;
}

/* Pulls toward `goal` (all input frames before it held). Returns nonzero if
 * the buffer grew; sets *starved when the pull ran short. */
static int rl_rs_fill(struct rl_resampler* rs, int64_t goal, rl_resampler_pull pull, void* user,
                      int* starved) {
    float* dst[RL_RESAMPLER_MAX_CHANNELS];
    int64_t want = goal - rs->base - rs->fill;
    uint32_t got = 0;
    uint32_t c;
    if (want <= 0) {
        return 0;
    }
    if (rs->fill + want > (int64_t)rs->capacity) {
        rl_rs_shift(rs);
        if (rs->fill + want > (int64_t)rs->capacity) {
            want = (int64_t)rs->capacity - rs->fill;
        }
    }
    if (want <= 0) {
        return 0;
    }
    for (c = 0; c < rs->channels; ++c) {
        dst[c] = rs->in[c] + rs->fill;
    }
    if (!rs->ended) {
        int ended = 0;
        got = pull(user, dst, (uint32_t)want, &ended);
        if (got > (uint32_t)want) {
            got = (uint32_t)want;
        }
        for (c = 0; c < rs->channels; ++c) {
            rl_dsp_sanitize(dst[c], got);
        }
        if (ended) {
            rs->ended = 1u;
            rs->end = rs->base + rs->fill + got;
        } else if (got < (uint32_t)want) {
            *starved = 1;
        }
    }
    if (rs->ended) {
        /* After the end: silence, so the last frames' filter tail plays. */
        for (c = 0; c < rs->channels; ++c) {
            memset(dst[c] + got, 0, (size_t)((uint32_t)want - got) * sizeof(float));
        }
        got = (uint32_t)want;
    }
    rs->fill += got;
    return got > 0;
}

/* ------------------------------------------------------------------------ */
/* Output                                                                   */
/* ------------------------------------------------------------------------ */

/* Plane `plane` of channel c's accumulators. */
static inline float* rl_rs_plane(const struct rl_resampler* rs, uint32_t c, uint32_t plane) {
    return rs->acc[c] +
           (size_t)plane * rl_dsp_align64((size_t)rs->acc_capacity * sizeof(float)) / sizeof(float);
}

/* The splices' fade: 0 for u <= 0, 1 for u >= 1, and 6u^5 - 15u^4 + 10u^3
 * between, whose first and second derivatives vanish at both ends, so the
 * fade itself adds little above the cutoff (with 3u^2 - 2u^3 a smooth speed
 * sweep through 1 came out at -98 dB instead of -125 dB). */
static double rl_rs_smooth(double u) {
    return u <= 0.0 ? 0.0 : u >= 1.0 ? 1.0 : u * u * u * (u * (u * 6.0 - 15.0) + 10.0);
}

static double rl_rs_min(double a, double b) {
    return a < b ? a : b;
}

/* The output time of input frame n, as the trajectory frame before it
 * (rs->cursor, absolute) plus the returned fraction 0 .. 1, and dt/dn there.
 *
 * Between frames the trajectory is a monotone cubic (Hermite through the
 * P[j], slopes the central differences limited to 3 times the smaller
 * neighbouring step, Fritsch and Carlson's condition), so the warp is
 * smooth: the weights 1/step then vary continuously from one input to the
 * next, and a gliding speed adds no error of its own (with straight
 * segments, a 5 ms glide erred by -70 dB). The cubic is inverted by
 * Newton's method, kept inside its bracket by bisection. */
static double rl_rs_time(struct rl_resampler* rs, int64_t n, double* inv) {
    rl_rs_pos p1;
    double d, dm, dp, m0, m1, a2, a3, r, t, lo, hi;
    int k;
    while (rl_rs_ceil(rl_rs_p(rs, rs->cursor + 1u)) <= n) {
        ++rs->cursor;
    }
    p1 = rl_rs_p(rs, rs->cursor);
    d = rl_rs_step(rs, rs->cursor);
    dm = rl_rs_step(rs, rs->cursor - 1u);
    dp = rl_rs_step(rs, rs->cursor + 1u);
    m0 = rl_rs_min(0.5 * (dm + d), 3.0 * rl_rs_min(dm, d));
    m1 = rl_rs_min(0.5 * (d + dp), 3.0 * rl_rs_min(d, dp));
    /* P(t) = P[cursor] + m0 t + a2 t^2 + a3 t^3 on 0 <= t <= 1. */
    a2 = 3.0 * d - 2.0 * m0 - m1;
    a3 = m0 + m1 - 2.0 * d;
    r = (double)(n - p1.i) - p1.f;
    t = r / d;
    lo = 0.0;
    hi = 1.0;
    for (k = 0; k < 12; ++k) {
        double f = ((a3 * t + a2) * t + m0) * t - r;
        double fp = (3.0 * a3 * t + 2.0 * a2) * t + m0;
        double next;
        if (f == 0.0) {
            break;
        }
        if (f > 0.0) {
            hi = t;
        } else {
            lo = t;
        }
        next = t - f / fp;
        if (!(next >= lo && next <= hi)) {
            next = 0.5 * (lo + hi);
        }
        if (fabs(next - t) < 1e-13) {
            t = next;
            break;
        }
        t = next;
    }
    *inv = 1.0 / ((3.0 * a3 * t + 2.0 * a2) * t + m0);
    return t;
}

/* Plane `plane` += values[c] row for outputs acc_base + lo + m, skipping
 * those before acc_base. */
static void rl_rs_add(struct rl_resampler* rs, int64_t lo, const float* row, const float* values,
                      uint32_t plane) {
    uint32_t m0 = lo < 0 ? (uint32_t)(-lo) : 0u;
    uint32_t c;
    if (m0 >= RL_RS_N) {
        return;
    }
    if (lo + (int64_t)RL_RS_N > (int64_t)rs->acc_capacity) {
        rl_panic(RL_PANIC_CORRUPT, "resampler: accumulator overrun");
    }
    for (c = 0; c < rs->channels; ++c) {
        rl_rs_axpy(rl_rs_plane(rs, c, plane) + lo, row, values[c], m0);
    }
    rs->work += (RL_RS_N - m0) * rs->channels;
    if (lo + (int64_t)RL_RS_N > rs->acc_used) {
        rs->acc_used = lo + (int64_t)RL_RS_N;
    }
}

/* rl_rs_add with the taps at phi, computed on the way for one or two
 * channels (the same values, added in the same order). */
static void rl_rs_add_taps(struct rl_resampler* rs, int64_t lo, double phi, const float* values,
                           uint32_t plane) {
    float uf;
    const float* seg;
    float* acc0;
    float* acc1;
    rl_v4 u;
    rl_v4 v0;
    rl_v4 v1;
    uint32_t m;
    if (rs->channels > 2u || lo < 0) {
        rl_rs_row(rs, phi, rs->row);
        rl_rs_add(rs, lo, rs->row, values, plane);
        return;
    }
    if (lo + (int64_t)RL_RS_N > (int64_t)rs->acc_capacity) {
        rl_panic(RL_PANIC_CORRUPT, "resampler: accumulator overrun");
    }
    seg = rl_rs_segment(rs, phi, &uf);
    u = rl_v4_splat(uf);
    acc0 = rl_rs_plane(rs, 0, plane) + lo;
    acc1 = rl_rs_plane(rs, rs->channels - 1u, plane) + lo;
    v0 = rl_v4_splat(values[0]);
    v1 = rl_v4_splat(values[rs->channels - 1u]);
    for (m = 0; m < RL_RS_N; m += 4u) {
        rl_v4 taps = rl_rs_taps(seg, u, m);
        rl_v4_store(acc0 + m, rl_v4_load(acc0 + m) + v0 * taps);
        if (rs->channels == 2u) {
            rl_v4_store(acc1 + m, rl_v4_load(acc1 + m) + v1 * taps);
        }
    }
    rs->work += RL_RS_N * rs->channels;
    if (lo + (int64_t)RL_RS_N > rs->acc_used) {
        rs->acc_used = lo + (int64_t)RL_RS_N;
    }
}

/* Adds the pending inputs to the accumulators, as far as the settled
 * trajectory allows: only frames before next + A are settled (a short call
 * takes back the rest), and an input's time and fades look up to SPLICE + 2
 * frames on. Input from the exit on is carried by the exit splice. */
static void rl_rs_place(struct rl_resampler* rs) {
    int64_t limit = rl_rs_ceil(rl_rs_p(rs, rs->frame + RL_RS_A - RL_RS_SPLICE - 2u));
    int64_t stop = rs->exit != 0 ? rl_rs_ceil(rl_rs_p(rs, rs->exit)) : INT64_MAX;
    float values[RL_RESAMPLER_MAX_CHANNELS];
    uint32_t c;
    if (limit > rs->base + rs->fill) {
        limit = rs->base + rs->fill;
    }
    for (; rs->placed < limit; ++rs->placed) {
        double inv;
        double t;
        double whole;
        int64_t j;
        if (rs->placed >= stop) {
            continue;
        }
        /* Frame and fraction apart, so nothing depends on where acc_base is. */
        t = rl_rs_time(rs, rs->placed, &inv);
        j = (int64_t)rs->cursor;
        /* Fade in after the entry, out before the exit. */
        inv *= rl_rs_smooth(((double)(j - (int64_t)rs->splice + 1) + t) / (RL_RS_SPLICE + 1.0));
        if (rs->exit != 0) {
            inv *= 1.0 -
                   rl_rs_smooth(((double)(j - (int64_t)rs->exit + (int64_t)RL_RS_SPLICE + 1) + t) /
                                (RL_RS_SPLICE + 1.0));
        }
        if (inv == 0.0) {
            continue;
        }
        whole = floor(t);
        rs->work += RL_RS_N * 3u;
        for (c = 0; c < rs->channels; ++c) {
            values[c] = rs->in[c][rs->placed - rs->base] * (float)inv;
        }
        /* By absolute index, so the sums do not depend on how calls were cut. */
        rl_rs_add_taps(rs, j + (int64_t)whole - (int64_t)RL_RS_H + 1 - (int64_t)rs->acc_base,
                       t - whole, values, (uint32_t)((uint64_t)rs->placed % RL_RS_SPLIT));
    }
}

/* The segment of the table for phi, and u, phi's place in it. */
static const float* rl_rs_segment(const struct rl_resampler* rs, double phi, float* u) {
    double x = phi * (double)RL_RS_L;
    uint32_t p = (uint32_t)x;
    if (p >= RL_RS_L) {
        p = RL_RS_L - 1u;
    }
    *u = (float)(x - (double)p);
    return rs->table + (size_t)p * 4u * RL_RS_N;
}

/* Taps m .. m + 3 of a segment at u. */
static inline rl_v4 rl_rs_taps(const float* seg, rl_v4 u, uint32_t m) {
    rl_v4 c0 = rl_v4_load(seg + m);
    rl_v4 c1 = rl_v4_load(seg + RL_RS_N + m);
    rl_v4 c2 = rl_v4_load(seg + 2u * RL_RS_N + m);
    rl_v4 c3 = rl_v4_load(seg + 3u * RL_RS_N + m);
    return c0 + u * (c1 + u * (c2 + u * c3));
}

static inline float rl_rs_hsum(rl_v4 a, rl_v4 b) {
    a += b;
    return (a[0] + a[1]) + (a[2] + a[3]);
}

/* The interpolating form's value at position p, per channel. For one or two
 * channels the taps stay in registers; the sums are the same, in the same
 * order, as rl_rs_row then rl_rs_dot. */
static void rl_rs_gather(struct rl_resampler* rs, rl_rs_pos p, float* values) {
    const int64_t at = p.i - (int64_t)RL_RS_H + 1 - rs->base;
    uint32_t c;
    if (at < 0 || at + (int64_t)RL_RS_N > rs->fill) {
        rl_panic(RL_PANIC_CORRUPT, "resampler: interpolating outside the input held");
    }
    rs->work += RL_RS_N * (3u + rs->channels);
    if (rs->channels == 1u) {
        float uf;
        const float* seg = rl_rs_segment(rs, p.f, &uf);
        const float* x0 = rs->in[0] + at;
        rl_v4 u = rl_v4_splat(uf);
        rl_v4 a0 = rl_v4_splat(0.0f);
        rl_v4 b0 = a0;
        uint32_t m;
        for (m = 0; m < RL_RS_N; m += 8u) {
            a0 += rl_rs_taps(seg, u, m) * rl_v4_load(x0 + m);
            b0 += rl_rs_taps(seg, u, m + 4u) * rl_v4_load(x0 + m + 4u);
        }
        values[0] = rl_rs_hsum(a0, b0);
        return;
    }
    if (rs->channels == 2u) {
        float uf;
        const float* seg = rl_rs_segment(rs, p.f, &uf);
        const float* x0 = rs->in[0] + at;
        const float* x1 = rs->in[1] + at;
        rl_v4 u = rl_v4_splat(uf);
        rl_v4 a0 = rl_v4_splat(0.0f);
        rl_v4 b0 = a0;
        rl_v4 a1 = a0;
        rl_v4 b1 = a0;
        uint32_t m;
        for (m = 0; m < RL_RS_N; m += 8u) {
            rl_v4 ta = rl_rs_taps(seg, u, m);
            rl_v4 tb = rl_rs_taps(seg, u, m + 4u);
            a0 += ta * rl_v4_load(x0 + m);
            b0 += tb * rl_v4_load(x0 + m + 4u);
            a1 += ta * rl_v4_load(x1 + m);
            b1 += tb * rl_v4_load(x1 + m + 4u);
        }
        values[0] = rl_rs_hsum(a0, b0);
        values[1] = rl_rs_hsum(a1, b1);
        return;
    }
    rl_rs_row(rs, p.f, rs->row);
    for (c = 0; c < rs->channels; ++c) {
        values[c] = rl_rs_dot(rs->row, rs->in[c] + at);
    }
}

/* Adds output-grid sample k (the interpolating form's value at P[k], times
 * `fade`) to the accumulators, through the taps at phi = 0. */
RL_RS_COLD static void rl_rs_add_sample(struct rl_resampler* rs, uint64_t k, float fade) {
    float values[RL_RESAMPLER_MAX_CHANNELS];
    uint32_t c;
    int64_t lo = (int64_t)k - (int64_t)RL_RS_H + 1 - (int64_t)rs->acc_base;
    if (lo + (int64_t)RL_RS_N <= 0 || fade == 0.0f) {
        return;
    }
    rl_rs_gather(rs, rl_rs_p(rs, k), values);
    for (c = 0; c < rs->channels; ++c) {
        values[c] *= fade;
    }
    rl_rs_add(rs, lo, rs->row0, values, RL_RS_SPLIT);
}

/* Finds the next frame whose step is back at 1 or below, where the
 * decimating form ends, within the settled trajectory (before next + A).
 *
 * An input frame that arrives at a step below 1 must not go through the
 * output-grid filter (its images would pass), so the form leaves by a splice
 * too: before the exit the input fades out, over SPLICE frames, while
 * output-grid samples of the interpolating form fade in, and carry the
 * signal past the exit for the decimating form's last outputs. */
RL_RS_COLD static void rl_rs_scan_exit(struct rl_resampler* rs) {
    uint64_t j;
    if (!rs->scatter || rs->exit != 0) {
        return;
    }
    for (j = rs->scan > rs->frame ? rs->scan : rs->frame; j < rs->frame + RL_RS_A; ++j) {
        if (rl_rs_step(rs, j) <= 1.0) {
            rs->exit = j;
            rs->vnext = j - RL_RS_SPLICE;
            break;
        }
    }
    rs->scan = j;
}

/* The exit splice's output-grid samples up to frame `upto`. */
RL_RS_COLD static void rl_rs_add_exit_samples(struct rl_resampler* rs, uint64_t upto) {
    if (upto > rs->exit + RL_RS_H - 2u) {
        upto = rs->exit + RL_RS_H - 2u;
    }
    for (; rs->vnext <= upto; ++rs->vnext) {
        double u = ((double)rs->vnext - (double)rs->exit + (double)RL_RS_SPLICE + 1.0) /
                   (RL_RS_SPLICE + 1.0);
        rl_rs_add_sample(rs, rs->vnext, (float)rl_rs_smooth(u));
    }
}

/* Switches to the decimating form at output frame e.
 *
 * Adding the held input again would be wrong where it arrived at a step
 * below 1 (its images would pass the output-grid filter), so the switch
 * splices: the signal before e is represented by its output-grid samples,
 * the interpolating form's values at P[k], fading out as the input frames
 * fade in, both by rl_rs_smooth over SPLICE frames. Where both represent
 * the signal the sum is exact (for content below the cutoff less the fade's
 * bandwidth); a jump in the step hands over without a click. Costs H +
 * SPLICE interpolated samples. */
RL_RS_COLD static void rl_rs_enter_scatter(struct rl_resampler* rs, uint64_t e) {
    uint64_t k;
    uint32_t c;
    for (c = 0; c < rs->channels; ++c) {
        memset(rs->acc[c], 0,
               RL_RS_PLANES * rl_dsp_align64((size_t)rs->acc_capacity * sizeof(float)));
    }
    rs->scatter = 1u;
    rs->acc_base = e;
    rs->acc_used = 0;
    rs->splice = e;
    rs->exit = 0;
    rs->scan = e + 1u;
    rl_rs_scan_exit(rs);
    /* Output-grid samples from k = e - H + 1, the first that reaches e. */
    for (k = e - RL_RS_H + 1u; k < e + RL_RS_SPLICE; ++k) {
        double u = ((double)k - (double)e + 1.0) / (RL_RS_SPLICE + 1.0);
        rl_rs_add_sample(rs, k, (float)(1.0 - rl_rs_smooth(u)));
    }
    /* Input from output time e - 1 on, where its fade-in starts. */
    rs->placed = rl_rs_p(rs, e - 1u).i + 1;
    rs->cursor = e - 2u;
    rl_rs_place(rs);
}

/* Moves the accumulators so that acc[c][0] is the next output frame. */
RL_RS_COLD static void rl_rs_rebase_acc(struct rl_resampler* rs) {
    int64_t k = (int64_t)(rs->frame - rs->acc_base);
    int64_t live = rs->acc_used - k;
    uint32_t c;
    if (k <= 0) {
        return;
    }
    if (live < 0) {
        live = 0;
    }
    for (c = 0; c < rs->channels * RL_RS_PLANES; ++c) {
        float* a = rl_rs_plane(rs, c / RL_RS_PLANES, c % RL_RS_PLANES);
        memmove(a, a + k, (size_t)live * sizeof(float));
        memset(a + live, 0, (size_t)(rs->acc_used - live) * sizeof(float));
    }
    rs->acc_used = live;
    rs->acc_base = rs->frame;
}

static void rl_rs_emit(struct rl_resampler* rs, float* const* out, uint32_t i) {
    uint64_t e = rs->frame;
    rl_rs_pos p = rl_rs_p(rs, e);
    /* The entry's dwell puts the exit RL_RS_DWELL frames on at least. */
    int scatter = rs->scatter ? rs->exit == 0 || e < rs->exit : rl_rs_enters(rs, e);
    float values[RL_RESAMPLER_MAX_CHANNELS];
    uint32_t c;
    if (scatter && !rs->scatter) {
        rl_rs_enter_scatter(rs, e);
    } else if (!scatter && rs->scatter) {
        rs->scatter = 0;
        rs->exit = 0;
        rs->left_at = e;
    }
    if (scatter) {
        size_t at = (size_t)(e - rs->acc_base);
        rl_rs_place(rs);
        if (rs->exit != 0) {
            rl_rs_add_exit_samples(rs, e + RL_RS_H - 1u);
        }
        for (c = 0; c < rs->channels; ++c) {
            out[c][i] = ((rl_rs_plane(rs, c, 0)[at] + rl_rs_plane(rs, c, 1)[at]) +
                         (rl_rs_plane(rs, c, 2)[at] + rl_rs_plane(rs, c, 3)[at])) +
                        rl_rs_plane(rs, c, RL_RS_SPLIT)[at];
        }
        return;
    }
    if (rs->warm && e - rs->warm_start < RL_RS_H) {
        if (p.i < rs->base || p.i >= rs->base + rs->fill) {
            rl_panic(RL_PANIC_CORRUPT, "resampler: copying outside the input held");
        }
        for (c = 0; c < rs->channels; ++c) {
            out[c][i] = rs->in[c][p.i - rs->base];
        }
        return;
    }
    rl_rs_gather(rs, p, values);
    for (c = 0; c < rs->channels; ++c) {
        out[c][i] = values[c];
    }
    if (rs->warm) {
        uint64_t wc = e - rs->warm_start;
        float g = (float)(wc - RL_RS_H + 1u) / (float)(RL_RS_W + 1u);
        for (c = 0; c < rs->channels; ++c) {
            float raw = rs->in[c][p.i - rs->base];
            out[c][i] = raw + g * (out[c][i] - raw);
        }
        if (wc + 1u >= RL_RS_H + RL_RS_W) {
            rs->warm = 0;
        }
    }
}

static int rl_rs_valid(const struct rl_resampler* rs) {
    return rs != NULL && rs->magic == RL_RS_MAGIC;
}

rl_result rl_resampler_process(rl_resampler* rs, float* const* out, uint32_t frames,
                               const float* speeds, uint32_t speed_count, rl_resampler_pull pull,
                               void* user, uint32_t* frames_out) {
    int64_t goal;
    int starved = 0;
    int finished = 0;
    uint32_t produced = 0;
    uint32_t c;
    if (frames_out != NULL) {
        *frames_out = 0;
    }
    if (rs == NULL || frames_out == NULL || pull == NULL || out == NULL || frames == 0 ||
        frames > RL_MAX_QUANTUM_FRAMES ||
        (speed_count != 0 && speed_count != 1 && speed_count != frames) ||
        (speed_count != 0 && speeds == NULL)) {
        return RL_INVALID_ARGS;
    }
    if (rs->magic != RL_RS_MAGIC) {
        return RL_INVALID_STATE;
    }
    for (c = 0; c < rs->channels; ++c) {
        if (out[c] == NULL) {
            return RL_INVALID_ARGS;
        }
    }
    rl_rs_retire_changes(rs);
    rl_rs_append(rs, frames, speeds, speed_count);
    rl_rs_scan_exit(rs);
    goal = rl_rs_need(rs, rs->frame + frames - 1u);
    while (produced < frames) {
        int64_t need;
        if (rs->ended && rl_rs_p(rs, rs->frame).i >= rs->end + (int64_t)RL_RS_H) {
            finished = 1;
            break;
        }
        /* The exit first: its splice adds to what this frame needs. */
        rl_rs_scan_exit(rs);
        need = rl_rs_need(rs, rs->frame);
        /* A switch of form changes what the call's last frame needs: ask
         * for that again, so that the call still pulls in a few big pieces. */
        if (need > goal) {
            int64_t last = rl_rs_need(rs, rs->frame + (frames - produced) - 1u);
            goal = need > last ? need : last;
        }
        while (rs->base + rs->fill < need && !starved &&
               rl_rs_fill(rs, goal, pull, user, &starved)) {
        }
        if (rs->base + rs->fill < need) {
            break;
        }
        rl_rs_emit(rs, out, produced);
        ++rs->frame;
        ++produced;
    }
    rl_rs_truncate(rs);
    if (rs->scatter) {
        rl_rs_rebase_acc(rs);
    }
    for (c = 0; c < rs->channels; ++c) {
        rl_dsp_sanitize(out[c], produced);
    }
    *frames_out = produced;
    return finished ? RL_CLOSED : RL_OK;
}

typedef struct rl_rs_buffers {
    const float* const* in;
    uint32_t channels;
    uint32_t frames;
    uint32_t used;
} rl_rs_buffers;

static uint32_t rl_rs_pull_buffers(void* user, float* const* planar, uint32_t frames, int* ended) {
    rl_rs_buffers* b = (rl_rs_buffers*)user;
    uint32_t n = b->frames - b->used;
    uint32_t c;
    (void)ended;
    if (n > frames) {
        n = frames;
    }
    for (c = 0; c < b->channels; ++c) {
        memcpy(planar[c], b->in[c] + b->used, (size_t)n * sizeof(float));
    }
    b->used += n;
    return n;
}

RL_RS_COLD rl_result rl_resampler_process_buffers(rl_resampler* rs, const float* const* in,
                                                  uint32_t in_frames, uint32_t* in_used,
                                                  float* const* out, uint32_t out_frames,
                                                  uint32_t* out_made, const float* speeds,
                                                  uint32_t speed_count) {
    rl_rs_buffers b;
    rl_result r;
    uint32_t c;
    if (in_used != NULL) {
        *in_used = 0;
    }
    if (out_made != NULL) {
        *out_made = 0;
    }
    if (rs == NULL || in_used == NULL || out_made == NULL || (in_frames > 0 && in == NULL)) {
        return RL_INVALID_ARGS;
    }
    if (rs->magic != RL_RS_MAGIC) {
        return RL_INVALID_STATE;
    }
    for (c = 0; in_frames > 0 && c < rs->channels; ++c) {
        if (in[c] == NULL) {
            return RL_INVALID_ARGS;
        }
    }
    b.in = in;
    b.channels = rs->channels;
    b.frames = in_frames;
    b.used = 0;
    r = rl_resampler_process(rs, out, out_frames, speeds, speed_count, rl_rs_pull_buffers, &b,
                             out_made);
    *in_used = b.used;
    return r;
}

RL_RS_COLD rl_result rl_resampler_end_input(rl_resampler* rs) {
    if (rs == NULL) {
        return RL_INVALID_ARGS;
    }
    if (rs->magic != RL_RS_MAGIC) {
        return RL_INVALID_STATE;
    }
    if (!rs->ended) {
        rs->ended = 1u;
        rs->end = rs->base + rs->fill;
    }
    return RL_OK;
}

RL_RS_COLD double rl_resampler_lookahead(const rl_resampler* rs) {
    rl_rs_pos p;
    double v;
    if (!rl_rs_valid(rs)) {
        return NAN;
    }
    p = rl_rs_p(rs, rs->frame);
    /* After the end, the padding is no input. */
    v = (double)((rs->ended ? rs->end : rs->base + rs->fill) - p.i) - p.f;
    return v > 0.0 ? v : 0.0;
}

RL_RS_COLD double rl_resampler_latency(const rl_resampler* rs) {
    if (!rl_rs_valid(rs)) {
        return NAN;
    }
    return rl_resampler_lookahead(rs) / rl_rs_step(rs, rs->frame);
}

RL_RS_COLD double rl_resampler_position(const rl_resampler* rs) {
    rl_rs_pos p;
    if (!rl_rs_valid(rs)) {
        return NAN;
    }
    p = rl_rs_p(rs, rs->frame);
    return (double)p.i + p.f;
}

double rl_resampler_speed(const rl_resampler* rs) {
    return rl_rs_valid(rs) ? (double)rs->speed.speed : NAN;
}

uint64_t rl_resampler_work(const rl_resampler* rs) {
    return rl_rs_valid(rs) ? rs->work : 0u;
}

RL_RS_COLD rl_result rl_resampler_set_input_rate(rl_resampler* rs, double input_rate,
                                                 int64_t ahead) {
    int64_t at;
    int64_t reach;
    if (rs == NULL) {
        return RL_INVALID_ARGS;
    }
    if (rs->magic != RL_RS_MAGIC) {
        return RL_INVALID_STATE;
    }
    if (!(input_rate >= RL_RESAMPLER_MIN_RATE && input_rate <= rs->max_input_rate)) {
        return RL_INVALID_ARGS;
    }
    if (rs->chg_count >= RL_RESAMPLER_RATE_CHANGES) {
        return RL_QUEUE_FULL;
    }
    at = rs->base + rs->fill + ahead;
    /* A frame the known trajectory has passed: from where it ends. */
    reach = rl_rs_p(rs, rs->known).i;
    if (at < reach) {
        at = reach;
    }
    if (rs->chg_count > 0 && at < rs->chg_at[rs->chg_count - 1u]) {
        at = rs->chg_at[rs->chg_count - 1u];
    }
    rs->chg_at[rs->chg_count] = at;
    rs->chg_ratio[rs->chg_count] = input_rate / rs->output_rate;
    ++rs->chg_count;
    return RL_OK;
}

double rl_resampler_input_rate(const rl_resampler* rs) {
    double ratio;
    int64_t at;
    uint32_t k;
    if (!rl_rs_valid(rs)) {
        return NAN;
    }
    ratio = rs->ratio;
    at = rl_rs_p(rs, rs->frame).i;
    for (k = 0; k < rs->chg_count && rs->chg_at[k] <= at; ++k) {
        ratio = rs->chg_ratio[k];
    }
    return ratio * rs->output_rate;
}

uint32_t rl_resampler_rate_changes(const rl_resampler* rs) {
    return rl_rs_valid(rs) ? rs->chg_count : 0u;
}
