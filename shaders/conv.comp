#version 430
// Convolution as an implicit matrix product, the GPU twin of conv2d in src/nn/kernels_cpu.cpp.
// For group g:  out[g*MG + m][n] = bias + sum_k weight[g*MG + m][k] * patch[k][n]
//   m: output channel within the group (MG of them)        n: output position oy*WO + ox
//   k: (ic, ky, kx) within the group (K = CG*KH*KW)         patch[k][n]: the input under the window,
//                                                           zero where the window covers padding
// The patch matrix is never stored: each work group gathers the TKxTN piece it needs into shared
// memory, next to the TKxTM piece of the weights, and every thread accumulates RMxRN outputs.
// Dispatch: (ceil(HO*WO / TN), ceil(MG / TM), GROUPS) work groups of 16x16 threads.
//
// Defines (set by the backend per layer): C_IN H W, HO WO, KH KW, SH SW, DH DW, PT PL (top and left
// padding), CG MG GROUPS, HAS_BIAS, RELU_OUT (also write max(v, 0) to the next layer's buffer),
// TM TN (tile; multiples of 16), TK.

layout(local_size_x = 16, local_size_y = 16) in;

layout(std430, binding = 0) readonly buffer Input { float x[]; };    // (C_IN, H, W)
layout(std430, binding = 1) readonly buffer Weight { float w[]; };   // (GROUPS*MG, CG, KH, KW)
layout(std430, binding = 2) readonly buffer Bias { float b[]; };     // (GROUPS*MG)
layout(std430, binding = 3) writeonly buffer Output { float y[]; };  // (GROUPS*MG, HO, WO)
layout(std430, binding = 4) writeonly buffer Relu { float r[]; };    // (GROUPS*MG, HO, WO), with RELU_OUT

const int K = CG * KH * KW;
const int N = HO * WO;
const int RM = TM / 16;
const int RN = TN / 16;

// One column of padding: the threads that fill As write down a column (k varies fastest between them),
// and a row length of TM words would put all of those writes in the same shared-memory bank.
shared float As[TK][TM + 1];
shared float Bs[TK][TN];

void main() {
    const int tx = int(gl_LocalInvocationID.x), ty = int(gl_LocalInvocationID.y);
    const int tid = ty * 16 + tx;
    const int n0 = int(gl_WorkGroupID.x) * TN;
    const int m0 = int(gl_WorkGroupID.y) * TM;
    const int g = int(gl_WorkGroupID.z);
    const int wbase = g * MG * K;  // this group's filters
    const int cbase = g * CG;      // this group's first input channel

    float acc[RM][RN];
    for (int i = 0; i < RM; ++i)
        for (int j = 0; j < RN; ++j) acc[i][j] = 0.0;

    for (int k0 = 0; k0 < K; k0 += TK) {
        // Weights: TM rows x TK columns, k fastest so neighbouring threads read neighbouring floats.
        for (int e = tid; e < TM * TK; e += 256) {
            const int kk = e % TK, mm = e / TK;
            const int k = k0 + kk, m = m0 + mm;
            As[kk][mm] = (k < K && m < MG) ? w[wbase + m * K + k] : 0.0;
        }
        // Patches: TK rows x TN positions, position fastest (neighbouring output columns).
        for (int e = tid; e < TK * TN; e += 256) {
            const int nn = e % TN, kk = e / TN;
            const int k = k0 + kk, n = n0 + nn;
            float v = 0.0;
            if (k < K && n < N) {
                const int ic = k / (KH * KW), kr = k % (KH * KW);
                const int ky = kr / KW, kx = kr % KW;
                const int oy = n / WO, ox = n % WO;
                const int iy = oy * SH - PT + ky * DH;
                const int ix = ox * SW - PL + kx * DW;
                if (iy >= 0 && iy < H && ix >= 0 && ix < W) v = x[((cbase + ic) * H + iy) * W + ix];
            }
            Bs[kk][nn] = v;
        }
        barrier();
        for (int kk = 0; kk < TK; ++kk) {
            float a[RM], bv[RN];
            for (int i = 0; i < RM; ++i) a[i] = As[kk][ty + 16 * i];
            for (int j = 0; j < RN; ++j) bv[j] = Bs[kk][tx + 16 * j];
            for (int i = 0; i < RM; ++i)
                for (int j = 0; j < RN; ++j) acc[i][j] = fma(a[i], bv[j], acc[i][j]);
        }
        barrier();
    }

    for (int i = 0; i < RM; ++i) {
        const int m = m0 + ty + 16 * i;
        if (m >= MG) continue;
        const int oc = g * MG + m;
#if HAS_BIAS
        const float bias = b[oc];
#else
        const float bias = 0.0;
#endif
        for (int j = 0; j < RN; ++j) {
            const int n = n0 + tx + 16 * j;
            if (n >= N) continue;
            const float v = acc[i][j] + bias;
            y[oc * N + n] = v;
#if RELU_OUT
            r[oc * N + n] = max(v, 0.0);
#endif
        }
    }
}
