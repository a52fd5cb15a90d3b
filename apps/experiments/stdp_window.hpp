// The STDP window measured through the engine: a pairing protocol on one plastic synapse.
#pragma once

#include <vector>

#include "metabosim/analysis.hpp"
#include "metabosim/model.hpp"
#include "metabosim/simulation.hpp"

namespace metabosim::experiments {

struct WindowPoint {
    double target_dt = 0;       // ms, t_post - t_pre_arrival asked for
    double realised_dt = 0;     // ms, from the spike times, mean over pairings
    double dw_per_pairing = 0;  // nS
    bool clipped = false;       // the weight reached a bound: only the pairings before count
};

struct StdpWindow {
    double temperature = 0;
    std::vector<WindowPoint> points;
    analysis::ExponentialFit ltp, ltd;  // dt > 0 and dt < 0 (on |dt|)
};

struct WindowProtocol {
    std::vector<double> offsets{-100, -70, -50, -40, -30, -20, -15, -10, -7, -5, -3, -2, -1,
                                1,    2,   3,   5,   7,   10,  15,  20,  30,  40,  50,  70, 100};  // ms
    unsigned pairings = 60;
    double rate = 1.0;  // Hz
    Strategy strategy{};
};

// A presynaptic and a postsynaptic cell of `population` (its parameters and Q10 table at
// `temperature`, no drive) joined by one synapse with the rule and mean delay of `plastic`,
// starting at (w_min + w_max) / 2 (made inhibitory: the rule is the same, and the synapse cannot
// fire the postsynaptic cell however strong it grows). Each cell is made to fire once per pairing by a strong excitatory kick
// (an inhibitory one 1 ms later stops it firing again); the offset is measured at the synapse,
// t_post - (t_pre + delay), as the axonal-delay rule sees it. One run per offset.
StdpWindow measure_stdp_window(const Population& population, const Projection& plastic, double temperature,
                               const WindowProtocol& protocol = {});

}  // namespace metabosim::experiments
