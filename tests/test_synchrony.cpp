// The synchrony measures of synchrony.hpp and the energy regimes of energy_regime.hpp on
// constructed inputs with known answers: identical neurons, independent ones, a periodic rate,
// synthetic state timelines.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <random>

#include "metabosim/analysis/analysis.hpp"
#include "metabosim/analysis/energy_regime.hpp"
#include "metabosim/analysis/synchrony.hpp"
#include "metabosim/model/error.hpp"

using namespace metabosim;
using namespace metabosim::analysis;
using doctest::Approx;

namespace {

// V of `neurons` neurons over `samples` samples, value(k, n).
template <class F>
StateTrace trace(std::size_t neurons, std::size_t samples, F value) {
    StateTrace t;
    t.neurons.resize(neurons);
    t.variables = {"V"};
    t.samples = samples;
    for (std::size_t k = 0; k < samples; ++k)
        for (std::size_t n = 0; n < neurons; ++n) t.values.push_back(value(k, n));
    return t;
}

std::vector<std::size_t> first(std::size_t n) {
    std::vector<std::size_t> c(n);
    for (std::size_t i = 0; i < n; ++i) c[i] = i;
    return c;
}

// Poisson trains of `size` neurons at `rate` Hz over [0, duration) ms, merged in time order.
PopulationSpikes poisson(std::uint32_t size, double rate, double duration, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::exponential_distribution<double> gap(rate / 1000);
    std::vector<std::pair<double, std::uint32_t>> all;
    for (std::uint32_t i = 0; i < size; ++i)
        for (double t = gap(rng); t < duration; t += gap(rng)) all.emplace_back(t, i);
    std::sort(all.begin(), all.end());
    PopulationSpikes s{"E", size, {}, {}};
    for (const auto& [t, i] : all) s.times.push_back(t), s.node_ids.push_back(i);
    return s;
}

}  // namespace

TEST_CASE("chi is 1 for identical neurons, on any subset and sampling interval") {
    const auto v = trace(10, 400, [](std::size_t k, std::size_t) { return -60 + 5 * std::sin(0.05 * k); });
    CHECK(synchrony_chi_of(v, 0, first(10), 0, 400) == Approx(1));
    CHECK(synchrony_chi_of(v, 0, {2, 7}, 100, 300) == Approx(1));
    CHECK(synchrony_chi_of(v, 0, first(10), 0, 400, 7) == Approx(1));
    CHECK(synchrony_chi(v, 0, 0, 400) == Approx(1));
}

TEST_CASE("chi of independent neurons falls as 1/sqrt(N) with the sample size") {
    std::mt19937_64 rng(3);
    std::normal_distribution<double> noise(-60, 2);
    const auto v = trace(400, 2000, [&](std::size_t, std::size_t) { return noise(rng); });
    const double all = synchrony_chi_of(v, 0, first(400), 0, 2000);
    const double few = synchrony_chi_of(v, 0, first(25), 0, 2000);
    // Expected sqrt(1/N + 1/samples-ish): 0.05 for 400 neurons, 0.2 for 25.
    CHECK(all == Approx(0.05).epsilon(0.3));
    CHECK(few == Approx(0.2).epsilon(0.3));
    // The whole trace by synchrony_chi is the same as every column by synchrony_chi_of.
    CHECK(synchrony_chi(v, 0, 0, 2000) == all);
}

TEST_CASE("chi refuses columns, strides and ranges outside the trace") {
    const auto v = trace(3, 10, [](std::size_t k, std::size_t n) { return double(k * n); });
    CHECK_THROWS_AS(synchrony_chi_of(v, 0, {3}, 0, 10), UserError);
    CHECK_THROWS_AS(synchrony_chi_of(v, 0, {0}, 0, 11), UserError);
    CHECK_THROWS_AS(synchrony_chi_of(v, 0, {0}, 0, 10, 0), UserError);
    CHECK(std::isnan(synchrony_chi_of(v, 0, {}, 0, 10)));
}

TEST_CASE("spike-count correlation: 1 for identical trains, about 0 for independent Poisson trains") {
    // Five neurons firing together at the times of one Poisson train; a sixth silent.
    const PopulationSpikes one = poisson(1, 20, 5000, 1);
    PopulationSpikes same{"E", 6, {}, {}};
    for (double t : one.times)
        for (std::uint32_t i = 0; i < 5; ++i) same.times.push_back(t), same.node_ids.push_back(i);
    for (double bin : {5.0, 20.0, 100.0})
        CHECK(mean_count_correlation(same, {0, 1, 2, 3, 4, 5}, bin, 0, 5000) == Approx(1).epsilon(1e-12));
    const PopulationSpikes independent = poisson(200, 20, 10000, 2);
    std::vector<std::uint32_t> all(200);
    for (std::uint32_t i = 0; i < 200; ++i) all[i] = i;
    for (double bin : {5.0, 20.0, 100.0})
        CHECK(std::abs(mean_count_correlation(independent, all, bin, 0, 10000)) < 0.01);
    // Half the neurons copy the other half: each copy pair correlates 1, the rest 0, so the mean
    // over the 4 x 3 ordered pairs of 4 neurons (2 copies) is 4/12.
    PopulationSpikes copies = poisson(2, 30, 60000, 4);
    const auto n = copies.times.size();
    for (std::size_t q = 0; q < n; ++q) copies.times.push_back(copies.times[q]), copies.node_ids.push_back(copies.node_ids[q] + 2);
    copies.size = 4;
    CHECK(mean_count_correlation(copies, {0, 1, 2, 3}, 5, 0, 60000) == Approx(1.0 / 3).epsilon(0.05));
    CHECK(std::isnan(mean_count_correlation(same, {0, 5}, 20, 0, 5000)));  // one neuron varies
    CHECK_THROWS_AS(mean_count_correlation(same, {6}, 20, 0, 5000), UserError);
}

TEST_CASE("the spectrum of a periodic population rate peaks at its frequency") {
    std::vector<double> rate(3000);
    for (std::size_t k = 0; k < rate.size(); ++k) rate[k] = 10 + 5 * std::sin(2 * std::numbers::pi * 40 * k / 1000.0);
    const Spectrum s = power_spectrum(rate, 1, 1000);
    REQUIRE(s.frequency.size() == 501);
    CHECK(s.frequency[1] == Approx(1));
    CHECK(peak_frequency(s, 1) == Approx(40));
    CHECK(band_fraction(s, 30, 80) > 0.99);
    // The power integrates to the variance of the signal (Parseval): 5^2 / 2.
    double total = 0;
    for (double p : s.power) total += p * (s.frequency[1] - s.frequency[0]);
    CHECK(total == Approx(12.5).epsilon(0.02));
    // A constant rate has no power above 0 Hz.
    const Spectrum flat = power_spectrum(std::vector<double>(3000, 7), 1, 1000);
    CHECK(std::isnan(peak_frequency(flat, 1)));
    CHECK(std::isnan(band_fraction(flat, 1, 10)));
    CHECK(power_spectrum({1, 2}, 1, 1000).power.empty());
    CHECK_THROWS_AS(power_spectrum(rate, 0, 1000), UserError);
}

TEST_CASE("energy regimes follow the switches of a state timeline") {
    const auto held = state_course({41, 41, 41, 41});
    CHECK(held.regime == EnergyRegime::holds);
    CHECK(held.switches == 0);
    CHECK(held.fraction_at(41) == 1);
    CHECK(held.fraction_at(32) == 0);
    const auto locked = state_course({41, 41, 32, 32, 32, 32, 32, 32});
    CHECK(locked.regime == EnergyRegime::locks);
    CHECK(locked.final == 32);
    CHECK(locked.fraction_at(32) == Approx(0.75));
    const auto cycling = state_course({41, 32, 32, 41, 41, 32});
    CHECK(cycling.regime == EnergyRegime::regulates);
    CHECK(cycling.switches == 3);
    CHECK(cycling.fraction_at(41) == Approx(0.5));
    CHECK(to_string(cycling.regime) == "regulates");
    CHECK_THROWS_AS(state_course({}), UserError);
}
