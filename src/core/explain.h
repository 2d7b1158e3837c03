// A stage-by-stage derivation of a network's shapes in words, like a good lecture note: every
// formula with its numbers, what each inexact division costs, which input sizes would tile exactly,
// what floor versus ceil pooling does downstream, and a publication's printed neuron counts set
// against the computed ones.
#pragma once

#include <string>

#include "core/network.h"

namespace convscope {

std::string explain_network(const Network& net);

}  // namespace convscope
