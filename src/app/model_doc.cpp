#include "app/model_doc.h"

namespace convscope::app {

namespace {
// Enough for a long editing session; the oldest steps go first.
constexpr size_t kMaxUndo = 500;
}  // namespace

ModelDoc::ModelDoc() { changed(); }

void ModelDoc::changed() {
    reanalyze();
    ++revision_;
}

void ModelDoc::reanalyze() {
    analysis_ = analyze(net_);
    ++analysis_revision_;
}

void ModelDoc::reset(Network net, std::string path) {
    net_ = std::move(net);
    path_ = std::move(path);
    undo_.clear();
    redo_.clear();
    merge_key_.clear();
    dirty_ = false;
    changed();
}

void ModelDoc::edit(const std::string& what, const std::function<void(Network&)>& change, const std::string& merge_key) {
    Network next = net_;
    change(next);
    if (next == net_) return;
    const bool merge = !merge_key.empty() && merge_key == merge_key_ && !undo_.empty();
    if (merge) {
        undo_.back().what = what;  // the step keeps its first "before"
    } else {
        undo_.push_back({what, net_});
        if (undo_.size() > kMaxUndo) undo_.erase(undo_.begin());
    }
    merge_key_ = merge_key;
    redo_.clear();
    net_ = std::move(next);
    dirty_ = true;
    changed();
}

// Undo and redo are the same move in opposite directions: take the newest step from one stack,
// leave the current network on the other.
bool ModelDoc::swap_step(std::vector<Step>& from, std::vector<Step>& to) {
    if (from.empty()) return false;
    Step s = std::move(from.back());
    from.pop_back();
    to.push_back({s.what, net_});
    net_ = std::move(s.before);
    merge_key_.clear();
    dirty_ = true;
    changed();
    return true;
}

bool ModelDoc::undo() { return swap_step(undo_, redo_); }
bool ModelDoc::redo() { return swap_step(redo_, undo_); }

void ModelDoc::mark_saved(const std::string& path) {
    path_ = path;
    dirty_ = false;
}

}  // namespace convscope::app
