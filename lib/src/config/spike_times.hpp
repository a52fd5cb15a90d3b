// Spike times read from TOML: a generator's times file and a spike-source population's table.
#pragma once

#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "config/section.hpp"
#include "metabosim/model/model.hpp"

namespace metabosim::config {

// Spike times in ms from the file named by `node` (relative to the config), one per line,
// ascending; '#' starts a comment.
std::vector<double> read_times_file(const Document& doc, const toml::node& node, std::string_view path);

// source = { kind = "poisson", rate = "15 Hz", steps = [...], temperature_scaled = false } or
// { kind = "array", times = [[...], ...] | times_files = ["...", ...] } of a population of `size`.
SpikeSource read_source(Section& s, std::uint32_t size);

}  // namespace metabosim::config
