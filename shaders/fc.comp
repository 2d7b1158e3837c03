#version 430
// Fully connected layer, the GPU twin of fully_connected in src/nn/kernels_cpu.cpp:
//   out[o] = bias[o] + sum_i weight[o][i] * in[i]      weight (OUT, IN), in read flat (C*H*W values)
// A matrix-vector product: it streams every weight once, so memory bandwidth decides its speed. One
// work group of 256 threads per output row: the threads read the row side by side (4 floats at a time
// where IN allows), then add their partial sums in shared memory.
// The weight buffer may be bound a slice at a time (a device limits how large one binding may be):
// u_row0 is the first row of the slice, whose rows are then at w[(o - u_row0)*IN ...].
// Dispatch: (rows in the slice, 1, 1) work groups.
//
// Defines: IN, OUT, HAS_BIAS, RELU_OUT (also write max(v, 0) to the next layer's buffer), VEC4 (IN is a
// multiple of 4, so the rows can be read as vec4).

layout(local_size_x = 256) in;

#if VEC4
layout(std430, binding = 0) readonly buffer Input { vec4 x[]; };    // (IN / 4)
layout(std430, binding = 1) readonly buffer Weight { vec4 w[]; };   // (rows of the slice, IN / 4)
#else
layout(std430, binding = 0) readonly buffer Input { float x[]; };   // (IN)
layout(std430, binding = 1) readonly buffer Weight { float w[]; };  // (rows of the slice, IN)
#endif
layout(std430, binding = 2) readonly buffer Bias { float b[]; };     // (OUT)
layout(std430, binding = 3) writeonly buffer Output { float y[]; };  // (OUT)
layout(std430, binding = 4) writeonly buffer Relu { float r[]; };    // (OUT), with RELU_OUT

uniform int u_row0;

shared float partial[256];

void main() {
    const int t = int(gl_LocalInvocationID.x);
    const int row = int(gl_WorkGroupID.x);  // within the slice
    const int o = u_row0 + row;
    float s = 0.0;
#if VEC4
    const int n = IN / 4;
    const int base = row * n;
    for (int i = t; i < n; i += 256) s += dot(w[base + i], x[i]);
#else
    const int base = row * IN;
    for (int i = t; i < IN; i += 256) s = fma(w[base + i], x[i], s);
#endif
    partial[t] = s;
    barrier();
    for (int stride = 128; stride > 0; stride >>= 1) {
        if (t < stride) partial[t] += partial[t + stride];
        barrier();
    }
    if (t == 0 && o < OUT) {
#if HAS_BIAS
        const float v = partial[0] + b[o];
#else
        const float v = partial[0];
#endif
        y[o] = v;
#if RELU_OUT
        r[o] = max(v, 0.0);
#endif
    }
}
