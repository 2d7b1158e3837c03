#version 430
// Local response normalisation across channels, the GPU twin of lrn in src/nn/kernels_cpu.cpp:
//   y = x / (LRN_K + A*sum x_j^2)^BETA   over channels j in [c - BEFORE, c + AFTER] intersected with [0, C)
// where A is alpha/size (Caffe, PyTorch, ONNX) or alpha itself (the paper): the backend passes the one the
// layer asks for. One thread per value; dispatch ceil(C*H*W / 256) work groups
// (spread over x and y when x would pass the device limit).
//
// Defines: C, H, W, BEFORE, AFTER, LRN_K, A, BETA, RELU_OUT.

layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Input { float x[]; };    // (C, H, W)
layout(std430, binding = 3) writeonly buffer Output { float y[]; };  // (C, H, W)
layout(std430, binding = 4) writeonly buffer Relu { float r[]; };    // (C, H, W), with RELU_OUT

void main() {
    const int i = int(gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 256u + gl_GlobalInvocationID.x);
    if (i >= C * H * W) return;
    const int plane = H * W;
    const int c = i / plane, p = i % plane;
    float sum = 0.0;
    for (int j = max(0, c - BEFORE); j <= min(C - 1, c + AFTER); ++j) {
        const float v = x[j * plane + p];
        sum = fma(v, v, sum);
    }
    const float v = x[i] / pow(LRN_K + A * sum, BETA);
    y[i] = v;
#if RELU_OUT
    r[i] = max(v, 0.0);
#endif
}
