// Finding 2: the STDP window at the three states, measured by the pairing protocol
// (stdp_window.hpp) on the model's plastic projection with the cells of E.
#include <algorithm>

#include "experiments/protocols.hpp"
#include "metabosim/model/error.hpp"

namespace metabosim::experiments {

WindowDeformation stdp_window(const RunSets& sets) {
    const Model& base = sets.base();
    const Settings& s = sets.settings();
    const Population& e = base.population("E");
    const auto plastic = std::find_if(base.projections.begin(), base.projections.end(),
                                      [](const Projection& p) { return p.stdp.has_value(); });
    if (plastic == base.projections.end()) throw UserError("stdp-window: the model has no plastic projection");
    sets.say("pairing protocol at {:g}, {:g}, {:g} degC", s.hypo, s.normo, s.hyper);
    const WindowProtocol protocol;  // event-driven
    WindowDeformation w;
    w.pairings = protocol.pairings;
    w.rate = protocol.rate;
    for (const auto& [label, t] : {std::pair{"hypo", s.hypo}, {"normo", s.normo}, {"hyper", s.hyper}})
        w.curves.push_back({.state = label, .temperature = t, .window = measure_stdp_window(e, *plastic, t, protocol)});
    const StdpWindow &hypo = w.curves[0].window, &normo = w.curves[1].window, &hyper = w.curves[2].window;
    const auto add = [&](std::string claim, std::string measure, double value, bool holds) {
        w.criteria.push_back(criterion(std::move(claim), std::move(measure), value, holds, 1, [holds](std::size_t) { return holds; }));
    };
    add("hyper: a taller window", "LTP peak A+: hyper > normo (nS per pairing)", hyper.ltp.amplitude,
        hyper.ltp.amplitude > normo.ltp.amplitude);
    add("hyper: a narrower window", "LTP tau+: hyper < normo (ms)", hyper.ltp.tau, hyper.ltp.tau < normo.ltp.tau);
    add("hypo: a lower window", "LTP peak A+: hypo < normo (nS per pairing)", hypo.ltp.amplitude,
        hypo.ltp.amplitude < normo.ltp.amplitude);
    add("hypo: a wider window", "LTP tau+: hypo > normo (ms)", hypo.ltp.tau, hypo.ltp.tau > normo.ltp.tau);
    w.claim = "Hypermetabolism sharpens coincidence detection (narrow, tall window), hypometabolism flattens it "
              "(wide, low window).";
    return w;
}

}  // namespace metabosim::experiments
