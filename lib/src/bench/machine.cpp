#include "bench/machine.hpp"

#include <fstream>
#include <thread>

namespace metabosim::bench {

Machine this_machine() {
    Machine m{.cpu = "unknown", .compiler = "unknown", .metabosim_version = METABOSIM_VERSION,
              .cores = std::thread::hardware_concurrency(), .optimized = false};
    std::ifstream info("/proc/cpuinfo");
    for (std::string line; std::getline(info, line);)
        if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos) {
            m.cpu = line.substr(line.find(':') + 1);
            m.cpu.erase(0, m.cpu.find_first_not_of(' '));
            break;
        }
#if defined(__clang__)
    m.compiler = std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
    m.compiler = std::string("GCC ") + __VERSION__;
#endif
#if defined(__OPTIMIZE__)
    m.optimized = true;
#endif
    return m;
}

}  // namespace metabosim::bench
