// The session between runs, in a config dir of the test's own ($XDG_CONFIG_HOME): the autosave brings
// back the network, the selection, the seed, the input and the view; a broken session file is reported
// and ignored; the recent files keep ten, newest first, without repeats.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>

#include "app_support.h"
#include "core/file_io.h"

using namespace convscope;
using namespace convscope::test;
using convscope::app::App;
namespace fs = std::filesystem;

namespace {

bool has_message(const App& a, app::Message::Level level, const std::string& part) {
    for (const auto& m : a.messages())
        if (m.level == level && contains(m.text, part)) return true;
    return false;
}

void write(const std::string& path, const std::string& text) {
    std::string e;
    REQUIRE_MESSAGE(write_file_atomic(path, text, e), e);
}

}  // namespace

TEST_SUITE("app_session") {

TEST_CASE("the config dir follows XDG_CONFIG_HOME and is created") {
    ScratchConfig cfg;
    const std::string dir = App::config_dir();
    CHECK(dir == (cfg.dir.path / "convscope").string());
    CHECK(fs::is_directory(dir));
}

TEST_CASE("an autosaved session comes back whole, unsaved, with a notice") {
    ScratchConfig cfg;
    Network edited;
    {
        App a;
        REQUIRE(a.load_preset("lenet5"));  // small weights: a new seed is quick
        a.edit("c1: kernel 5 → 3", [](Network& n) { n.layers[0].kernel = {3, 3}; });
        a.set_seed(7);
        a.preprocess.normalization = nn::Normalization::Caffe;
        a.use_sample("coffee");
        a.set_threads(2);
        a.view.colormap = app::Colormap::Diverging;
        a.view.scale = app::MapScale::PerLayer;
        a.view.show_table = false;
        a.select(4);
        edited = a.doc.network();
        a.autosave();
    }
    REQUIRE(fs::exists(cfg.file("session.json")));
    App b;
    CHECK(b.restore_autosave());
    CHECK(b.doc.network() == edited);
    CHECK(b.doc.dirty());
    CHECK(b.selected() == 4);
    CHECK(b.seed() == 7);
    CHECK(b.input_name() == "sample coffee");
    CHECK(b.preprocess.normalization == nn::Normalization::Caffe);
    CHECK(b.threads == 2);
    CHECK(b.view.colormap == app::Colormap::Diverging);
    CHECK(b.view.scale == app::MapScale::PerLayer);
    CHECK(!b.view.show_table);
    CHECK(has_message(b, app::Message::Level::Info, "restored your unsaved session from " + cfg.file("session.json")));
    // The weights are the seeded ones of the restored network.
    REQUIRE(b.weights());
    CHECK(b.weights()->layers[0].weight_shape == std::vector<int64_t>{6, 1, 3, 3});
    REQUIRE(b.wait_for_pass(60));

    b.clear_autosave();
    CHECK(!fs::exists(cfg.file("session.json")));
    const size_t messages = b.messages().size();
    CHECK(!b.restore_autosave());
    CHECK(b.messages().size() == messages);  // nothing to restore is nothing to say
}

TEST_CASE("a broken session file is named in a warning and the app carries on with its defaults") {
    ScratchConfig cfg;
    const std::string path = (fs::path(App::config_dir()) / "session.json").string();
    App a;  // a failed restore leaves it as it was, so one app serves every broken file
    for (const std::string& text :
         {std::string("{ not json"), std::string(R"({"format": "something-else"})"),
          std::string(R"({"format": "convscope-session", "version": 1,
                          "network": {"input": [3, 0, 5], "layers": []}})"),
          std::string(R"({"format": "convscope-session", "version": 1, "network": {"input": [3, 8, 8], "layers": []},
                          "selected": "first"})"),
          std::string(R"({"format": "convscope-session", "version": 99, "network": {}})")}) {
        CAPTURE(text);
        write(path, text);
        const size_t before = a.messages().size();
        CHECK(!a.restore_autosave());
        REQUIRE(a.messages().size() == before + 1);
        CHECK(a.messages().back().level == app::Message::Level::Warning);
        CHECK(starts_with(a.messages().back().text, "could not restore the session saved in " + path + ": "));
        CHECK(a.doc.network() == preset("alexnet-caffe"));
        CHECK(!a.doc.dirty());
        CHECK(a.input_name() == "sample chelsea");
    }
}

TEST_CASE("a session whose photo or weights file has gone still brings back the network") {
    ScratchConfig cfg;
    write((fs::path(App::config_dir()) / "session.json").string(), R"({
        "format": "convscope-session", "version": 1,
        "network": {"name": "tiny", "input": [3, 16, 16], "layers": [{"type": "conv", "out": 4, "kernel": 3}]},
        "dirty": true, "selected": 0, "seed": 3,
        "weights_file": "/nonexistent/w.safetensors",
        "input": {"image": "/nonexistent/photo.png"}
    })");
    App a;
    CHECK(a.restore_autosave());
    CHECK(a.doc.network().name == "tiny");
    CHECK(a.seed() == 3);
    CHECK(!a.weights_loaded_from_file());
    CHECK(has_message(a, app::Message::Level::Error, "/nonexistent/photo.png"));
    CHECK(has_message(a, app::Message::Level::Error, "/nonexistent/w.safetensors"));
}

TEST_CASE("recent files: newest first, no repeats, ten at most, kept in recent.json") {
    ScratchConfig cfg;
    TempDir files;
    {
        App a;
        a.autosave_enabled = true;  // as the window does when it keeps its files
        for (int i = 0; i < 12; ++i) {
            char name[32];
            std::snprintf(name, sizeof name, "m%d.json", i);
            a.add_recent(files.file(name));
        }
        a.add_recent(files.file("m5.json"));
        REQUIRE(a.recent_files.size() == 10);
        CHECK(a.recent_files[0] == files.file("m5.json"));
        CHECK(a.recent_files[1] == files.file("m11.json"));
        CHECK(a.recent_files[8] == files.file("m3.json"));
        CHECK(a.recent_files[9] == files.file("m2.json"));
        CHECK(std::count(a.recent_files.begin(), a.recent_files.end(), files.file("m5.json")) == 1);
    }
    REQUIRE(fs::exists(cfg.file("recent.json")));
    App b;
    b.load_recent();  // as the window does at start-up, with or without a session to restore
    REQUIRE(b.recent_files.size() == 10);
    CHECK(b.recent_files[0] == files.file("m5.json"));
    CHECK(b.recent_files[9] == files.file("m2.json"));
}

TEST_CASE("a relative recent path is stored absolute, and a run that keeps no files writes none") {
    ScratchConfig cfg;
    App a;  // autosave_enabled is off, as in tests and --no-persist runs
    a.add_recent("model.json");
    REQUIRE(a.recent_files.size() == 1);
    CHECK(fs::path(a.recent_files[0]).is_absolute());
    CHECK(fs::path(a.recent_files[0]).filename() == "model.json");
    CHECK(!fs::exists(cfg.file("recent.json")));
}

TEST_CASE("a broken recent.json is reported and replaced by the next addition") {
    ScratchConfig cfg;
    write((fs::path(App::config_dir()) / "recent.json").string(), "{\"recent\": 5}");
    App a;
    a.load_recent();
    CHECK(a.recent_files.empty());
    CHECK(has_message(a, app::Message::Level::Warning, "recent.json"));
    a.autosave_enabled = true;
    a.add_recent("/tmp/x.json");
    std::string e;
    const auto text = read_file(cfg.file("recent.json"), e);
    REQUIRE(text);
    CHECK(nlohmann::json::parse(*text)["recent"] == nlohmann::json{"/tmp/x.json"});
}

}
