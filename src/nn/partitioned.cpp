#include "nn/partitioned.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <thread>

#include "core/i18n.h"
#include "nn/kernels.h"

namespace convscope::nn {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

ChannelRange intersect(ChannelRange a, ChannelRange b) {
    const int64_t begin = std::max(a.begin, b.begin), end = std::min(a.end, b.end);
    return {begin, std::max(begin, end)};
}

bool covers(ChannelRange outer, ChannelRange inner) {
    return inner.count() == 0 || (outer.begin <= inner.begin && inner.end <= outer.end);
}

std::string range_text(ChannelRange r) {
    std::string s = "[";  // built up, not "[" + …: GCC 12 warns falsely (-Wrestrict) about the latter
    s += std::to_string(r.begin) + ", " + std::to_string(r.end) + ")";
    return s;
}

// Copies channels `r` from `src`, which holds channels `src_has` of some tensor, into `dst`, which holds
// channels `dst_has` of it; both have the same height and width. (C, H, W): a channel range is contiguous.
void copy_channels(const Tensor& src, ChannelRange src_has, Tensor& dst, ChannelRange dst_has, ChannelRange r) {
    if (r.count() == 0) return;
    const int64_t plane = src.shape.h * src.shape.w;
    const float* from = src.channel(r.begin - src_has.begin);
    std::copy(from, from + r.count() * plane, dst.channel(r.begin - dst_has.begin));
}

// The input channels that output channels `out` of layer `l` depend on, given its input shape.
ChannelRange needed_input(const Layer& l, Shape3 in, ChannelRange out) {
    if (out.count() == 0) return {};
    switch (l.type) {
        case LayerType::Conv: {
            const int64_t opg = l.out / l.groups, ipg = in.c / l.groups;
            return {out.begin / opg * ipg, ((out.end - 1) / opg + 1) * ipg};
        }
        case LayerType::Fc:
        case LayerType::Softmax: return {0, in.c};
        case LayerType::Lrn: {
            // The window of channel c is [c − ⌊(n−1)/2⌋, c + ⌈(n−1)/2⌉] (kernels.h).
            const int64_t below = (l.lrn_size - 1) / 2, above = l.lrn_size - 1 - below;
            return {std::max<int64_t>(0, out.begin - below), std::min(in.c, out.end + above)};
        }
        case LayerType::Flatten: {
            // Feature f of the flat vector is channel f / (H·W): channel-major, as fc reads it.
            const int64_t plane = in.h * in.w;
            return {out.begin / plane, (out.end + plane - 1) / plane};
        }
        default: return out;  // channel by channel
    }
}

// One sub-network a device runs for a layer: usually the whole of its share, but a convolution whose
// groups straddle the device's channels needs one per group piece.
struct Piece {
    ChannelRange in;       // input channels it reads: part or all of its device's input
    ChannelRange computes; // output channels it produces (flatten: features); the device keeps its own
    Network net;           // the one layer, on (in.count, H, W)
    Analysis analysis;
    NetworkWeights weights;  // its rows of the layer's weights and biases
    std::unique_ptr<Backend> backend;
    Tensor input;  // its input, when that is only part of the device's input
    ForwardResult result;
};

struct DeviceWork {
    ChannelRange in, out;   // as the partition says; `in` covers what the pieces need
    ChannelRange held;      // input channels already on the device: its share of the previous layer
    int64_t received = 0;   // input values it copies from other devices
    Tensor gathered;        // its receive buffer, (in.count, H, W), when its input is not just its share
    std::vector<Piece> pieces;
};

struct LayerWork {
    Shape3 in_shape, out_shape;
    bool gathers = false;  // some device reads another device's channels: all must have finished first
    std::vector<DeviceWork> devices;
};

}  // namespace

struct PartitionedRunner::Plan {
    Network net;
    Partition partition;
    std::vector<LayerWork> layers;
};

namespace {

// A piece of layer `i` for one device: the layer with `out` set to the piece's channels (and `groups`
// to the whole groups it holds), on input channels `in`, with rows `computes` of the weights.
std::optional<std::string> make_piece(const Network& net, const Analysis& a, const NetworkWeights& w, size_t i,
                                      int device, ChannelRange in, ChannelRange computes, int groups,
                                      const BackendFactory& make, Piece& p) {
    const Layer& l = net.layers[i];
    const Stage& st = a.stages[i];
    const std::string where = tr("{0} on device {1}", l.name, device);
    p.in = in;
    p.computes = computes;
    Layer sub = l;
    if (l.type == LayerType::Conv || l.type == LayerType::Fc) {
        sub.out = static_cast<int>(computes.count());
        sub.groups = groups;
        const LayerWeights& lw = w.layers[i];
        LayerWeights sw;
        sw.weight_shape = lw.weight_shape;
        sw.weight_shape[0] = computes.count();
        const int64_t row = static_cast<int64_t>(lw.weight.size()) / lw.weight_shape[0];
        sw.weight.assign(lw.weight.begin() + computes.begin * row, lw.weight.begin() + computes.end * row);
        if (!lw.bias.empty()) sw.bias.assign(lw.bias.begin() + computes.begin, lw.bias.begin() + computes.end);
        p.weights.layers.push_back(std::move(sw));
    } else {
        p.weights.layers.emplace_back();
    }
    p.weights.origin = w.origin;
    p.net = Network{};
    p.net.name = where;
    p.net.input = {in.count(), st.input->h, st.input->w};
    p.net.layers = {sub};
    p.analysis = analyze(p.net);
    if (!p.analysis.valid()) {
        std::string why = p.analysis.input_error;
        for (const auto& m : p.analysis.stages[0].messages)
            if (m.severity == Severity::Error) why = m.message;
        return tr("{0}: its share of the layer is not a valid layer ({1})", where, why);
    }
    const Shape3 got = *p.analysis.stages[0].output;
    if (got.c != computes.count() || got.h != st.output->h || got.w != st.output->w)
        return tr("{0}: its share computes {1}, expected {2} channels of {3}", where, shape_text(got), computes.count(),
                  shape_text(*st.output));
    if (auto e = check_weights(p.net, p.analysis, p.weights)) return where + ": " + *e;
    p.backend = make();
    if (!p.backend) return tr("{0}: no backend", where);
    if (auto e = p.backend->unsupported(p.net, p.analysis)) return where + ": " + *e;
    return std::nullopt;
}

// Every piece of device `d`'s share of layer `i`.
std::optional<std::string> make_pieces(const Network& net, const Analysis& a, const NetworkWeights& w, size_t i,
                                       int d, const BackendFactory& make, DeviceWork& dw) {
    const Layer& l = net.layers[i];
    const Shape3 in = *a.stages[i].input, out = *a.stages[i].output;
    const ChannelRange need = needed_input(l, in, dw.out);
    auto add = [&](ChannelRange pin, ChannelRange computes, int groups) {
        dw.pieces.emplace_back();
        return make_piece(net, a, w, i, d, pin, computes, groups, make, dw.pieces.back());
    };
    switch (l.type) {
        case LayerType::Conv: {
            // Whole groups in a row make one sub-convolution with that many groups; a group only part
            // of which is the device's makes one of its own, reading that group's input channels.
            const int64_t opg = l.out / l.groups, ipg = in.c / l.groups;
            for (int64_t o = dw.out.begin; o < dw.out.end;) {
                const int64_t g = o / opg;
                int64_t ng = 1, e = std::min(dw.out.end, (g + 1) * opg);
                const bool whole = o == g * opg && e == (g + 1) * opg;
                if (whole) {
                    while ((g + ng + 1) * opg <= dw.out.end) ++ng;
                    e = (g + ng) * opg;
                }
                if (auto err = add({g * ipg, (g + ng) * ipg}, {o, e}, whole ? static_cast<int>(ng) : 1)) return err;
                o = e;
            }
            return std::nullopt;
        }
        case LayerType::Fc: return add({0, in.c}, dw.out, 1);
        case LayerType::Softmax: return add({0, in.c}, {0, out.c}, 1);  // over all values: every device computes all
        case LayerType::Flatten: {
            const int64_t plane = in.h * in.w;
            return add(need, {need.begin * plane, need.end * plane}, 1);
        }
        default: return add(need, need, 1);  // channel by channel (LRN: its halo too, then cut away)
    }
}

}  // namespace

PartitionedRunner::PartitionedRunner(BackendFactory make, int devices, bool parallel)
    : make_(std::move(make)), devices_(devices), parallel_(parallel) {}

PartitionedRunner::~PartitionedRunner() = default;

bool PartitionedRunner::prepared() const { return plan_ != nullptr; }

const Partition& PartitionedRunner::partition() const {
    static const Partition none;
    return plan_ ? plan_->partition : none;
}

std::optional<std::string> PartitionedRunner::prepare(const Network& net, const Analysis& a, const NetworkWeights& w) {
    plan_.reset();
    if (auto e = check_analysis(net, a)) return e;
    if (auto e = check_weights(net, a, w)) return e;
    auto plan = std::make_unique<Plan>();
    plan->net = net;
    plan->partition = partition_network(net, a, devices_, 1);
    const Partition& p = plan->partition;
    if (!p.ok()) return p.error;
    if (p.stages.size() != net.layers.size()) return tr("the partition does not cover every layer");
    const int K = devices_;
    plan->layers.resize(net.layers.size());
    for (size_t i = 0; i < net.layers.size(); ++i) {
        const Layer& l = net.layers[i];
        const PartitionStage& ps = p.stages[i];
        LayerWork& lw = plan->layers[i];
        lw.in_shape = *a.stages[i].input;
        lw.out_shape = *a.stages[i].output;
        if (static_cast<int>(ps.devices.size()) != K) return tr("{0}: the partition has the wrong number of devices", l.name);
        lw.devices.resize(static_cast<size_t>(K));
        int64_t next = 0;  // the shares must tile the output channels in device order
        for (int d = 0; d < K; ++d) {
            DeviceWork& dw = lw.devices[static_cast<size_t>(d)];
            const DeviceShare& share = ps.devices[static_cast<size_t>(d)];
            dw.out = share.out;
            if (dw.out.begin != next || dw.out.end < dw.out.begin)
                return tr("{0}: device {1}'s output channels {2} do not follow the previous device's", l.name, d,
                          range_text(dw.out));
            next = dw.out.end;
            if (dw.out.count() == 0) continue;  // nothing to compute, nothing to receive
            dw.in = share.in;
            const ChannelRange need = needed_input(l, lw.in_shape, dw.out);
            if (!covers(dw.in, need) || dw.in.begin < 0 || dw.in.end > lw.in_shape.c)
                return tr("{0}: device {1} is given input channels {2} but needs {3}", l.name, d, range_text(dw.in),
                          range_text(need));
            // The image goes to every device; later inputs are the device's share of the layer before.
            dw.held = i == 0 ? ChannelRange{0, lw.in_shape.c} : p.stages[i - 1].devices[static_cast<size_t>(d)].out;
            dw.received = (dw.in.count() - intersect(dw.in, dw.held).count()) * lw.in_shape.h * lw.in_shape.w;
            if (dw.received > 0) lw.gathers = true;
            if (auto e = make_pieces(net, a, w, i, d, make_, dw)) return e;
        }
        if (next != lw.out_shape.c)
            return tr("{0}: the devices' output channels end at {1}, the layer has {2}", l.name, next, lw.out_shape.c);
    }
    plan_ = std::move(plan);
    return std::nullopt;
}

std::optional<std::string> PartitionedRunner::forward(const Tensor& input, PartitionedPass& out) {
    if (!plan_) return tr("the runner has no network: prepare it first");
    const Network& net = plan_->net;
    if (auto e = check_input(net, input)) return e;
    const auto start = Clock::now();
    const size_t n = net.layers.size();
    const int K = devices_;
    out.devices = K;
    out.shares.resize(n);
    out.inputs.assign(n, std::vector<ChannelRange>(static_cast<size_t>(K)));
    out.gathered_values.assign(n, 0);
    out.device_ms.assign(n, std::vector<double>(static_cast<size_t>(K), 0.0));
    out.ms.assign(n, 0.0);
    out.outputs.resize(n);
    for (size_t i = 0; i < n; ++i) {
        const LayerWork& lw = plan_->layers[i];
        out.shares[i].resize(static_cast<size_t>(K));
        for (int d = 0; d < K; ++d) {
            const DeviceWork& dw = lw.devices[static_cast<size_t>(d)];
            out.shares[i][static_cast<size_t>(d)].resize({dw.out.count(), lw.out_shape.h, lw.out_shape.w});
            out.inputs[i][static_cast<size_t>(d)] = dw.in;
            out.gathered_values[i] += dw.received;
        }
    }

    // Device d's share of layer i: gather its input, run its pieces, keep its channels.
    auto run = [&](size_t i, int d) -> std::optional<std::string> {
        const auto t0 = Clock::now();
        LayerWork& lw = plan_->layers[i];
        DeviceWork& dw = lw.devices[static_cast<size_t>(d)];
        Tensor& share = out.shares[i][static_cast<size_t>(d)];
        if (dw.out.count() == 0) return std::nullopt;
        // The device's input: its own share of the previous layer (or the image) when that is exactly
        // what it reads, else its receive buffer filled from whichever devices hold each channel.
        const Tensor* dev_in = nullptr;
        if (i == 0) {
            if (dw.in == dw.held) {
                dev_in = &input;
            } else {
                dw.gathered.resize({dw.in.count(), lw.in_shape.h, lw.in_shape.w});
                copy_channels(input, dw.held, dw.gathered, dw.in, dw.in);
                dev_in = &dw.gathered;
            }
        } else if (dw.in == dw.held) {
            dev_in = &out.shares[i - 1][static_cast<size_t>(d)];
        } else {
            dw.gathered.resize({dw.in.count(), lw.in_shape.h, lw.in_shape.w});
            const LayerWork& before = plan_->layers[i - 1];
            for (int s = 0; s < K; ++s) {
                const ChannelRange has = before.devices[static_cast<size_t>(s)].out;
                copy_channels(out.shares[i - 1][static_cast<size_t>(s)], has, dw.gathered, dw.in, intersect(has, dw.in));
            }
            dev_in = &dw.gathered;
        }
        for (Piece& p : dw.pieces) {
            const Tensor* pin = dev_in;
            if (!(p.in == dw.in)) {
                p.input.resize(p.net.input);
                copy_channels(*dev_in, dw.in, p.input, p.in, p.in);
                pin = &p.input;
            }
            if (auto e = p.backend->forward(p.net, p.analysis, p.weights, *pin, p.result)) return p.net.name + ": " + *e;
            copy_channels(p.result.outputs.back(), p.computes, share, dw.out, intersect(p.computes, dw.out));
        }
        out.device_ms[i][static_cast<size_t>(d)] = ms_since(t0);
        return std::nullopt;
    };

    if (!parallel_ || K == 1) {
        for (size_t i = 0; i < n; ++i)
            for (int d = 0; d < K; ++d) {
                if (auto e = run(i, d)) return e;
                out.ms[i] += out.device_ms[i][static_cast<size_t>(d)];
            }
    } else {
        // One thread per device, walking every layer; they meet only before a layer that gathers.
        // A device that fails leaves the barrier, and the others stop at their next meeting.
        const int per_device = std::max(1, threads() / K);
        std::barrier meet(K);
        std::atomic<bool> failed{false};
        std::vector<std::optional<std::string>> errors(static_cast<size_t>(K));
        std::vector<std::thread> workers;
        workers.reserve(static_cast<size_t>(K));
        for (int d = 0; d < K; ++d)
            workers.emplace_back([&, d] {
                omp_set_num_threads(per_device);  // this thread's OpenMP regions only
                for (size_t i = 0; i < n; ++i) {
                    if (plan_->layers[i].gathers) {
                        meet.arrive_and_wait();
                        if (failed) {
                            meet.arrive_and_drop();
                            return;
                        }
                    }
                    if (auto e = run(i, d)) {
                        errors[static_cast<size_t>(d)] = std::move(e);
                        failed = true;
                        meet.arrive_and_drop();
                        return;
                    }
                }
            });
        for (auto& t : workers) t.join();
        for (auto& e : errors)
            if (e) return e;
        for (size_t i = 0; i < n; ++i)
            out.ms[i] = *std::max_element(out.device_ms[i].begin(), out.device_ms[i].end());
    }

    for (size_t i = 0; i < n; ++i) {
        const LayerWork& lw = plan_->layers[i];
        out.outputs[i].resize(lw.out_shape);
        for (int d = 0; d < K; ++d) {
            const ChannelRange r = lw.devices[static_cast<size_t>(d)].out;
            copy_channels(out.shares[i][static_cast<size_t>(d)], r, out.outputs[i], {0, lw.out_shape.c}, r);
        }
    }
    out.total_ms = ms_since(start);
    return std::nullopt;
}

std::optional<std::string> forward_partitioned(const BackendFactory& make, const Network& net, const Analysis& a,
                                               const NetworkWeights& w, const Tensor& input, int devices,
                                               bool parallel, PartitionedPass& out) {
    PartitionedRunner runner(make, devices, parallel);
    if (auto e = runner.prepare(net, a, w)) return e;
    return runner.forward(input, out);
}

}  // namespace convscope::nn
