#version 430
// ReLU, the GPU twin of relu in src/nn/kernels_cpu.cpp: y = max(x, 0). Convolutions, fully connected
// layers, pools and LRN write a following ReLU's output themselves; this kernel serves the ReLUs that
// follow anything else. One thread per value; dispatch ceil(COUNT / 256) work
// groups (spread over x and y when x would pass the device limit).
//
// Defines: COUNT.

layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Input { float x[]; };
layout(std430, binding = 3) writeonly buffer Output { float y[]; };

void main() {
    const int i = int(gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 256u + gl_GlobalInvocationID.x);
    if (i < COUNT) y[i] = max(x[i], 0.0);
}
