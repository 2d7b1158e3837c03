// The shape table: one row per layer with its hyperparameters, shapes, formula and statistics,
// written as aligned text, CSV, Markdown, LaTeX (booktabs) or JSON. The GUI and the command line
// both export through here.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/network.h"
#include "core/shape_engine.h"
#include "core/text.h"

namespace convscope {

enum class TableFormat { Text, Csv, Markdown, Json, Latex };

std::optional<TableFormat> parse_table_format(std::string_view s);  // "text", "csv", "md", "json", "latex"
std::string_view format_extension(TableFormat f);                  // ".txt", ".csv", ".md", ".json", ".tex"
// A format's name inside a sentence: "CSV", "Markdown", "JSON", "LaTeX" as they are, "text" in the
// current language.
std::string format_name(TableFormat f);

// "96, 11×11/4, pad 0, groups 2": a layer's hyperparameters in a table cell, in the current language.
std::string layer_summary(const Layer& l);

// The whole table in one format, its headings and notes in the current language (JSON keys, CSV
// values such as "true" and "warning", and layer type names stay as they are: they are data).
// `analysis` must come from analyze(net), in the same language.
std::string format_table(const Network& net, const Analysis& analysis, TableFormat format);

// LaTeX comment lines saying how to compile `latex` when it holds wide (Chinese) characters: with
// XeLaTeX and xeCJK. Empty otherwise.
std::string latex_cjk_note(const std::string& latex);

}  // namespace convscope
