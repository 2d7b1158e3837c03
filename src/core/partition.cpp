#include "core/partition.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/i18n.h"
#include "core/text.h"

namespace convscope {

std::vector<ChannelRange> split_channels(int64_t channels, int devices) {
    std::vector<ChannelRange> r;
    if (devices <= 0) return r;
    const int64_t base = channels / devices, extra = channels % devices;
    int64_t at = 0;
    for (int d = 0; d < devices; ++d) {
        const int64_t n = base + (d < extra ? 1 : 0);
        r.push_back({at, at + n});
        at += n;
    }
    return r;
}

std::string_view exchange_name(Exchange e) {
    switch (e) {
        case Exchange::None: return "local";
        case Exchange::AllGather: return "all-gather";
        case Exchange::Halo: return "halo";
    }
    return "?";
}

std::string exchange_label(Exchange e) {
    switch (e) {
        case Exchange::None: return tr("local");
        case Exchange::AllGather: return tr("all-gather");
        case Exchange::Halo: return tr("halo");
    }
    return "?";
}

namespace {

constexpr int64_t kFloat = 4;

// Channels of `need` that `held` does not cover.
int64_t missing(ChannelRange need, ChannelRange held) {
    const int64_t lo = std::max(need.begin, held.begin), hi = std::min(need.end, held.end);
    return need.count() - std::max<int64_t>(0, hi - lo);
}

bool channel_wise(LayerType t) {
    return t == LayerType::Relu || t == LayerType::MaxPool || t == LayerType::AvgPool ||
           t == LayerType::AdaptiveAvgPool || t == LayerType::Dropout || t == LayerType::Flatten;
}

std::string split_text(const std::vector<ChannelRange>& r) {
    std::string s;
    for (size_t i = 0; i < r.size(); ++i) {
            if (i) s += ", ";
            s += std::to_string(r[i].count());
        }
    return s;
}

}  // namespace

Partition partition_network(const Network& net, const Analysis& a, int devices, int64_t batch) {
    Partition p;
    p.devices = devices;
    p.batch = batch;
    if (devices < 1 || devices > 64) {
        p.error = tr("devices must be between 1 and 64, got {0}", devices);
        return p;
    }
    if (batch < 1 || batch > 1000000) {
        p.error = tr("the batch size must be between 1 and 1,000,000, got {0}", batch);
        return p;
    }
    if (!a.valid() || a.stages.size() != net.layers.size()) {
        p.error = tr("the network has invalid layers: every shape must be known to split it");
        return p;
    }
    const size_t K = static_cast<size_t>(devices);
    p.per_device.assign(K, {});
    p.training.assign(K, {});
    // What each device holds of the previous layer's output; the input image is on every device.
    std::vector<ChannelRange> held(K, ChannelRange{0, net.input.c});
    std::vector<int64_t> workspace(K, 0), activation_values(K, 0);
    for (size_t i = 0; i < net.layers.size(); ++i) {
        const Layer& l = net.layers[i];
        const Stage& st = a.stages[i];
        const Shape3 in = *st.input, out = *st.output;
        const int64_t plane = in.h * in.w;
        PartitionStage ps;
        ps.index = i;
        ps.name = l.name;
        ps.type = l.type;
        ps.devices.assign(K, {});
        std::vector<ChannelRange> outs, needs(K);
        if (channel_wise(l.type)) {
            // Each device keeps working on the channels it has (flatten: their values, in order).
            const int64_t per = l.type == LayerType::Flatten ? plane : 1;
            for (size_t d = 0; d < K; ++d) {
                outs.push_back({held[d].begin * per, held[d].end * per});
                needs[d] = held[d];
            }
        } else if (l.type == LayerType::Lrn) {
            // Each device keeps its channels, and reads the few beyond its edges the window covers.
            outs = held;
            const int64_t before = (l.lrn_size - 1) / 2, after = l.lrn_size - 1 - before;
            for (size_t d = 0; d < K; ++d)
                needs[d] = outs[d].count() == 0 ? ChannelRange{0, 0}
                                                : ChannelRange{std::max<int64_t>(0, outs[d].begin - before),
                                                               std::min(in.c, outs[d].end + after)};
        } else {
            outs = split_channels(out.c, devices);
            if (out.c % devices != 0)
                p.warnings.push_back(
                    l.type == LayerType::Fc
                        ? tr("{0}: {1} units do not split evenly over {2} devices: {3}", l.name, out.c, devices,
                             split_text(outs))
                        : tr("{0}: {1} channels do not split evenly over {2} devices: {3}", l.name, out.c, devices,
                             split_text(outs)));
            for (size_t d = 0; d < K; ++d) {
                const ChannelRange o = outs[d];
                if (l.type == LayerType::Conv) {
                    // The groups its output channels belong to decide which input channels it reads.
                    const int64_t og = out.c / l.groups, ig = in.c / l.groups;
                    needs[d] = o.count() == 0 ? ChannelRange{0, 0}
                                              : ChannelRange{o.begin / og * ig, ((o.end - 1) / og + 1) * ig};
                } else {  // fc, softmax: every input value (a device with no units reads nothing)
                    needs[d] = o.count() == 0 ? ChannelRange{0, 0} : ChannelRange{0, in.c};
                }
            }
        }
        bool any_receive = false, all_full = true;
        for (size_t d = 0; d < K; ++d) {
            DeviceShare& s = ps.devices[d];
            s.out = outs[d];
            s.in = needs[d];
            const int64_t out_plane = l.type == LayerType::Flatten ? 1 : out.h * out.w;
            s.out_values = s.out.count() * out_plane;
            if (l.type == LayerType::Conv) {
                const int64_t per_filter = in.c / l.groups * l.kernel.h * l.kernel.w;
                s.params = s.out.count() * per_filter + (l.bias ? s.out.count() : 0);
                s.macs = s.out.count() * out.h * out.w * per_filter;
                workspace[d] = std::max(workspace[d], s.out.count() > 0 ? per_filter * out.h * out.w : 0);
            } else if (l.type == LayerType::Fc) {
                const int64_t n_in = in.count();
                s.params = s.out.count() * n_in + (l.bias ? s.out.count() : 0);
                s.macs = s.out.count() * n_in;
            }
            s.weight_bytes = s.params * kFloat;
            s.activation_bytes = s.out_values * batch * kFloat;
            const int64_t lacking = missing(s.in, held[d]);
            s.receive_bytes = lacking * plane * batch * kFloat;
            any_receive |= lacking > 0;
            all_full &= s.in == ChannelRange{0, in.c};
            activation_values[d] += s.out_values;
            DeviceTotals& t = p.per_device[d];
            t.params += s.params;
            t.macs += s.macs;
            t.weight_bytes += s.weight_bytes;
            t.activation_bytes += s.activation_bytes;
            t.receive_bytes += s.receive_bytes;
        }
        if (!any_receive) {
            ps.exchange = Exchange::None;
            if (i == 0)
                ps.why = tr("the input image is on every device");
            else if (l.type == LayerType::Conv && l.groups > 1)
                ps.why = devices == 1
                             ? tr("groups {0} over 1 device: each device reads only its own channels", l.groups)
                             : tr("groups {0} over {1} devices: each device reads only its own channels", l.groups,
                                  devices);
            else if (channel_wise(l.type))
                ps.why = tr("works channel by channel: each device keeps its own");
            else
                ps.why = devices == 1 ? tr("one device holds everything") : tr("each device already holds what it reads");
        } else if (l.type == LayerType::Lrn) {
            ps.exchange = Exchange::Halo;
            ps.why = tr("its window runs across channels: the channels next to a device's edge come from its neighbour");
        } else {
            ps.exchange = Exchange::AllGather;
            ps.why = all_full ? tr("reads every input channel: each device first gathers the others' outputs")
                              : tr("its groups do not line up with {0} devices: devices gather the channels they lack",
                                   devices);
        }
        for (size_t d = 0; d < K; ++d) p.overall.receive_bytes += ps.devices[d].receive_bytes;
        for (size_t d = 0; d < K; ++d) held[d] = outs[d];
        p.stages.push_back(std::move(ps));
    }
    for (const auto& t : p.per_device) {
        p.overall.params += t.params;
        p.overall.macs += t.macs;
        p.overall.weight_bytes += t.weight_bytes;
        p.overall.activation_bytes += t.activation_bytes;
    }
    const int64_t input_bytes = net.input.count() * batch * kFloat;
    int64_t all_values = 0, all_workspace = 0;
    for (size_t d = 0; d < K; ++d) {
        TrainingMemory& m = p.training[d];
        m.weights = 3 * p.per_device[d].weight_bytes;
        m.activations = 2 * activation_values[d] * batch * kFloat;
        m.input = input_bytes;
        m.workspace = workspace[d] * batch * kFloat;
        all_values += activation_values[d];
        all_workspace = std::max(all_workspace, workspace[d]);
    }
    // One device: every kernel, every output, and the largest unrolled input over all filters.
    int64_t single_workspace = 0;
    for (size_t i = 0; i < net.layers.size(); ++i)
        if (net.layers[i].type == LayerType::Conv) {
            const Stage& st = a.stages[i];
            single_workspace = std::max(single_workspace, st.input->c / net.layers[i].groups * net.layers[i].kernel.h *
                                                              net.layers[i].kernel.w * st.output->h * st.output->w);
        }
    p.single.weights = 3 * a.totals.params * kFloat;
    p.single.activations = 2 * all_values * batch * kFloat;
    p.single.input = input_bytes;
    p.single.workspace = single_workspace * batch * kFloat;
    return p;
}

// ---- output ----------------------------------------------------------------------------------------

namespace {

std::string mib(int64_t bytes) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f", static_cast<double>(bytes) / (1 << 20));
    return b;
}

// "48+48": one value per device.
template <class F>
std::string per_device(const PartitionStage& s, F value) {
    std::string t;
    for (size_t d = 0; d < s.devices.size(); ++d) {
            if (d) t += "+";
            t += value(s.devices[d]);
        }
    return t;
}

bool fits(int64_t bytes) { return bytes <= Partition::kCardBytes; }


}  // namespace

std::string format_partition(const Network& net, const Partition& p, TableFormat format) {
    if (!p.ok()) return tr("error: {0}", p.error) + "\n";
    const size_t K = static_cast<size_t>(p.devices);
    auto ch = [](const DeviceShare& s) { return std::to_string(s.out.count()); };
    auto reads = [](const DeviceShare& s) {
        return s.in.count() == 0 ? std::string("—")
                                 : std::to_string(s.in.begin) + "–" + std::to_string(s.in.end - 1);
    };
    auto params = [](const DeviceShare& s) { return group_digits(s.params); };
    auto macs = [](const DeviceShare& s) { return group_digits(s.macs); };
    auto act = [](const DeviceShare& s) { return mib(s.activation_bytes); };
    auto recv = [](const DeviceShare& s) { return mib(s.receive_bytes); };

    if (format == TableFormat::Json) {
        nlohmann::ordered_json j;
        j["model"] = net.name;
        j["devices"] = p.devices;
        j["batch"] = p.batch;
        nlohmann::ordered_json stages = nlohmann::ordered_json::array();
        for (const auto& s : p.stages) {
            nlohmann::ordered_json devs = nlohmann::ordered_json::array();
            for (const auto& d : s.devices)
                devs.push_back({{"out", {d.out.begin, d.out.end}},
                                {"in", {d.in.begin, d.in.end}},
                                {"params", d.params},
                                {"macs", d.macs},
                                {"weight_bytes", d.weight_bytes},
                                {"activation_bytes", d.activation_bytes},
                                {"receive_bytes", d.receive_bytes}});
            stages.push_back({{"name", s.name},
                              {"type", std::string(type_name(s.type))},
                              {"exchange", std::string(exchange_name(s.exchange))},
                              {"why", s.why},
                              {"devices", std::move(devs)}});
        }
        j["stages"] = std::move(stages);
        nlohmann::ordered_json totals = nlohmann::ordered_json::array();
        for (size_t d = 0; d < K; ++d) {
            const auto& t = p.per_device[d];
            const auto& m = p.training[d];
            totals.push_back({{"params", t.params},
                              {"macs", t.macs},
                              {"weight_bytes", t.weight_bytes},
                              {"activation_bytes", t.activation_bytes},
                              {"receive_bytes", t.receive_bytes},
                              {"training_bytes", m.total()}});
        }
        j["per_device"] = std::move(totals);
        j["receive_bytes"] = p.overall.receive_bytes;
        j["single_device_training_bytes"] = p.single.total();
        j["card_bytes"] = Partition::kCardBytes;
        j["warnings"] = p.warnings;
        return j.dump(2) + "\n";
    }

    const std::vector<std::string> head = {"#",          tr("layer"),  tr("type"),
                                           tr("exchange"), tr("channels"), tr("reads channels"),
                                           tr("params"),   "MACs",         tr("activations MiB"),
                                           tr("receives MiB")};
    std::vector<std::vector<std::string>> rows;
    for (const auto& s : p.stages)
        rows.push_back({std::to_string(s.index + 1), s.name, std::string(type_name(s.type)),
                        exchange_label(s.exchange), per_device(s, ch), per_device(s, reads),
                        per_device(s, params), per_device(s, macs), per_device(s, act), per_device(s, recv)});
    std::vector<std::string> total = {"", tr("total"), "", "", "", ""};
    auto join = [&](auto value) {
        std::string t;
        for (size_t d = 0; d < K; ++d) {
            if (d) t += "+";
            t += value(p.per_device[d]);
        }
        return t;
    };
    total.push_back(join([](const DeviceTotals& t) { return group_digits(t.params); }));
    total.push_back(join([](const DeviceTotals& t) { return group_digits(t.macs); }));
    total.push_back(join([](const DeviceTotals& t) { return mib(t.activation_bytes); }));
    total.push_back(join([](const DeviceTotals& t) { return mib(t.receive_bytes); }));
    rows.push_back(total);

    std::string memory = tr("Training memory per device (estimate: weights ×3, every output ×2, the input batch, the "
                            "largest unrolled input), batch {0}:",
                            p.batch);
    for (size_t d = 0; d < K; ++d) {
        const int64_t bytes = p.training[d].total();
        memory += fits(bytes) ? tr(" device {0} {1} MiB (fits a 3 GB card);", d, mib(bytes))
                              : tr(" device {0} {1} MiB (does not fit a 3 GB card);", d, mib(bytes));
    }
    memory += fits(p.single.total()) ? tr(" on one device {0} MiB (fits).", mib(p.single.total()))
                                     : tr(" on one device {0} MiB (does not fit).", mib(p.single.total()));
    const std::string title =
        p.devices == 1 ? tr("{0} over 1 device, batch {1}, float32; per-device values joined by +", net.name, p.batch)
                       : tr("{0} over {1} devices, batch {2}, float32; per-device values joined by +", net.name,
                            p.devices, p.batch);

    std::string out;
    switch (format) {
        case TableFormat::Csv: {
            for (size_t c = 0; c < head.size(); ++c) {
            if (c) out += ",";
            out += csv_field(head[c]);
        }
            out += "\n";
            for (const auto& r : rows) {
                for (size_t c = 0; c < r.size(); ++c) {
            if (c) out += ",";
            out += csv_field(r[c]);
        }
                out += "\n";
            }
            return out;
        }
        case TableFormat::Markdown: {
            out += "**" + md_cell(title) + "**\n\n|";
            for (const auto& h : head) {
                out += ' ';
                out += md_cell(h) + " |";
            }
            out += "\n|";
            for (size_t c = 0; c < head.size(); ++c) out += c < 4 ? "---|" : "--:|";
            out += "\n";
            for (const auto& r : rows) {
                out += "|";
                for (const auto& cell : r) {
                    out += ' ';
                    out += md_cell(cell) + " |";
                }
                out += "\n";
            }
            out += "\n" + md_cell(memory) + "\n";
            for (const auto& w : p.warnings) {
                out += '\n';
                out += md_cell(tr("Warning: {0}", w)) + "\n";
            }
            return out;
        }
        case TableFormat::Latex: {
            std::string body = "\\begin{tabular}{rlll" + std::string(head.size() - 4, 'r') + "}\n\\toprule\n";
            for (size_t c = 0; c < head.size(); ++c) {
                if (c) body += " & ";
                body += latex_text(head[c]);
            }
            body += " \\\\\n\\midrule\n";
            for (size_t r = 0; r < rows.size(); ++r) {
                if (r + 1 == rows.size()) body += "\\midrule\n";
                for (size_t c = 0; c < rows[r].size(); ++c) {
                    if (c) body += " & ";
                    body += latex_text(rows[r][c]);
                }
                body += " \\\\\n";
            }
            body += "\\bottomrule\n\\end{tabular}\n";
            return "% " + latex_text(title) + "\n" + latex_cjk_note(title + body) + body;
        }
        default: break;
    }
    // Text: columns padded to their widest cell.
    std::vector<size_t> width(head.size(), 0);
    for (size_t c = 0; c < head.size(); ++c) width[c] = display_width(head[c]);
    for (const auto& r : rows)
        for (size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], display_width(r[c]));
    out += title + "\n\n";
    auto line = [&](const std::vector<std::string>& r) {
        std::string l = " ";
        for (size_t c = 0; c < r.size(); ++c) {
            l += ' ';
            l += c == 0 || c >= 4 ? pad_left(r[c], width[c]) : pad_right(r[c], width[c]);
        }
        while (!l.empty() && l.back() == ' ') l.pop_back();
        l += '\n';
        return l;
    };
    out += line(head);
    for (const auto& r : rows) out += line(r);
    out += "\n" + memory + "\n";
    for (const auto& s : p.stages)
        if (s.exchange != Exchange::None) out += "  " + tr("{0} ({1}): {2}", s.name, exchange_label(s.exchange), s.why) + "\n";
    for (const auto& w : p.warnings) out += tr("warning: {0}", w) + "\n";
    return out;
}

}  // namespace convscope
