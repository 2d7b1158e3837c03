#version 430
// Softmax over all COUNT values, the GPU twin of softmax in src/nn/kernels_cpu.cpp, stable: the
// maximum is subtracted before exponentiating. One work group of 256 threads: a shared-memory
// reduction for the maximum, another for the sum, then every thread writes its share.
// Dispatch: (1, 1, 1).
//
// Defines: COUNT.

layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Input { float x[]; };
layout(std430, binding = 3) writeonly buffer Output { float y[]; };

shared float red[256];

void main() {
    const int t = int(gl_LocalInvocationID.x);
    float m = uintBitsToFloat(0xff800000u);  // -inf
    for (int i = t; i < COUNT; i += 256) m = max(m, x[i]);
    red[t] = m;
    barrier();
    for (int s = 128; s > 0; s >>= 1) {
        if (t < s) red[t] = max(red[t], red[t + s]);
        barrier();
    }
    m = red[0];
    barrier();
    float sum = 0.0;
    for (int i = t; i < COUNT; i += 256) sum += exp(x[i] - m);
    red[t] = sum;
    barrier();
    for (int s = 128; s > 0; s >>= 1) {
        if (t < s) red[t] += red[t + s];
        barrier();
    }
    const float total = red[0];
    for (int i = t; i < COUNT; i += 256) y[i] = exp(x[i] - m) / total;
}
