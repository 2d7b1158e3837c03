// The network being edited, as a document: its analysis kept current, a revision number that every
// change bumps (so results computed from an older network can be recognised and dropped), undo and
// redo of every edit, the file it came from and whether it has unsaved changes. No GL, no ImGui.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/network.h"
#include "core/shape_engine.h"

namespace convscope::app {

class ModelDoc {
public:
    ModelDoc();

    const Network& network() const { return net_; }
    const Analysis& analysis() const { return analysis_; }
    uint64_t revision() const { return revision_; }
    // Bumped by every new analysis: each change of the network, and reanalyze(). What is derived from
    // the analysis, its text included (the device split, a tour's facts, the explorer's variants), is
    // kept until this changes.
    uint64_t analysis_revision() const { return analysis_revision_; }

    // Replaces the whole network (a preset or a file was opened). Clears undo and redo; `path` is the
    // file it came from, empty for a preset.
    void reset(Network net, std::string path);

    // Applies `change` to a copy of the network and keeps it, re-analysing at once; `what` names the
    // edit for the undo menu ("conv1: kernel 11 → 9"). Consecutive edits with the same `merge_key`
    // (a drag on one field) become one undo step. An edit that leaves the network as it was is no step.
    void edit(const std::string& what, const std::function<void(Network&)>& change, const std::string& merge_key = {});

    bool can_undo() const { return !undo_.empty(); }
    bool can_redo() const { return !redo_.empty(); }
    // The names of the steps undo and redo would take ("" when none).
    std::string undo_name() const { return undo_.empty() ? "" : undo_.back().what; }
    std::string redo_name() const { return redo_.empty() ? "" : redo_.back().what; }
    bool undo();
    bool redo();
    // Ends the current merge, so that the next edit is its own undo step (a drag was released).
    void end_merge() { merge_key_.clear(); }

    // Analyses the same network again: the analysis holds text (formulas, messages) in the language of
    // the moment, so a change of language asks for it anew. Not an edit: the revision stays, and results
    // computed from this network remain good; analysis_revision() moves on.
    void reanalyze();

    const std::string& path() const { return path_; }
    bool dirty() const { return dirty_; }
    // After a save: the document now matches `path`.
    void mark_saved(const std::string& path);
    // Restored from an autosave: keeps the network but remembers it is unsaved.
    void mark_dirty() { dirty_ = true; }

private:
    struct Step {
        std::string what;
        Network before;
    };
    void changed();
    bool swap_step(std::vector<Step>& from, std::vector<Step>& to);

    Network net_;
    Analysis analysis_;
    uint64_t revision_ = 1;
    uint64_t analysis_revision_ = 0;
    std::vector<Step> undo_, redo_;
    std::string merge_key_;
    std::string path_;
    bool dirty_ = false;
};

}  // namespace convscope::app
