// Every file the desktop app writes, in a read-only directory and on a full disk
// (tests/write_failures.h), driven as the menus and scripts drive the App: File › Save model, the
// table export, the feature-map PNG, the session autosave, the recent-files list, the script steps
// that save, and the window's own files (--state-out, --screenshot, window.json, imgui.ini, the
// autosave when it closes). Each refused write must post (or print) a message naming the file and the
// reason, change nothing on disk, and leave the App running.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/file_io.h"
#include "core/model_io.h"
#include "gui_support.h"
#include "write_failures.h"

using namespace convscope;
using namespace convscope::test;
using convscope::app::App;
using Level = convscope::app::Message::Level;

namespace {

namespace fs = std::filesystem;

// The messages posted since `seen`, one per line, each led by its level ("error: …").
std::string messages_since(const App& a, size_t seen) {
    std::string out;
    for (size_t i = seen; i < a.messages().size(); ++i) {
        const auto& m = a.messages()[i];
        out += m.level == Level::Error ? "error: " : m.level == Level::Warning ? "warning: " : "info: ";
        out += m.text;
        out += '\n';
    }
    return out;
}

// An App whose forward pass is done, so that the worker thread is idle when the test forks (a thread
// caught holding a lock would leave it locked in the child).
void settle(App& a) {
    a.frame(0);
    REQUIRE(a.wait_for_pass(120));
    a.frame(1);
    REQUIRE(a.current_pass());
}

// A call on the App in the child: it reports the call's result and the messages it posted.
SaveOutcome app_call(App& a, const std::function<bool()>& call) {
    const size_t seen = a.messages().size();
    const bool ok = call();
    return {ok, messages_since(a, seen)};
}

// The config dir ($XDG_CONFIG_HOME/convscope) made in `base`, holding old copies of the app's files.
fs::path config_with_old_files(const FaultDir& base) {
    const fs::path dir = base.path / "convscope";
    fs::create_directories(dir);
    ::chmod(dir.c_str(), 0755);
    for (const char* name : {"session.json", "recent.json", "window.json", "imgui.ini"}) {
        std::string text = "{\"old\": \"";
        text += name;
        text += "\"}\n";
        base.file((fs::path("convscope") / name).string(), text);
    }
    return dir;
}

bool have_prlimit() { return std::system("command -v prlimit >/dev/null 2>&1") == 0; }

}  // namespace

TEST_SUITE("app_write_failures") {

TEST_CASE("Save model, Export table and Save maps as PNG under a fault post an error and change nothing") {
    App a;
    a.edit("conv1: 64 kernels", [](Network& n) { n.layers[0].out = 64; });
    settle(a);
    REQUIRE(a.doc.dirty());
    const std::string doc_path = a.doc.path();
    struct Save {
        const char* file;
        std::function<bool(const std::string&)> call;
    };
    const Save saves[] = {
        {"model.json", [&](const std::string& p) { return a.save_model(p); }},
        {"table.csv", [&](const std::string& p) { return a.export_table(p, TableFormat::Csv); }},
        {"conv1.png", [&](const std::string& p) { return a.save_feature_grid_png(p); }},
    };
    for (const Save& save : saves) {
        for (const Fault fault : kFaults) {
            CAPTURE(save.file);
            FaultDir dir;
            const std::string path = dir.file(save.file, "the old file");
            const DirSnapshot before = snapshot(dir.path);
            const SaveOutcome r = save_under_fault(fault, dir.path, [&] {
                SaveOutcome o = app_call(a, [&] { return save.call(path); });
                // A model that was not saved must still count as unsaved, under its old name.
                if (!a.doc.dirty() || a.doc.path() != doc_path) o.error += "the document was marked saved\n";
                return o;
            });
            check_refused(fault, r, path, dir.path, before);
            CHECK(starts_with(r.error, "error: "));
            CHECK_FALSE(contains(r.error, "marked saved"));
        }
    }
    // The same calls succeed where the disk allows them (the faults, not the calls, made them fail).
    TempDir ok;
    for (const Save& save : saves) CHECK(save.call(ok.file(save.file)));
}

TEST_CASE("the session autosave and the recent-files list under a fault warn and keep the old files") {
    App a;
    a.edit("conv1: 64 kernels", [](Network& n) { n.layers[0].out = 64; });
    settle(a);
    TempDir models;
    const std::string model = models.file("m.json", "{}");
    for (const Fault fault : kFaults) {
        FaultDir base;
        const fs::path config = config_with_old_files(base);
        const DirSnapshot before = snapshot(config);
        // The session file, as the periodic autosave and the window's close write it.
        const SaveOutcome session = save_under_fault(fault, config, [&] {
            ::setenv("XDG_CONFIG_HOME", base.path.c_str(), 1);
            const size_t seen = a.messages().size();
            const auto e = a.autosave();
            SaveOutcome o{!e, messages_since(a, seen)};
            if (e && !contains(o.error, *e)) o.error.append("autosave returned another reason: ").append(*e);
            return o;
        });
        check_refused(fault, session, (config / "session.json").string(), config, before);
        CHECK(starts_with(session.error, "warning: could not autosave the session: "));
        // The recent-files list, which every opened or saved file extends.
        const SaveOutcome recent = save_under_fault(fault, config, [&] {
            ::setenv("XDG_CONFIG_HOME", base.path.c_str(), 1);
            a.autosave_enabled = true;  // as the window does when it keeps its files
            const size_t seen = a.messages().size();
            a.add_recent(model);
            const std::string posted = messages_since(a, seen);
            // The list in memory still has the file: only its copy on disk is out of date.
            const bool listed = !a.recent_files.empty() && a.recent_files[0] == model;
            return SaveOutcome{posted.empty(), listed ? posted : posted + "not listed\n"};
        });
        check_refused(fault, recent, (config / "recent.json").string(), config, before);
        CHECK(starts_with(recent.error, "warning: could not save the list of recent files: "));
        CHECK_FALSE(contains(recent.error, "not listed"));
    }
}

TEST_CASE("script steps that save (save-model, export, state) fail with the file and the reason") {
    App a;
    settle(a);
    for (const char* step : {"save-model", "export csv", "state"}) {
        for (const Fault fault : kFaults) {
            CAPTURE(step);
            FaultDir dir;
            const std::string path = dir.file("out.txt", "the old file");
            const DirSnapshot before = snapshot(dir.path);
            std::string text = step;
            text += " ";
            text += path;
            text += "\n";
            const SaveOutcome r = save_under_fault(fault, dir.path, [&] {
                std::string error;
                auto script = app::Script::parse(text, "test.script", error);
                if (!script) return SaveOutcome{false, error};
                app::ScriptHost host;
                while (script->advance(a, host, error)) ++host.frames_drawn;
                return SaveOutcome{error.empty(), error};
            });
            check_refused(fault, r, path, dir.path, before);
            CHECK(starts_with(r.error, "test.script:1: "));
        }
    }
}

TEST_CASE("the window's own files under a fault: --state-out and --screenshot fail with status 2, the rest is printed") {
    if (!have_xvfb() || !have_prlimit()) {
        MESSAGE("skipped: xvfb-run or prlimit is not installed");
        return;
    }
    for (const Fault fault : kFaults) {
        CAPTURE(fault_name(fault));
        FaultDir base;
        if (fault == Fault::FullDisk && !kForwardPassUnderFileSizeLimit) {
            MESSAGE("skipped under a full disk: this build's OpenMP runtime cannot start under a file-size limit");
            continue;
        }
        const fs::path config = config_with_old_files(base);
        const std::string state = base.file("convscope/state.json", "{\"old\": \"state\"}\n");
        FaultDir inputs;
        const std::string script = inputs.file("steps.txt", "select conv1\nset out 64\nwait-pass\n");
        const DirSnapshot before = snapshot(config);
        // A full disk only for ConvScope: xvfb-run's own small files must still be written.
        std::string cmd = "MESA_SHADER_CACHE_DISABLE=true XDG_CONFIG_HOME='";
        cmd += base.path.string();
        cmd += "' xvfb-run -a -s '-screen 0 800x600x24' ";
        if (fault == Fault::FullDisk) cmd += "prlimit --fsize=16 -- ";
        cmd += CONVSCOPE_BINARY;
        cmd += " gui --size 800x600 --script ";
        cmd += script;
        cmd += " --state-out ";
        cmd += state;
        cmd += " --frames 20 --screenshot ";
        cmd += (config / "shot.png").string();
        ChildRun r;
        for (int attempt = 0; attempt < 3; ++attempt) {  // xvfb-run -a can lose a race for a display
            r = run_under_fault(fault, config, {"/bin/sh", "-c", cmd}, RLIM_INFINITY);
            if (!xvfb_failed(r.err)) break;
        }
        CAPTURE(r.err);
        CHECK(r.code == 2);
        for (const char* name : {"state.json", "shot.png", "session.json", "window.json", "imgui.ini"}) {
            CAPTURE(name);
            check_refused(fault, {r.code == 0, r.err}, (config / name).string(), config, before);
        }
        CHECK(contains(r.err, "could not autosave the session: "));
        CHECK(contains(r.err, "could not save the window size: "));
        CHECK(contains(r.err, "could not save the window layout: "));
    }
}

}  // TEST_SUITE("app_write_failures")
