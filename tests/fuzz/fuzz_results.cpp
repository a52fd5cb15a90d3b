// libFuzzer target: the output reader (read_results) on a directory holding one file made of the
// input: its first byte chooses which (summary.json, spikes.h5, a report, weights.h5,
// metabolism.csv), the rest is its content. The reader returns results or throws UserError;
// anything else (another exception, a crash) is a bug.
//   build-fuzz/tests/fuzz/fuzz_results -max_total_time=300 CORPUS_DIR SEEDS_DIR
// Seeds: tests/fuzz/make_seeds.py (files of a real run, each behind the byte that names it).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "metabosim/model/error.hpp"
#include "metabosim/recording/output.hpp"
#include "results_files.hpp"

namespace fs = std::filesystem;

namespace {

// A directory of this process's own, removed at exit.
struct Scratch {
    fs::path dir;
    Scratch() {
        std::string name = (fs::temp_directory_path() / "metabosim-fuzz-results-XXXXXX").string();
        if (!::mkdtemp(name.data())) std::abort();
        dir = name;
    }
    ~Scratch() {
        std::error_code ignored;
        fs::remove_all(dir, ignored);
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const Scratch scratch;
    if (size == 0) return 0;
    const fs::path file = scratch.dir / metabosim::fuzz::results_file(data[0]);
    {
        std::ofstream out(file, std::ios::binary);
        out.write(reinterpret_cast<const char*>(data + 1), static_cast<std::streamsize>(size - 1));
    }
    try {
        metabosim::read_results(scratch.dir);
    } catch (const metabosim::UserError&) {
    }
    fs::remove(file);
    return 0;
}
