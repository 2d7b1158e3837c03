// The App's guided tour: which tours there are (built in, and from the folders it is told about),
// starting and stepping one, and the facts its texts are filled from. The window (view_tour.cpp) and the
// script's `tour` steps both act through these.
#include <algorithm>

#include "app/app.h"

namespace convscope::app {

const TourList& App::tours() const {
    if (!tours_) tours_ = load_tours(tour_folders);  // quietly: reload_tours() reports the problems
    return *tours_;
}

void App::reload_tours() {
    tours_ = load_tours(tour_folders);
    for (const std::string& p : tours_->problems) warn(tr("a tour was left out: {0}", p));
    // The running tour may have gone, or changed: its facts are made again.
    tour_facts_id_.clear();
    if (tour.active() && !current_tour()) tour = {};
}

const Tour* App::current_tour() const {
    if (!tour.active()) return nullptr;
    for (const Tour& t : tours().tours)
        if (t.id == tour.id) return &t;
    return nullptr;
}

std::vector<size_t> App::tour_steps() const {
    const Tour* t = current_tour();
    return t ? tour_steps_for(*t, doc.network()) : std::vector<size_t>{};
}

size_t App::tour_step_index() const {
    const size_t n = tour_steps().size();
    return n == 0 ? 0 : std::min(tour.step, n - 1);
}

const TourStep* App::current_tour_step() const {
    const Tour* t = current_tour();
    if (!t) return nullptr;
    const std::vector<size_t> steps = tour_steps_for(*t, doc.network());
    if (steps.empty()) return nullptr;
    return &t->steps[steps[std::min(tour.step, steps.size() - 1)]];
}

bool App::start_tour(const std::string& id) {
    const Tour* t = nullptr;
    if (id.empty()) {
        t = tour_for_network(tours().tours, doc.network());
        if (!t) {
            error(tr("there is no tour for {0}", doc.network().name));
            return false;
        }
    } else {
        for (const Tour& candidate : tours().tours)
            if (candidate.id == id) t = &candidate;
        if (!t) {
            std::string known;
            for (const Tour& candidate : tours().tours) {
                if (!known.empty()) known += ", ";
                known += candidate.id;
            }
            error(tr("there is no tour named \"{0}\" (known: {1})", id, known));
            return false;
        }
    }
    const Network& net = doc.network();
    // A tour that finds fewer than half of its layers in the network is written for another model.
    if (tour_fit(*t, net) < 0.5) {
        std::string presets;
        for (const std::string& p : t->presets) {
            if (!presets.empty()) presets += ", ";
            presets += p;
        }
        error(tr("the tour \"{0}\" is written for {1}, not for {2}: open one of those presets first", t->id, presets,
                 net.name));
        return false;
    }
    const std::vector<std::string> problems = check_tour(*t, net);
    if (!problems.empty())
        warn(tr("{0} steps of the tour do not fit this network and are left out (the first: {1})",
                std::to_string(problems.size()), problems.front()));
    tour.id = t->id;
    tour.step = 0;
    show_tour = true;
    show_tour_step();
    return true;
}

void App::tour_next() {
    if (!current_tour_step()) return;
    tour.step = tour_step_index();
    if (tour.step + 1 < tour_steps().size()) ++tour.step;
    show_tour_step();
}

void App::tour_prev() {
    if (!current_tour_step()) return;
    tour.step = tour_step_index();
    if (tour.step > 0) --tour.step;
    show_tour_step();
}

void App::stop_tour() { tour = {}; }

void App::show_tour_step() {
    const TourStep* s = current_tour_step();
    if (!s) return;
    if (const auto stage = tour_step_stage(*s, doc.network())) {
        playing = false;  // the walk would carry the selection away from the step
        select(*stage);
    }
}

const TourFacts& App::tour_facts() {
    const Tour* t = current_tour();
    static const Tour kNone;
    const Tour& for_tour = t ? *t : kNone;
    if (tour_facts_revision_ != doc.analysis_revision() || tour_facts_id_ != for_tour.id || tour_facts_id_.empty()) {
        tour_facts_ = make_tour_facts(doc.network(), doc.analysis(), for_tour);
        tour_facts_revision_ = doc.analysis_revision();
        tour_facts_id_ = for_tour.id;
    }
    return tour_facts_;
}

}  // namespace convscope::app
