// The networks the bench times.
#pragma once

#include <string>
#include <vector>

#include "metabosim/model/model.hpp"

namespace metabosim::bench {

struct Workload {
    std::string name;
    Model model;
    bool brian2_fine = false;        // also Brian2 at dt = 0.01 ms
    bool two_threads = false;        // also event-driven on 2 threads
    double synapses_per_neuron = 0;  // scaling series only: its K
};

// COBA (1 s, and 10 s unless `quick`), the microcircuit with and without STDP at 37 degC and
// with STDP at 41 degC (1 s, 0.5 s if `quick`), and the scaling series (200 ms each): N from
// 1,000 to 100,000 at K = 100 and to 16,000 at K = 1000 synapses per neuron (to 16,000 and
// 4,000 if `quick`), so that time and memory can be read against synapses x rate. None records
// states.
std::vector<Workload> workloads(bool quick);

}  // namespace metabosim::bench
