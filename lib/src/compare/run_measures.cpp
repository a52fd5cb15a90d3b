#include "compare/run_measures.hpp"

#include <algorithm>
#include <cmath>

#include "metabosim/analysis/analysis.hpp"

namespace metabosim::compare {

std::vector<double> spike_time_errors(const Model& model, const Results& a, const Results& b, std::size_t per_neuron) {
    std::vector<double> errors;
    for (std::size_t p = 0; p < a.spikes.size(); ++p) {
        if (model.populations[p].source) continue;  // drawn, not integrated: the same in every run
        const auto ta = analysis::spike_trains(a.spikes[p]), tb = analysis::spike_trains(b.spikes[p]);
        for (std::size_t i = 0; i < ta.size(); ++i)
            for (std::size_t k = 0; k < std::min({per_neuron, ta[i].size(), tb[i].size()}); ++k)
                errors.push_back(std::abs(ta[i][k] - tb[i][k]));
    }
    return errors;
}

double median(std::vector<double> v) {
    if (v.empty()) return NAN;
    std::sort(v.begin(), v.end());
    const std::size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

double loglog_slope(const std::vector<double>& x, const std::vector<double>& y) {
    std::vector<double> lx, ly;
    for (std::size_t k = 0; k < x.size(); ++k)
        if (y[k] > 0 && std::isfinite(y[k])) lx.push_back(std::log(x[k])), ly.push_back(std::log(y[k]));
    if (lx.size() < 2) return NAN;
    const double n = static_cast<double>(lx.size());
    double mx = 0, my = 0, sxx = 0, sxy = 0;
    for (std::size_t k = 0; k < lx.size(); ++k) mx += lx[k] / n, my += ly[k] / n;
    for (std::size_t k = 0; k < lx.size(); ++k) sxx += (lx[k] - mx) * (lx[k] - mx), sxy += (lx[k] - mx) * (ly[k] - my);
    return sxy / sxx;
}

void measure_network(const Results& r, const Probes& probes, NetworkRun& run) {
    for (const PopulationSpikes& s : r.spikes) {
        double chi = NAN;
        for (const StateTrace& t : r.states)  // found by content: read_results orders traces by population
            if (t.population == s.population && t.neurons == probes.voltage.at(s.population) &&
                t.variables == std::vector<std::string>{"V"} && t.interval == Probes::interval)
                chi = analysis::synchrony_chi(t, 0, 0, t.samples);
        run.populations.push_back({.population = s.population,
                                   .rate = analysis::mean_rate(s, 0, r.duration),
                                   .cv_isi = analysis::mean_cv_isi(s, 0, r.duration),
                                   .chi = chi,
                                   .fano = analysis::fano_factor(s, 5, 0, r.duration)});
    }
    for (const std::string& projection : probes.plastic) {
        const auto it = std::find_if(r.weights.begin(), r.weights.end(),
                                     [&](const WeightTrace& w) { return w.projection == projection; });
        if (it == r.weights.end() || it->mean.empty()) continue;
        run.weights.push_back({.projection = projection, .time = it->times, .mean = it->mean,
                               .fraction_at_max = it->fraction_at_max, .w_min = it->w_min, .w_max = it->w_max,
                               .final_histogram = it->histogram_at(it->times.size() - 1)});
    }
}

}  // namespace metabosim::compare
