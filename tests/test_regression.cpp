// Network regression: the COBA benchmark with Poisson drive against reference statistics.
// The ranges come from Brian2 2.5 runs of the same network (clock-driven, dt = 0.025 ms, five
// seeds; see docs/results.md), widened by the seed-to-seed spread. A broken engine (lost or
// doubled inputs, wrong delays, wrong refractoriness, wrong conductance signs) lands far outside.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "metabosim/model/builtin.hpp"
#include "metabosim/simulation.hpp"


using namespace metabosim;

namespace {

// Brian2, 5 seeds, mean [min, max]: E 22.0 [18.9, 24.6] Hz, I 22.1 [21.0, 22.7] Hz,
// CV(E) 1.56 [1.49, 1.58]. Ranges: the reference spread widened by about its own width.
constexpr double rate_e_lo = 16.5, rate_e_hi = 27.0;
constexpr double rate_i_lo = 19.0, rate_i_hi = 25.0;
constexpr double cv_e_lo = 1.35, cv_e_hi = 1.75;

double mean_rate(const PopulationSpikes& s, double duration) { return s.times.size() / (s.size * duration / 1000); }

// Mean coefficient of variation of the interspike intervals, over cells with >= 3 spikes.
double mean_cv(const PopulationSpikes& s) {
    std::vector<std::vector<double>> trains(s.size);
    for (std::size_t k = 0; k < s.times.size(); ++k) trains[s.node_ids[k]].push_back(s.times[k]);
    double sum = 0;
    int cells = 0;
    for (const auto& t : trains) {
        if (t.size() < 3) continue;
        std::vector<double> isi;
        for (std::size_t k = 1; k < t.size(); ++k) isi.push_back(t[k] - t[k - 1]);
        double m = 0, v = 0;
        for (double x : isi) m += x;
        m /= isi.size();
        for (double x : isi) v += (x - m) * (x - m);
        v /= isi.size();  // population variance, as in the reference
        sum += std::sqrt(v) / m;
        ++cells;
    }
    return sum / cells;
}

}  // namespace

TEST_CASE("COBA with Poisson drive: rates and irregularity match the clock-driven reference") {
    for (std::uint64_t seed : {1, 2}) {
        Model m = coba(1000);
        m.seed = seed;
        const Results r = simulate(m);
        const double rate_e = mean_rate(r.spikes[0], m.duration), rate_i = mean_rate(r.spikes[1], m.duration);
        const double cv_e = mean_cv(r.spikes[0]);
        MESSAGE("seed " << seed << ": E " << rate_e << " Hz, I " << rate_i << " Hz, CV(E) " << cv_e);
        CHECK(rate_e > rate_e_lo);
        CHECK(rate_e < rate_e_hi);
        CHECK(rate_i > rate_i_lo);
        CHECK(rate_i < rate_i_hi);
        CHECK(cv_e > cv_e_lo);
        CHECK(cv_e < cv_e_hi);
    }
}
