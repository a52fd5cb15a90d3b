// libFuzzer target: the checkpoint reader (Simulation::load) on arbitrary bytes. The input is a
// checkpoint without its final checksum, which the target appends, so that mutations reach the
// sections behind it (a wrong checksum alone is refused at once). Loaded or refused with a
// UserError; anything else (another exception, a crash, a hang) is a bug.
//   build-fuzz/tests/fuzz/fuzz_checkpoint -max_total_time=300 -rss_limit_mb=4096 CORPUS_DIR SEEDS_DIR
// Seeds: tests/fuzz/make_seeds.py (checkpoints of small real runs, their checksums cut off).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "checkpoint/checkpoint.hpp"
#include "metabosim/model/error.hpp"
#include "metabosim/simulation.hpp"

namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const fs::path file =
        fs::temp_directory_path() / ("metabosim-fuzz-checkpoint-" + std::to_string(::getpid()) + ".msc");
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    const std::uint32_t checksum = metabosim::checkpoint_checksum(body);
    {
        std::ofstream out(file, std::ios::binary);
        out.write(body.data(), static_cast<std::streamsize>(body.size()));
        out.write(reinterpret_cast<const char*>(&checksum), sizeof checksum);
    }
    try {
        const metabosim::Simulation sim = metabosim::Simulation::load(file, 1);
        (void)sim.results();
    } catch (const metabosim::UserError&) {
    }
    fs::remove(file);
    return 0;
}
