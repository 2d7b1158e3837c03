// Placeholder file operations until they are written.
#include "app/app.h"
#include "core/presets.h"

namespace convscope::app {

bool App::load_preset(const std::string& id) {
    auto r = ::convscope::load_preset(id);
    if (!r) {
        error(r.error);
        return false;
    }
    doc.reset(*r.network, "");
    weights_path_.clear();
    weights_.reset();
    fit_weights();
    fit_input();
    select(0);
    return true;
}
bool App::open_model(const std::string& path) { error("cannot open " + path + " yet"); return false; }
bool App::save_model(const std::string& path) { error("cannot save " + path + " yet"); return false; }
bool App::load_weights(const std::string& path) { error("cannot load " + path + " yet"); return false; }
bool App::open_image(const std::string& path) { error("cannot open " + path + " yet"); return false; }
bool App::load_labels(const std::string& path) { error("cannot load " + path + " yet"); return false; }
bool App::export_table(const std::string& path, TableFormat) { error("cannot export " + path + " yet"); return false; }
std::string App::table_text(TableFormat format) const { return format_table(doc.network(), doc.analysis(), format); }
bool App::save_feature_grid_png(const std::string& path) { error("cannot save " + path + " yet"); return false; }

}  // namespace convscope::app
