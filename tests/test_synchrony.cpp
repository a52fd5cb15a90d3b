// The synchrony measures of synchrony.hpp and the energy regimes of energy_regime.hpp on
// constructed inputs with known answers: identical neurons, independent ones, a periodic rate,
// synthetic state timelines.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
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

// x within a fraction `e` of itself (doctest's Approx adds 1 to the scale by default).
Approx relative(double x, double e) { return Approx(x).epsilon(e).scale(0); }

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

TEST_CASE("chi of a shared signal under independent noise: chi^2 = (s^2 + n^2 / N) / (s^2 + n^2)") {
    // V_i = shared(t) + noise_i(t), shared variance 1, noise variance 4: a mean pairwise
    // correlation of 0.2 that no sample size removes, and a 1/N term that the sample size does.
    std::mt19937_64 rng(5);
    std::normal_distribution<double> unit(0, 1);
    const std::size_t samples = 20000, neurons = 200;
    std::vector<double> shared(samples);
    for (double& x : shared) x = unit(rng);
    const auto v = trace(neurons, samples, [&](std::size_t k, std::size_t) { return -60 + shared[k] + 2 * unit(rng); });
    for (std::size_t n : {4, 25, 200}) {
        const double expected = std::sqrt((1 + 4.0 / static_cast<double>(n)) / 5);
        CHECK(synchrony_chi_of(v, 0, first(n), 0, samples) == relative(expected, 0.03));
    }
    // Every 10th sample: as many independent draws, a tenth of them, the same chi within noise.
    CHECK(synchrony_chi_of(v, 0, first(25), 0, samples, 10) == relative(std::sqrt((1 + 4.0 / 25) / 5), 0.05));
}

TEST_CASE("chi with a stride is chi of the strided samples") {
    std::mt19937_64 rng(8);
    std::normal_distribution<double> unit(0, 1);
    const auto v = trace(6, 90, [&](std::size_t k, std::size_t n) { return std::sin(0.1 * k) * (n % 3) + unit(rng); });
    const auto every_third = trace(6, 29, [&](std::size_t k, std::size_t n) { return v.at(3 * k + 3, 0, n); });
    CHECK(synchrony_chi_of(v, 0, first(6), 3, 90, 3) == Approx(synchrony_chi_of(every_third, 0, first(6), 0, 29)));
}

TEST_CASE("windowed chi sees a synchronous stretch that the whole run averages away") {
    // 40 neurons, V every 2 ms over 1500 ms: identical during [0, 500) ms, independent afterwards.
    std::mt19937_64 rng(11);
    std::normal_distribution<double> unit(0, 1);
    std::vector<double> common(750);
    for (double& x : common) x = unit(rng);
    auto v = trace(40, 750, [&](std::size_t k, std::size_t) { return k < 250 ? common[k] : unit(rng); });
    v.interval = 2;
    const auto chi = windowed_chi(v, 0, first(40), 500, 1500);
    REQUIRE(chi.size() == 3);
    CHECK(chi[0] == Approx(1));
    CHECK(chi[1] < 0.3);  // about 1/sqrt(40) = 0.16
    CHECK(chi[2] < 0.3);
    const double whole = synchrony_chi_of(v, 0, first(40), 0, 750);
    CHECK(whole < 0.7);
    CHECK(whole > chi[1]);
    // A window that does not fit in the duration is not measured; windows of 400 ms: 3.
    CHECK(windowed_chi(v, 0, first(40), 400, 1500).size() == 3);
    CHECK_THROWS_AS(windowed_chi(v, 0, first(40), 0, 1500), UserError);
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
    // A train and a random quarter of its spikes (binomial thinning of a Poisson count): their
    // counts correlate sqrt(1/4) = 0.5 in any bin.
    const PopulationSpikes source = poisson(1, 40, 200000, 6);
    PopulationSpikes thinned{"E", 2, {}, {}};
    std::mt19937_64 coin(7);
    for (double t : source.times) {
        thinned.times.push_back(t), thinned.node_ids.push_back(0);
        if (coin() % 4 == 0) thinned.times.push_back(t), thinned.node_ids.push_back(1);
    }
    CHECK(mean_count_correlation(thinned, {0, 1}, 20, 0, 200000) == relative(0.5, 0.05));
    CHECK(mean_count_correlation(thinned, {0, 1}, 100, 0, 200000) == relative(0.5, 0.08));
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
    CHECK(std::isnan(peak_frequency(power_spectrum(std::vector<double>(3000, 0.1), 1, 1000), 1)));
    CHECK(power_spectrum({1, 2}, 1, 1000).power.empty());
    // Sampled every 2 ms (500 Hz), a 12 Hz rhythm under noise peaks at 12 Hz, not at 24 or 6.
    std::mt19937_64 rng(9);
    std::normal_distribution<double> noise(0, 3);
    std::vector<double> noisy(5000);
    for (std::size_t k = 0; k < noisy.size(); ++k)
        noisy[k] = 20 + 4 * std::sin(2 * std::numbers::pi * 12 * (2.0 * k) / 1000) + noise(rng);
    const Spectrum slow = power_spectrum(noisy, 2, 500);
    CHECK(slow.frequency.back() == Approx(250));
    CHECK(peak_frequency(slow, 1) == Approx(12));
    CHECK(band_fraction(slow, 8, 13) > 0.2);
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
    // One full round of the hysteresis (hyper -> hypo -> hyper) is the least that regulates.
    CHECK(state_course({41, 32, 41}).regime == EnergyRegime::regulates);
    CHECK(state_course({32, 41}).regime == EnergyRegime::locks);
    const auto hypo_start = state_course({32, 32, 32});
    CHECK(hypo_start.regime == EnergyRegime::holds);
    CHECK(hypo_start.start == 32);
    CHECK(hypo_start.final == 32);
    CHECK_THROWS_AS(state_course({}), UserError);
}

TEST_CASE("the pool's balance: the rates it affords and the time it takes to cross between thresholds") {
    // docs/model.md's defaults with k = 100 releases per spike: r* = 4.1, 7.5, 11.8 Hz at 32, 37,
    // 41 degC (supply's Q10 2.8 about 37 degC), here to three digits.
    const double c = 3.8e8 + 100 * 1.4e5;
    const auto at = [&](double t) { return PoolBalance{3.3e9, std::pow(2.8, (t - 37) / 10), 3.4e8, c}; };
    CHECK(at(32).steady_rate() == relative(4.14, 0.002));
    CHECK(at(37).steady_rate() == relative(7.51, 0.002));
    CHECK(at(41).steady_rate() == relative(11.78, 0.002));
    // Firing below r* fills the pool, above it drains it; each in the time the net flow takes.
    const PoolBalance b{.supply = 2e9, .phi = 1, .rest = 0, .cost_per_spike = 1e8};  // r* = 20 Hz
    CHECK(b.net(10) == Approx(1e9));
    CHECK(b.seconds_to_move(4e9, 10) == Approx(4));     // up 4e9 at +1e9/s
    CHECK(b.seconds_to_move(-4e9, 60) == Approx(1));    // down 4e9 at -4e9/s
    CHECK(std::isinf(b.seconds_to_move(4e9, 30)));      // draining: never up
    CHECK(std::isinf(b.seconds_to_move(-4e9, 10)));     // filling: never down
    CHECK(std::isinf(b.seconds_to_move(4e9, 20)));      // at r*: never
    CHECK(b.seconds_to_move(0, 30) == 0);
    CHECK(std::isnan(b.seconds_to_move(4e9, std::numeric_limits<double>::quiet_NaN())));
}
