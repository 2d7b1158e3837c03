#version 430
// Max pooling, the GPU twin of max_pool2d in src/nn/kernels_cpu.cpp: one thread per output value.
// Padding never wins (it acts as -inf), so a window lying wholly in padding gives -inf, as on the CPU.
// Dispatch: ceil(C*HO*WO / 256) work groups, spread over x and y when x would pass the device limit.
//
// Defines: C, H, W, HO, WO, KH, KW, SH, SW, DH, DW, PT, PL, RELU_OUT.

layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Input { float x[]; };    // (C, H, W)
layout(std430, binding = 3) writeonly buffer Output { float y[]; };  // (C, HO, WO)
layout(std430, binding = 4) writeonly buffer Relu { float r[]; };    // (C, HO, WO), with RELU_OUT

void main() {
    const int i = int(gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 256u + gl_GlobalInvocationID.x);
    if (i >= C * HO * WO) return;
    const int c = i / (HO * WO), ox = i % WO, oy = (i / WO) % HO;
    float m = uintBitsToFloat(0xff800000u);  // -inf
    for (int ky = 0; ky < KH; ++ky) {
        const int iy = oy * SH - PT + ky * DH;
        if (iy < 0 || iy >= H) continue;
        for (int kx = 0; kx < KW; ++kx) {
            const int ix = ox * SW - PL + kx * DW;
            if (ix >= 0 && ix < W) m = max(m, x[(c * H + iy) * W + ix]);
        }
    }
    y[i] = m;
#if RELU_OUT
    r[i] = max(m, 0.0);
#endif
}
