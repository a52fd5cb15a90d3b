// The files of an output directory that fuzz_results writes, by the input's first byte (shared
// with the test that replays its findings).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace metabosim::fuzz {

inline constexpr std::array<std::string_view, 6> results_files = {"summary.json", "spikes.h5",      "V.h5",
                                                                   "weights.h5",   "metabolism.csv", "ge_2.h5"};

inline std::string_view results_file(std::uint8_t selector) { return results_files[selector % results_files.size()]; }

}  // namespace metabosim::fuzz
