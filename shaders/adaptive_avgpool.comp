#version 430
// Adaptive average pooling to a fixed HOxWO, the GPU twin of adaptive_avg_pool2d in
// src/nn/kernels_cpu.cpp: output (oy, ox) averages rows [floor(oy*H/HO), ceil((oy+1)*H/HO)) and the same for
// columns, as PyTorch does. One thread per output value; dispatch ceil(C*HO*WO / 256) work groups
// (spread over x and y when x would pass the device limit).
//
// Defines: C, H, W, HO, WO.

layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Input { float x[]; };    // (C, H, W)
layout(std430, binding = 3) writeonly buffer Output { float y[]; };  // (C, HO, WO)

void main() {
    const int i = int(gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 256u + gl_GlobalInvocationID.x);
    if (i >= C * HO * WO) return;
    const int c = i / (HO * WO), ox = i % WO, oy = (i / WO) % HO;
    const int y0 = oy * H / HO, y1 = ((oy + 1) * H + HO - 1) / HO;
    const int x0 = ox * W / WO, x1 = ((ox + 1) * W + WO - 1) / WO;
    float sum = 0.0;
    for (int iy = y0; iy < y1; ++iy)
        for (int ix = x0; ix < x1; ++ix) sum += x[(c * H + iy) * W + ix];
    y[i] = sum / float((y1 - y0) * (x1 - x0));
}
