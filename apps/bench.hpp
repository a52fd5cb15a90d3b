// `metabosim bench`: metabosim beside Brian2's C++ standalone mode on the same networks, measured
// in the same invocation, every run in its own process (so that its peak memory is its own).
#pragma once

#include <filesystem>

namespace metabosim::app {

struct BenchOptions {
    std::filesystem::path output = "metabosim-bench";
    bool quick = false;   // fewer and shorter workloads
    bool brian2 = true;
    bool quiet = false;
};

// Writes bench.json, bench.md (the table, the machine, the targets) and, with Python's matplotlib,
// scaling.png into options.output; returns the exit status.
int bench(const BenchOptions& options);

}  // namespace metabosim::app
