// Backend and timing: where the forward pass runs (CPU with a thread count, or the GPU when OpenGL 4.3
// compute is there), the device and any fallback, the wall time, every layer's time as a bar scaled to
// the slowest, the largest difference when both backends run, and the top-5 classes of the last layer.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "app/map_textures.h"
#include "app/view_common.h"
#include "app/views.h"
#include "core/network.h"

namespace convscope::app {

namespace {

const ImVec4 kWarn(1.0f, 0.80f, 0.35f, 1.0f);
const ImVec4 kError(1.0f, 0.45f, 0.45f, 1.0f);

void draw_device_choice(App& app) {
    ImGui::TextDisabled("%s", trc("run on"));
    ImGui::SameLine();
    if (ImGui::RadioButton("CPU", app.backend == BackendKind::Cpu)) app.set_backend(BackendKind::Cpu);
    ImGui::SameLine();
    const std::optional<bool> gl = app.gl_available();
    ImGui::BeginDisabled(gl.has_value() && !*gl);
    if (ImGui::RadioButton("GPU (OpenGL)", app.backend == BackendKind::Gl)) app.set_backend(BackendKind::Gl);
    ImGui::EndDisabled();
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
        if (!gl)
            ImGui::SetTooltip("%s", trc("Not tried yet: choosing it starts an OpenGL 4.3 context for compute shaders."));
        else if (!*gl)
            ImGui::SetTooltip("%s", tr("Unavailable: {0}", app.gl_unavailable_reason()).c_str());
        else
            ImGui::SetTooltip("%s", trc("Compute shaders on the graphics card."));
    }

    // 0 = every core; the pass reruns when the slider is let go, not at every step of a drag.
    static int threads = 0;
    static bool editing = false;
    if (!editing) threads = app.threads;
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    ImGui::BeginDisabled(app.backend == BackendKind::Gl && gl.value_or(false) && !app.compare_both);
    ImGui::SetNextItemWidth(std::min(160.0f, ImGui::GetContentRegionAvail().x * 0.45f));
    const std::string format = threads == 0 ? tr("all {0}", cores) : std::string("%d");
    ImGui::SliderInt(trc("CPU threads"), &threads, 0, cores, format.c_str(), ImGuiSliderFlags_AlwaysClamp);
    editing = ImGui::IsItemActive();
    if (ImGui::IsItemDeactivatedAfterEdit()) app.set_threads(threads);
    ImGui::EndDisabled();

    bool both = app.compare_both;
    if (ImGui::Checkbox(trc("run on both and compare"), &both)) app.set_compare_both(both);
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
        ImGui::SetTooltip("%s", trc("Also runs the other backend and reports the largest difference over every\n"
                                    "layer's output: float arithmetic in another order gives tiny differences."));
}

void draw_pass_summary(const App& app, const PassOutcome& p) {
    ImGui::TextDisabled("%s", trc("device"));
    ImGui::SameLine();
    ImGui::TextUnformatted(p.device.c_str());
    if (!p.note.empty()) {
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextColored(kWarn, "%s", p.note.c_str());
        ImGui::PopTextWrapPos();
    }
    if (p.error) {
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextColored(kError, "%s", tr("the pass failed: {0}", *p.error).c_str());
        ImGui::PopTextWrapPos();
        return;
    }
    const double sum = std::accumulate(p.result.ms.begin(), p.result.ms.end(), 0.0);
    ImGui::TextDisabled("%s", trc("pass"));
    ImGui::SameLine();
    ImGui::Text("%s", format_ms(p.wall_ms).c_str());
    ImGui::SameLine();
    ImGui::TextDisabled("%s", tr("(layers {0})", format_ms(sum)).c_str());
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("%s", trc("The whole pass as the app waited for it, and the sum of the layers' own times;\n"
                                    "the difference is copying data in and out."));
    if (!app.compare_both) return;
    if (p.compare_error) {
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextColored(kWarn, "%s", tr("no comparison: {0}", *p.compare_error).c_str());
        ImGui::PopTextWrapPos();
    } else if (!p.compared_with.empty()) {
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextDisabled("%s", tr("compared with {0}:", p.compared_with).c_str());
        const bool close = p.max_abs_diff <= 1e-3;
        const std::string diff = p.max_diff_at.empty()
                                     ? tr("max |difference| {0}", format_value(p.max_abs_diff))
                                     : tr("max |difference| {0} at {1}", format_value(p.max_abs_diff), p.max_diff_at);
        ImGui::TextColored(close ? ImVec4(0.55f, 0.85f, 0.55f, 1.0f) : kWarn, "%s", diff.c_str());
        ImGui::PopTextWrapPos();
    }
}

// ---- results ----------------------------------------------------------------------------------------

// Top classes of the last output, as probabilities: the last layer's values when it is a softmax,
// else a softmax of them.
struct TopK {
    std::vector<std::pair<int64_t, double>> top;
    bool softmaxed = false;  // computed here, the network has no softmax at the end
    std::string why;         // when there is no class vector
};

TopK top_classes(const App& app, const PassOutcome& p, int k) {
    TopK r;
    const Network& net = app.doc.network();
    if (p.result.outputs.empty() || net.layers.empty()) return r;
    const nn::Tensor& out = p.result.outputs.back();
    if (out.shape.h != 1 || out.shape.w != 1 || out.shape.c < 2) {
        r.why = tr("the last output is {0}, not one score per class", shape_text(out.shape));
        return r;
    }
    std::vector<double> prob(out.data.begin(), out.data.end());
    if (net.layers.back().type != LayerType::Softmax) {
        r.softmaxed = true;
        const double m = *std::max_element(prob.begin(), prob.end());
        double sum = 0;
        for (double& v : prob) sum += v = std::exp(v - m);
        for (double& v : prob) v /= sum;
    }
    std::vector<int64_t> index(prob.size());
    std::iota(index.begin(), index.end(), 0);
    const size_t n = std::min<size_t>(static_cast<size_t>(k), index.size());
    std::partial_sort(index.begin(), index.begin() + static_cast<std::ptrdiff_t>(n), index.end(),
                      [&](int64_t a, int64_t b) {
                          return prob[static_cast<size_t>(a)] > prob[static_cast<size_t>(b)];
                      });
    for (size_t i = 0; i < n; ++i) r.top.emplace_back(index[i], prob[static_cast<size_t>(index[i])]);
    return r;
}

// Computed once per pass, not every frame.
const TopK& cached_top5(const App& app, const PassOutcome& p) {
    static TopK top;
    static uint64_t revision = 0;
    static const void* data = nullptr;
    const void* now = p.result.outputs.empty() ? nullptr : p.result.outputs.back().ptr();
    if (revision != p.revision || data != now) {
        top = top_classes(app, p, 5);
        revision = p.revision;
        data = now;
    }
    return top;
}

void draw_results(const App& app, const PassOutcome& p) {
    if (p.error) return;
    const TopK& t = cached_top5(app, p);
    if (!t.why.empty()) {
        ImGui::TextDisabled("%s", t.why.c_str());
        return;
    }
    const bool named = !app.labels.empty();
    if (ImGui::BeginTable("top5", 3, ImGuiTableFlags_SizingFixedFit)) {
        // Widths given, not measured: a table measures its content one frame late.
        ImGui::TableSetupColumn("p", ImGuiTableColumnFlags_WidthFixed, ImGui::CalcTextSize("100.0%").x);
        ImGui::TableSetupColumn("bar", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 4);
        ImGui::TableSetupColumn("class", ImGuiTableColumnFlags_WidthStretch);
        for (const auto& [index, prob] : t.top) {
            ImGui::TableNextColumn();
            ImGui::Text("%5.1f%%", prob * 100.0);
            ImGui::TableNextColumn();
            ImGui::ProgressBar(static_cast<float>(prob), ImVec2(-1, ImGui::GetTextLineHeight()), "");
            ImGui::TableNextColumn();
            if (named && static_cast<size_t>(index) < app.labels.size())
                ImGui::Text("%s", app.labels[static_cast<size_t>(index)].c_str());
            else
                ImGui::TextUnformatted(tr("class {0}", index).c_str());
        }
        ImGui::EndTable();
    }
    ImGui::PushTextWrapPos(0.0f);
    if (!named)
        ImGui::TextDisabled("%s", ui_text(tr("Load a labels file (File › Load labels) to name the classes.")).c_str());
    else if (app.labels.size() != p.result.outputs.back().size())
        ImGui::TextColored(kWarn, "%s",
                           tr("The labels file names {0} classes; the network has {1} outputs.", app.labels.size(),
                              p.result.outputs.back().size())
                               .c_str());
    if (!app.weights_loaded_from_file())
        ImGui::TextDisabled("%s", trc("The weights are seeded, not trained: these scores mean nothing yet."));
    if (t.softmaxed) ImGui::TextDisabled("%s", trc("(softmax of the last layer's scores)"));
    ImGui::PopTextWrapPos();
}

// ---- per-layer times ----------------------------------------------------------------------------------

void draw_layer_times(App& app, const PassOutcome& p) {
    const auto& ms = p.result.ms;
    const Network& net = app.doc.network();
    if (ms.empty() || p.error) return;
    const double slowest = std::max(*std::max_element(ms.begin(), ms.end()), 1e-9);
    const double sum = std::accumulate(ms.begin(), ms.end(), 0.0);
    const ImGuiTableFlags flags = ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_RowBg;
    if (!ImGui::BeginTable("layer times", 3, flags)) return;
    float name_w = 0;
    for (const Layer& l : net.layers) name_w = std::max(name_w, ImGui::CalcTextSize(l.name.c_str()).x);
    ImGui::TableSetupColumn("layer", ImGuiTableColumnFlags_WidthFixed, name_w);
    ImGui::TableSetupColumn("bar", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableSetupColumn("time", ImGuiTableColumnFlags_WidthFixed, ImGui::CalcTextSize("000.00 ms").x);
    for (size_t i = 0; i < ms.size() && i < net.layers.size(); ++i) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::PushID(static_cast<int>(i));
        const bool selected = app.selected() == static_cast<int>(i);
        if (ImGui::Selectable(net.layers[i].name.c_str(), selected, ImGuiSelectableFlags_SpanAllColumns))
            app.select(static_cast<int>(i));
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("%s", tr("{0} ({1}): {2}, {3}% of the layers' time", net.layers[i].name,
                                       std::string(type_name(net.layers[i].type)), format_ms(ms[i]),
                                       ui_format("%.1f", sum > 0 ? 100.0 * ms[i] / sum : 0.0))
                                        .c_str());
        ImGui::PopID();
        ImGui::TableNextColumn();
        const ImVec2 p0 = ImGui::GetCursorScreenPos();
        const float w = ImGui::GetContentRegionAvail().x, h = ImGui::GetTextLineHeight();
        const float len = std::max(1.0f, static_cast<float>(ms[i] / slowest) * w);
        const ImU32 colour = selected ? IM_COL32(255, 200, 60, 255) : IM_COL32(90, 150, 220, 255);
        ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p0.x, p0.y + h * 0.15f), ImVec2(p0.x + len, p0.y + h * 0.85f),
                                                  colour, 2.0f);
        ImGui::Dummy(ImVec2(w, h));
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(format_ms(ms[i]).c_str());
    }
    ImGui::EndTable();
}

}  // namespace

void draw_backend(App& app) {
    if (begin_panel((tr("Backend and timing") + "###backend").c_str(), Slot::RightBottom)) {
        draw_device_choice(app);
        ImGui::Separator();
        const PassOutcome* p = app.current_pass();
        if (!p) {
            if (app.pass_running()) {
                spinner(ImGui::GetTextLineHeight() * 0.45f, app.now());
                ImGui::SameLine();
                ImGui::TextUnformatted(ui_text(tr("computing…")).c_str());
            } else {
                ImGui::TextDisabled("%s", app.doc.analysis().valid() ? trc("no pass yet")
                                                                     : trc("no pass: the network has errors"));
            }
        } else {
            draw_pass_summary(app, *p);
            if (ImGui::CollapsingHeader((tr("result") + "###result").c_str(), ImGuiTreeNodeFlags_DefaultOpen))
                draw_results(app, *p);
            if (ImGui::CollapsingHeader((tr("time per layer") + "###time per layer").c_str(),
                                        ImGuiTreeNodeFlags_DefaultOpen))
                draw_layer_times(app, *p);
        }
    }
    ImGui::End();
}

}  // namespace convscope::app
