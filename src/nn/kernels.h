// The CPU kernels of the forward pass, each in two versions with the same signature:
//   convscope::nn::      fast (im2col + the packed product of gemm.h, threaded), used by the CPU backend;
//   convscope::nn::ref:: naive loops written straight from the definition, the tests' oracle.
// Every output tensor must already have the shape the shape engine computed for the layer; the
// kernels read hyperparameters from the Layer and never allocate per call except where noted.
#pragma once

#include <vector>

#include "core/network.h"
#include "nn/gemm.h"
#include "nn/tensor.h"

namespace convscope::nn {

// Reusable working memory for convolution, kept across layers and passes.
struct Scratch {
    FloatBuffer phased;   // the input padded and split by column phase (kernels_cpu.cpp)
    GemmScratch gemm;
};

// Threads the fast kernels may use (OpenMP and Eigen); 0 means all cores. Returns the number set.
int set_threads(int n);
int threads();

// conv: in (C, H, W); weight (out, C/groups, kh, kw); bias (out) or nullptr; out (out, Ho, Wo).
// Zero padding on each side as the layer says; dilation and groups as the layer says.
void conv2d(const Tensor& in, const Layer& l, const float* weight, const float* bias, Tensor& out, Scratch& s);
// maxpool: padding never wins (it acts as −∞); a window that lies wholly in padding gives −∞.
void max_pool2d(const Tensor& in, const Layer& l, Tensor& out);
// avgpool: divisor as PyTorch: with count_include_pad the window clipped to the padded input,
// without it the window clipped to the input itself.
void avg_pool2d(const Tensor& in, const Layer& l, Tensor& out);
// adaptive_avgpool: PyTorch's windows [⌊i·H/N⌋, ⌈(i+1)·H/N⌉).
void adaptive_avg_pool2d(const Tensor& in, Tensor& out);
// lrn across channels: y = x / (k + a·Σx²)^β over channels [c − ⌊(n−1)/2⌋, c + ⌈(n−1)/2⌉] (as ONNX),
// with a = α/n when the layer's alpha_over_size is set (Caffe, PyTorch, ONNX), else a = α (the paper).
void lrn(const Tensor& in, const Layer& l, Tensor& out);
// relu: out = max(in, 0); out may be the same tensor as in.
void relu(const Tensor& in, Tensor& out);
// softmax over all C·H·W values, stable (the maximum is subtracted first).
void softmax(const Tensor& in, Tensor& out);
// fc: in is read flat (C·H·W values, as Caffe's InnerProduct); weight (out, in); bias (out) or nullptr;
// out (out, 1, 1).
void fully_connected(const Tensor& in, const float* weight, const float* bias, Tensor& out);

namespace ref {
void conv2d(const Tensor& in, const Layer& l, const float* weight, const float* bias, Tensor& out);
void max_pool2d(const Tensor& in, const Layer& l, Tensor& out);
void avg_pool2d(const Tensor& in, const Layer& l, Tensor& out);
void adaptive_avg_pool2d(const Tensor& in, Tensor& out);
void lrn(const Tensor& in, const Layer& l, Tensor& out);
void relu(const Tensor& in, Tensor& out);
void softmax(const Tensor& in, Tensor& out);
void fully_connected(const Tensor& in, const float* weight, const float* bias, Tensor& out);
}  // namespace ref

}  // namespace convscope::nn
