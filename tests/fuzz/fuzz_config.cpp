// libFuzzer target: the configuration reader and validation on arbitrary bytes.
//   build-fuzz/tests/fuzz/fuzz_config -max_total_time=300 CORPUS_DIR configs tests/data/malformed
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    metabosim::fuzz::read_config_text(std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
