// A stage-by-stage derivation of a network's shapes in words, like a good lecture note: every
// formula with its numbers, what each inexact division costs, which input sizes would tile exactly,
// what floor versus ceil pooling does downstream, and a publication's printed neuron counts set
// against the computed ones. In the current language (core/i18n.h), wrapped at 100 terminal columns
// (a Chinese character takes two; Chinese lines may break between any two characters).
#pragma once

#include <string>

#include "core/network.h"

namespace convscope {

std::string explain_network(const Network& net);

}  // namespace convscope
