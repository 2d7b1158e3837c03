// convscope: the one executable. Subcommands run headless (src/cli); with no arguments it prints the
// AlexNet shape table.
#include <iostream>
#include <string>
#include <vector>

#include "cli/cli.h"

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    return convscope::run_cli(args, std::cout, std::cerr);
}
