#version 430
// Average pooling, the GPU twin of avg_pool2d in src/nn/kernels_cpu.cpp: one thread per output value.
// The window is clipped to the padded input (a ceil-mode overhang past the padding never counts), then
// to the input for the sum. The divisor is the clipped padded window with COUNT_INCLUDE_PAD (PyTorch's
// default), else the number of input values summed; a window with nothing to divide by gives 0.
// Dispatch: ceil(C*HO*WO / 256) work groups, spread over x and y when x would pass the device limit.
//
// Defines: C, H, W, HO, WO, KH, KW, SH, SW, PT, PL, PB, PR, COUNT_INCLUDE_PAD.

layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Input { float x[]; };    // (C, H, W)
layout(std430, binding = 3) writeonly buffer Output { float y[]; };  // (C, HO, WO)

void main() {
    const int i = int(gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 256u + gl_GlobalInvocationID.x);
    if (i >= C * HO * WO) return;
    const int c = i / (HO * WO), ox = i % WO, oy = (i / WO) % HO;
    const int y0 = oy * SH - PT, x0 = ox * SW - PL;
    const int y1 = min(y0 + KH, H + PB), x1 = min(x0 + KW, W + PR);
    float sum = 0.0;
    int inside = 0;
    for (int iy = max(y0, 0); iy < min(y1, H); ++iy)
        for (int ix = max(x0, 0); ix < min(x1, W); ++ix) {
            sum += x[(c * H + iy) * W + ix];
            ++inside;
        }
#if COUNT_INCLUDE_PAD
    const int divisor = (y1 - y0) * (x1 - x0);
#else
    const int divisor = inside;
#endif
    y[i] = divisor > 0 ? sum / float(divisor) : 0.0;
}
