// The desktop app's state: one object that every view reads and acts on. It holds no GL or ImGui
// state (textures belong to the views), so the script runner and the tests drive it directly.
//   doc        the network being edited, its analysis, undo/redo (model_doc.h)
//   selection  the stage every panel shows; stepping and play
//   weights    seeded (regenerated only where an edit changes a shape) or loaded from a file
//   input      a sample photo, a pattern or any image file, preprocessed to the network's input
//   passes     run off the UI thread by the Runner; a result is shown only for the state it came from
//   messages   what went wrong (or right), shown in the window instead of exiting
// Every change to the network, the weights or the input bumps state_revision(); frame() then asks the
// runner for a new pass.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/model_doc.h"
#include "app/runner.h"
#include "core/i18n.h"
#include "core/partition.h"
#include "core/shape_table.h"
#include "core/tour.h"
#include "nn/feature_grid.h"
#include "nn/image.h"
#include "nn/tensor.h"
#include "nn/weights.h"

namespace convscope::app {

struct Message {
    enum class Level { Info, Warning, Error };
    Level level = Level::Info;
    std::string text;
    double time = 0;  // seconds since the app started
};

enum class Colormap { Gray, Viridis, Diverging };
enum class MapScale { PerChannel, PerLayer };

// How the feature-map panel shows things; not part of the undo history.
struct ViewSettings {
    Colormap colormap = Colormap::Viridis;
    MapScale scale = MapScale::PerChannel;
    float zoom = 1.0f;          // of the channel grid
    float pan[2] = {0, 0};      // pixels
    int enlarged_channel = -1;  // a channel shown large, or -1
    bool show_filters = true;   // the selected conv layer's kernels as images
    bool show_table = true, show_explorer = true, show_help = false, show_messages = false;
    // The grid renderer's colormap and scaling for these settings (every view and the PNG export).
    nn::GridOptions grid_options() const;
};

class App {
public:
    // Opens on Caffe's AlexNet (227) with the sample photo, conv1 selected, seeded weights.
    App();
    ~App();

    // ---- the network -------------------------------------------------------------------------
    ModelDoc doc;
    // Edits go through here (or doc.edit) so that weights follow: see ModelDoc::edit.
    void edit(const std::string& what, const std::function<void(Network&)>& change, const std::string& merge_key = {});
    bool undo();
    bool redo();
    void insert_layer(size_t at, LayerType type);  // a sensible default layer of `type` at `at`
    void duplicate_layer(size_t i);
    void delete_layer(size_t i);
    void move_layer(size_t i, int delta);  // −1 up, +1 down
    void set_input_size(int64_t c, int64_t h, int64_t w);

    // Files and presets (app_files.cpp). Each returns false after posting an error message; the
    // current state is then untouched.
    bool load_preset(const std::string& id);
    bool open_model(const std::string& path);  // JSON model file or .onnx (its weights come too)
    bool save_model(const std::string& path);  // JSON, atomic
    bool load_weights(const std::string& path);  // .safetensors or .onnx
    bool open_image(const std::string& path);
    bool load_labels(const std::string& path);
    bool export_table(const std::string& path, TableFormat format);  // atomic
    std::string table_text(TableFormat format) const;
    bool save_feature_grid_png(const std::string& path);  // the selected stage's maps as shown

    // ---- selection and stepping ----------------------------------------------------------------
    // The stage every panel shows: 0 … layers−1; −1 is the input.
    int selected() const { return selected_; }
    void select(int stage);
    void step(int delta);  // clamps at the ends
    void select_first() { select(-1); }
    void select_last() { select(static_cast<int>(doc.network().layers.size()) - 1); }
    bool playing = false;
    double play_interval_s = 0.8;  // seconds per stage while playing

    // ---- weights -------------------------------------------------------------------------------
    std::shared_ptr<const nn::NetworkWeights> weights() const { return weights_; }
    uint64_t seed() const { return seed_; }
    void set_seed(uint64_t seed);
    // "seeded He-normal (seed 1), first convolution designed …" or the file's name.
    std::string weights_description() const;
    bool weights_loaded_from_file() const { return !weights_path_.empty(); }

    // ---- input ---------------------------------------------------------------------------------
    // The sample images compiled into the binary ("chelsea", "coffee", "grating", …).
    static std::vector<std::string> sample_names();
    bool use_sample(const std::string& name);
    const std::string& input_name() const { return input_name_; }  // "sample chelsea", a path
    const nn::Image& image() const { return image_; }
    std::shared_ptr<const nn::Tensor> input_tensor() const { return input_; }  // (C, H, W) as the net sees it
    nn::PreprocessOptions preprocess;  // change, then call refresh_input()
    void refresh_input();

    std::vector<std::string> labels;  // class names, one per output; empty when none are loaded

    // ---- forward passes ------------------------------------------------------------------------
    BackendKind backend = BackendKind::Cpu;
    int threads = 0;  // 0 = all cores
    bool compare_both = false;
    int64_t memory_limit = kDefaultMemoryLimit;  // bytes a pass may allocate (weights, outputs, work)
    void set_backend(BackendKind b);
    void set_threads(int n);             // 0 = all cores
    void set_compare_both(bool on);
    // Whether the GL backend can run (unknown until the runner has tried) and why not.
    std::optional<bool> gl_available() const { return runner_.gl_available(); }
    std::string gl_unavailable_reason() const { return runner_.gl_unavailable_reason(); }
    // The last finished pass, only when it was computed from the current state; else nothing.
    const PassOutcome* current_pass() const;
    bool pass_running() const { return runner_.busy(); }
    // Blocks until the pass for the current state is done (scripts and tests), up to `timeout_s`.
    bool wait_for_pass(double timeout_s);

    uint64_t state_revision() const { return state_revision_; }

    // ---- once per frame ------------------------------------------------------------------------
    // Advances play, collects finished passes, asks for a new pass when the state changed.
    void frame(double now_s);

    // ---- messages ------------------------------------------------------------------------------
    void info(const std::string& text);
    void warn(const std::string& text);
    void error(const std::string& text);
    const std::vector<Message>& messages() const { return messages_; }
    double now() const { return now_; }  // seconds since start, as frame() last heard

    ViewSettings view;

    // ---- session (app_session.cpp) -------------------------------------------------------------
    // Where settings, the window layout (imgui.ini) and the autosave live: $XDG_CONFIG_HOME/convscope
    // or ~/.config/convscope; created when first needed.
    static std::string config_dir();
    // The session (network, selection, input, weights source), atomically. On failure the reason is
    // posted as a warning (once while it stays the same) and returned, so that a window closing for
    // good can still print it.
    std::optional<std::string> autosave();
    bool restore_autosave();   // at start-up: a notice when something unsaved was brought back
    void clear_autosave();     // after a clean quit with nothing unsaved
    std::vector<std::string> recent_files;
    void load_recent();  // from the config dir, merged with any already known
    void add_recent(const std::string& path);
    // Autosave while there are unsaved edits: the first at once, then at most every few seconds, so a
    // crash loses little (the window turns it on; tests and scripts leave it off unless they test it).
    bool autosave_enabled = false;
    double autosave_interval_s = 10.0;
    bool quit_requested = false;  // the window's close button or File › Quit: asks first when unsaved
    bool quit_confirmed = false;  // the user chose to quit without saving

    // ---- language (app_session.cpp) -------------------------------------------------------------
    // Every text switches at the next frame. With `remember`, and when the window keeps its files
    // (autosave_enabled), the choice is written to settings.json in the config dir and wins over the
    // system's locale at the next start (a --lang option wins over both).
    void set_language(Language lang, bool remember = true);
    static std::optional<Language> saved_language();  // from settings.json, if a valid one is there

    // The whole state as JSON, for the script runner's dumps and the tests.
    std::string state_json() const;

    // What the speed benchmarks read (also in state_json): how long frames take, and how long after a
    // change of the network, weights or input the maps for it were ready to draw.
    void record_frame_ms(double ms);
    struct Timing {
        std::vector<double> frame_ms;        // the most recent frames, oldest first
        std::vector<double> change_to_maps_ms;  // one per change whose pass finished
    };
    const Timing& timing() const { return timing_; }

    // ---- devices: the network split over K devices, as AlexNet ran on two GPUs (view_devices.cpp) ----
    // What the Devices window shows; like ViewSettings, not part of the undo history or the session.
    bool show_devices = false;  // the Devices window is open
    int devices = 2;            // K, 1 to kMaxDevices
    int64_t batch = 128;        // images per training step, 1 to kMaxBatch
    static constexpr int kMaxDevices = 8;
    static constexpr int64_t kMaxBatch = 1000000;
    // The current network over `devices` for `batch` (both clamped to their ranges first). Recomputed
    // only when the network, K or the batch changed since the last call: the view asks every frame, and
    // an edit of `groups` in the editor shows in the next frame.
    const Partition& partition();

private:
    // What partition() last computed, and for which analysis (doc.analysis_revision()), K and batch.
    Partition partition_;
    uint64_t partition_revision_ = 0;
    int partition_devices_ = 0;
    int64_t partition_batch_ = 0;
    // ---- (end of the devices block) ----

public:
    // ---- the convolution, animated (app_animation.cpp) -----------------------------------------------
    // The selected conv or pool stage's window sliding along a row and along a column, one output
    // position per step, as the window "Convolution, animated" draws it. Not part of the undo history.
    struct AnimationState {
        bool open = false;   // the window is shown
        bool playing = false;
        bool loop = false;   // start again after the last position instead of stopping there
        double speed = 4.0;  // window positions per second while playing
        int64_t step = 0;    // k: window k along each dimension (each clamped to its own N − 1)
    };
    AnimationState animation;
    static constexpr double kMinAnimationSpeed = 0.25, kMaxAnimationSpeed = 120;
    // One dimension's window arithmetic of the selected stage, from the current analysis (`height`:
    // along a column); nothing for a stage without a sliding window or whose shape is unknown.
    std::optional<WindowResult> animation_axis(bool height) const;
    int64_t animation_steps() const;     // the larger N of the two dimensions; 0 without a window
    void set_animation_step(int64_t k);  // clamped to [0, steps − 1]
    void play_animation(bool on);        // on at the last position starts again from the first
    // Back to the first position when another stage is selected or its window changed (F, S, P, d,
    // rounding) since the last call; a new input size keeps the position, clamped when N shrank (so
    // the last window at 227 stays the last at 224). frame() calls it, and so may a check that cannot
    // wait for the next frame.
    void sync_animation();

private:
    void advance_animation(double now_s);  // in frame(): sync_animation, then the clock while playing
    int animation_stage_ = -2;               // the stage and its windows (width, height) last seen,
    WindowParams animation_geometry_[2];     // to notice a change
    double animation_clock_ = -1, animation_carry_ = 0;
    // ---- (end of the animation block) ----

public:
    // ---- the guided tour (app_tour.cpp) ----------------------------------------------------------------
    // A teacher's walk through the network (core/tour.h): each step selects its stage, so every panel
    // follows, and the Tour window shows the step's text filled with the live numbers. Not part of the
    // undo history or the session. The steps are those of the tour that fit the current network, so an
    // edit that removes a layer drops its step.
    struct TourState {
        std::string id;   // the running tour; empty when none runs
        size_t step = 0;  // into tour_steps(); an edit that removes steps leaves it to be clamped
        bool active() const { return !id.empty(); }
    };
    TourState tour;
    bool show_tour = false;                 // the Tour window is open
    std::vector<std::string> tour_folders;  // read after the built-in tours (the config dir's, --tour-dir)
    const TourList& tours() const;          // read when first asked, and again after reload_tours()
    void reload_tours();                    // a problem with a file becomes a warning message
    // Starts a tour (its id; empty: the one for the current network) at its first step. False after an
    // error message: no such tour, or one written for another model (fewer than half of its layers are
    // in the network; core/tour.h tour_fit). Steps whose layer is missing are left out with a warning.
    bool start_tour(const std::string& id = {});
    void tour_next();  // stops at the last step (Finish stops the tour)
    void tour_prev();
    void stop_tour();
    const Tour* current_tour() const;          // nullptr when none runs
    std::vector<size_t> tour_steps() const;    // the running tour's steps that fit the network
    size_t tour_step_index() const;            // tour.step clamped to tour_steps()
    const TourStep* current_tour_step() const; // nullptr when none runs or no step fits
    // The facts the running tour's placeholders are filled from; made again after a new analysis (the
    // network or the language changed).
    const TourFacts& tour_facts();

private:
    void show_tour_step();  // selects the current step's stage
    mutable std::optional<TourList> tours_;
    TourFacts tour_facts_;
    uint64_t tour_facts_revision_ = 0;
    std::string tour_facts_id_;
    // ---- (end of the tour block) ----

private:
    void state_changed();   // network, weights or input: bump the revision
    void fit_weights();     // after a network change: keep loaded weights if they fit, else seed
    void fit_input();       // after a network change: preprocess again if the input shape changed
    double now_ = 0, last_step_ = 0;
    double last_autosave_ = -1e9;  // the first unsaved edit is autosaved at once
    uint64_t autosaved_revision_ = 0;
    int selected_ = 0;
    uint64_t seed_ = 1;
    std::shared_ptr<nn::NetworkWeights> weights_;
    std::string weights_path_;
    bool too_big_ = false;  // the network was too large to run: no weights, no pass
    std::string input_name_;
    nn::Image image_;
    std::shared_ptr<nn::Tensor> input_;
    uint64_t state_revision_ = 1, requested_revision_ = 0;
    std::optional<PassOutcome> pass_;
    Timing timing_;
    uint64_t timed_revision_ = 0;                       // the change being timed
    std::chrono::steady_clock::time_point changed_at_;  // when it happened
    std::vector<Message> messages_;
    Runner runner_;
};

}  // namespace convscope::app
