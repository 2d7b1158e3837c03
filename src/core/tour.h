// Guided tours: a teacher's walk through a network, stage by stage, written as data (assets/tour/*.json
// compiled in, plus JSON files in folders the app is told about) rather than code. Each step names a
// stage and has a title and a text in English and Simplified Chinese. The texts hold placeholders —
// {out}, {formula}, {params}, {exchange}, … — that are filled from the live analysis of the network
// on screen, so the numbers stay right however the student edits it.
//
// A tour file:
//   {
//     "title":   {"en": "AlexNet, stage by stage", "zh": "…"},
//     "description": {"en": "…", "zh": "…"},          (optional)
//     "presets": ["alexnet-caffe", "alexnet-paper"],   the models it was written for
//     "devices": 2,       (optional) the split {exchange} and {memory} describe; default: the model's own
//     "batch": 128,       (optional) images per training step for the byte counts; default 128
//     "steps": [
//       {"stage": "conv1", "title": {"en": "…", "zh": "…"}, "text": {"en": "…", "zh": "…"}},
//       {"stage": "norm1", "optional": true, …},     skipped where the network has no such stage
//       …
//     ]
//   }
// "stage" is a layer's name, "input" or "overview" (both show the input). A title or text is a string
// (English only) or an object {"en": …, "zh": …}; each value may be an array of paragraphs, joined by
// blank lines. A missing "zh" falls back to "en". The tour's id is its file name without ".json".
//
// Placeholders: {NAME} speaks of the step's own stage, {NAME:STAGE} of another one ({out:pool5});
// "{{" and "}}" are literal braces. tour_placeholders() lists the names with what each one gives.
// Pure: no GL, no GUI.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/i18n.h"
#include "core/network.h"
#include "core/partition.h"
#include "core/shape_engine.h"

namespace convscope {

// A text in both languages; Chinese falls back to English where it is missing.
struct TourText {
    std::string en, zh;
    const std::string& in(Language lang) const { return lang == Language::Chinese && !zh.empty() ? zh : en; }
};

struct TourStep {
    std::string stage;  // a layer's name, "input" or "overview"
    TourText title, text;
    bool optional = false;  // skipped quietly where the network lacks the stage
};

struct Tour {
    std::string id;      // the file name without ".json": "alexnet"
    std::string origin;  // "built-in" or the file's path
    TourText title, description;
    std::vector<std::string> presets;
    int devices = 0;      // 0: the network's own number of devices
    int64_t batch = 128;
    std::vector<TourStep> steps;
};

// A placeholder a tour may use, with what it stands for (the documentation and the checks use this).
struct TourPlaceholder {
    const char* name;
    const char* meaning;
};
const std::vector<TourPlaceholder>& tour_placeholders();

// Parses one tour file; `where` names it in messages ("assets/tour/alexnet.json", a path). A mistake
// gives an error such as "alexnet.json: step 4 (conv2): text.en: unknown placeholder {outt}".
struct TourParse {
    std::optional<Tour> tour;
    std::string error;
    explicit operator bool() const { return tour.has_value(); }
};
TourParse parse_tour(std::string_view json_text, const std::string& id, const std::string& where);

// The built-in tours, then those in `folders` (*.json, sorted by name). A folder tour with the id of
// an earlier one replaces it, so a teacher can edit a copy of a built-in tour. Files that do not parse
// are left out and named in `problems`; a folder that does not exist is no problem.
struct TourList {
    std::vector<Tour> tours;
    std::vector<std::string> problems;
};
TourList load_tours(const std::vector<std::string>& folders = {});

// Every Chinese title and text of the tours (the window puts their characters into its font atlas).
std::vector<std::string> tour_chinese_texts(const std::vector<Tour>& tours);

// The tour written for a preset (the first that lists it), or nullptr.
const Tour* tour_for_preset(const std::vector<Tour>& tours, std::string_view preset_id);
// The tour that best fits a network: the first whose presets include one with the network's name;
// else the one that finds the largest share of its required (not optional) layer steps in it, at least
// half (ties: the first); nullptr when none does.
const Tour* tour_for_network(const std::vector<Tour>& tours, const Network& net);

// How well a tour fits a network: the share of its required (not optional) layer steps whose layer the
// network has, from 0 to 1. Below one half, the tour is taken to be written for another model.
double tour_fit(const Tour& tour, const Network& net);

// The stage a step shows: −1 for "input" and "overview", else the layer's index; nothing when the
// network has no such layer.
std::optional<int> tour_step_stage(const TourStep& step, const Network& net);

// The steps that fit the network, by index into tour.steps: those whose stage exists.
std::vector<size_t> tour_steps_for(const Tour& tour, const Network& net);

// What does not fit the network: a required step's stage that is missing, a {NAME:STAGE} that names
// a missing stage. Empty when everything fits. Each message names the tour and the step.
std::vector<std::string> check_tour(const Tour& tour, const Network& net);

// The facts the placeholders are filled from: the analysis and the split over the tour's devices.
// Made once per network state (the window keeps one until the network changes).
struct TourFacts {
    Network net;
    Analysis analysis;
    Partition partition;  // over the tour's devices (or the network's), for the tour's batch
};
TourFacts make_tour_facts(const Network& net, const Analysis& analysis, const Tour& tour);

// A title or text in `lang` with its placeholders filled for `step`'s stage. A value that cannot be
// known (a stage without a shape, a split of an invalid network) shows as "?".
std::string render_tour_text(std::string_view text, const TourStep& step, const TourFacts& facts, Language lang);
std::string render_step_title(const TourStep& step, const TourFacts& facts, Language lang);
std::string render_step_text(const TourStep& step, const TourFacts& facts, Language lang);

// The steps (by index) whose text or title lacks Chinese.
std::vector<size_t> steps_missing_chinese(const Tour& tour);

}  // namespace convscope
