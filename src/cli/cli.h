// The command line: `convscope table|explain|presets …`. The logic takes its arguments and output
// streams as parameters so tests can run it in-process; main() only forwards argv.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace convscope {

// Exit codes: 0 every layer valid; 1 the model loaded but a layer is invalid; 2 usage error or an
// unreadable model file or an output that cannot be written.
enum ExitCode { kExitOk = 0, kExitInvalidLayer = 1, kExitUsage = 2 };

// `args` excludes the program name.
int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace convscope
