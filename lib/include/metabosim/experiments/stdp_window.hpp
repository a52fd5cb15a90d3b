// The STDP window measured through the engine: a pairing protocol on one plastic synapse.
//
// Two cells of a population, joined by one synapse with a projection's rule and mean delay, are
// each made to fire at set times; the weight change per pairing is read from the recorded weight
// and plotted against the spike-time difference the rule sees (metabosim's delay is axonal, so
// dt = t_post - (t_pre + delay)). Nothing is computed from the rule's formula: the window comes
// out of the simulation, so it checks the engine and shows the Q10 deformation of the rule.
#pragma once

#include <vector>

#include "metabosim/analysis/analysis.hpp"
#include "metabosim/model/model.hpp"
#include "metabosim/simulation.hpp"

namespace metabosim::experiments {

struct WindowPoint {
    double target_dt = 0;       // ms, t_post - t_pre_arrival asked for
    double realised_dt = 0;     // ms, the same from the spike times, mean over pairings
    double dw_per_pairing = 0;  // nS (reference scale), mean over the pairings before a bound was
                                // reached (NaN if the first pairing reached it), from w = w_max / 2
                                // (with the multiplicative rule it depends on w)
    bool clipped = false;       // the weight reached w_min or w_max
    double latency = 0;         // ms, the longest time from a kick to the spike it caused (either cell)
};

struct StdpWindow {
    double temperature = 0;             // degC
    std::vector<WindowPoint> points;    // in the order of the protocol's offsets
    analysis::ExponentialFit ltp, ltd;  // realised dt >= 0, and dt < 0 fitted on |dt| (A- < 0)
    double peak_dw = 0;                 // nS, the measured dw_per_pairing of largest magnitude (signed)
};

struct WindowProtocol {
    std::vector<double> offsets{-100, -70, -50, -40, -30, -20, -15, -10, -7, -5, -3, -2, -1,
                                1,    2,   3,   5,   7,   10,  15,  20,  30,  40,  50,  70, 100};  // ms
    unsigned pairings = 60;
    double rate = 1.0;  // Hz; pairings interact through the traces when they are not far apart
    Strategy strategy{};
};

// The window of `plastic`'s rule at `temperature`, with the two cells taken from `population`
// (its neuron parameters, Q10 table and reference temperature; no drive, no I_ext, V = EL at 0).
// One independent run per offset. Throws UserError for a projection without STDP or a protocol
// whose pairings would overlap (|offset + delay| + 2 ms >= 1000 / rate), and InternalError if a
// cell does not fire exactly once per kick.
StdpWindow measure_stdp_window(const Population& population, const Projection& plastic, double temperature,
                               const WindowProtocol& protocol = {});

}  // namespace metabosim::experiments
