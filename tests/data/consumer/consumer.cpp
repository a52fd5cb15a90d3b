// A program built against an installed metabosim (tests/test_install.py): COBA for 50 ms, run
// event-driven, and its spike count. consteval: it needs the C++20 that the library's build
// flags (pkg-config, CMake, Meson) bring.
#include <iostream>

#include <metabosim/model/builtin.hpp>
#include <metabosim/simulation.hpp>

consteval double duration_ms() { return 50; }

int main() {
    const metabosim::Results results = metabosim::simulate(metabosim::coba(duration_ms()));
    std::size_t spikes = 0;
    for (const auto& population : results.spikes) spikes += population.times.size();
    std::cout << "consumer: " << results.spikes.size() << " populations, " << spikes << " spikes\n";
    return spikes > 0 ? 0 : 1;
}
