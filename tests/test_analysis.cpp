// The measures of analysis.hpp against values computed by hand (the arithmetic is in the
// comments), analytic cases, and the inputs on which a measure is undefined (NaN).
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <tuple>

#include "metabosim/analysis/analysis.hpp"
#include "metabosim/model/error.hpp"

using namespace metabosim;
using namespace metabosim::analysis;
using doctest::Approx;

namespace {

PopulationSpikes population(std::uint32_t size, std::vector<double> times, std::vector<std::uint32_t> ids) {
    return {"E", size, std::move(times), std::move(ids)};
}

// One variable (or more) of `neurons` neurons, values[k][n] of variable v filled by value(k, v, n).
template <class F>
StateTrace trace(std::size_t neurons, std::size_t variables, std::size_t samples, F value) {
    StateTrace t;
    t.neurons.resize(neurons);
    t.variables.resize(variables, "V");
    t.samples = samples;
    for (std::size_t k = 0; k < samples; ++k)
        for (std::size_t v = 0; v < variables; ++v)
            for (std::size_t n = 0; n < neurons; ++n) t.values.push_back(value(k, v, n));
    return t;
}

std::vector<double> periodic(double first, double period, int count) {
    std::vector<double> t;
    for (int i = 0; i < count; ++i) t.push_back(first + i * period);
    return t;
}

}  // namespace

TEST_CASE("spike_trains splits the population by node, each train ascending") {
    const auto p = population(3, {1, 2, 2.5, 4, 7}, {2, 0, 2, 2, 0});
    const auto trains = spike_trains(p);
    REQUIRE(trains.size() == 3);
    CHECK(trains[0] == std::vector<double>{2, 7});
    CHECK(trains[1].empty());
    CHECK(trains[2] == std::vector<double>{1, 2.5, 4});
    CHECK_THROWS_AS(spike_trains(population(2, {1}, {2})), UserError);     // id beyond the population
    CHECK_THROWS_AS(spike_trains(population(2, {1, 2}, {0})), UserError);  // lengths differ
}

TEST_CASE("rates count t0 <= t < t1 per neuron") {
    // Window [100, 600) = 0.5 s. Neuron 0: 100, 300, 599.9 inside, 600 outside -> 3 / 0.5 = 6 Hz.
    // Neuron 1: 50 outside, 200 inside -> 2 Hz. Neuron 2: none -> 0. Mean (6 + 2 + 0) / 3.
    const auto p = population(3, {50, 100, 200, 300, 599.9, 600}, {1, 0, 1, 0, 0, 0});
    const auto r = rates(p, 100, 600);
    REQUIRE(r.size() == 3);
    CHECK(r[0] == Approx(6));
    CHECK(r[1] == Approx(2));
    CHECK(r[2] == 0);
    CHECK(mean_rate(p, 100, 600) == Approx(8.0 / 3));
    CHECK(std::isnan(mean_rate(p, 600, 600)));  // empty window
    CHECK(std::isnan(mean_rate(population(0, {}, {}), 0, 1000)));
}

TEST_CASE("population_rate bins from t0 and drops the last partial bin") {
    // N = 2, bins of 10 ms from 5 to 38: [5,15) [15,25) [25,35); [35,38) is dropped.
    // Counts: {5, 14.9} -> 2, {15} -> 1 (an edge opens its bin), {} -> 0; spike at 36 dropped,
    // spike at 4 before t0. Rate = count / (2 * 0.01 s) = 50 Hz per spike.
    const auto p = population(2, {4, 5, 14.9, 15, 36}, {0, 0, 1, 1, 0});
    const auto r = population_rate(p, 10, 5, 38);
    REQUIRE(r.size() == 3);
    CHECK(r[0] == Approx(100));
    CHECK(r[1] == Approx(50));
    CHECK(r[2] == 0);
    // Edges computed as t0 + k bin: 0.3 lies in [0.2, 0.30000000000000004) although 0.3 / 0.1 < 3.
    const auto fine = population_rate(population(1, {0.3}, {0}), 0.1, 0, 0.5);
    REQUIRE(fine.size() == 5);
    CHECK(fine[2] == Approx(10000));
    CHECK(fine[3] == 0);
    CHECK(population_rate(p, 10, 5, 14).empty());
    CHECK_THROWS_AS(population_rate(p, 0, 0, 10), UserError);
}

TEST_CASE("CV and Lv of the interspike intervals") {
    SUBCASE("a periodic train has CV 0 and Lv 0") {
        CHECK(std::abs(cv_isi(periodic(3, 7.5, 20))) < 1e-12);
        CHECK(std::abs(local_variation(periodic(3, 7.5, 20))) < 1e-12);
    }
    SUBCASE("hand-computed") {
        // Spikes 0, 1, 3, 6: intervals 1, 2, 3, mean 2, population variance (1 + 0 + 1)/3 = 2/3,
        // CV = sqrt(2/3) / 2 = sqrt(1/6) = 0.408248.
        CHECK(cv_isi({0, 1, 3, 6}) == Approx(std::sqrt(1.0 / 6)));
        // Lv = 3/2 [((1-2)/3)^2 + ((2-3)/5)^2] = 3/2 (1/9 + 1/25) = 3/2 * 34/225 = 17/75.
        CHECK(local_variation({0, 1, 3, 6}) == Approx(17.0 / 75));
    }
    SUBCASE("a Poisson train has CV and Lv near 1") {
        // 20000 exponential intervals: the CV estimate's sd is about sqrt(1/n) ~ 0.007 and Lv's
        // sd about 0.01 (Shinomoto et al. 2003: Var Lv ~ 2/n); 0.05 is over 5 sd.
        std::mt19937_64 rng(7);
        std::exponential_distribution<double> gap(0.1);
        std::vector<double> train{0};
        for (int i = 0; i < 20000; ++i) train.push_back(train.back() + gap(rng));
        CHECK(cv_isi(train) == Approx(1).epsilon(0.05));
        CHECK(local_variation(train) == Approx(1).epsilon(0.05));
    }
    SUBCASE("undefined on too few spikes") {
        CHECK(std::isnan(cv_isi({})));
        CHECK(std::isnan(cv_isi({1, 2})));
        CHECK(std::isnan(local_variation({1, 2, 4})));  // 2 intervals
        CHECK(!std::isnan(local_variation({1, 2, 4, 5})));
    }
}

TEST_CASE("mean CV and Lv average over the neurons with enough spikes in the window") {
    // Window [0, 100). Neuron 0: 0, 10, 20, 30 inside (periodic, CV 0, Lv 0) and 150 outside,
    // which would make its CV large if counted. Neuron 1: 40, 41, 43, 46 (intervals 1, 2, 3:
    // CV sqrt(1/6), Lv 17/75). Neuron 2: 2 spikes, too few.
    const auto p = population(3, {0, 10, 20, 30, 40, 41, 43, 46, 50, 60, 150},
                              {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 0});
    CHECK(mean_cv_isi(p, 0, 100) == Approx(std::sqrt(1.0 / 6) / 2));
    CHECK(mean_local_variation(p, 0, 100) == Approx(17.0 / 75 / 2));
    // min_spikes 5 leaves nobody; the window [35, 100) leaves neuron 0 out.
    CHECK(std::isnan(mean_cv_isi(p, 0, 100, 5)));
    CHECK(mean_cv_isi(p, 35, 100) == Approx(std::sqrt(1.0 / 6)));
}

TEST_CASE("Fano factor of the population count") {
    // Bins of 10 ms over [0, 40): counts 2, 0, 1, 3. Mean 1.5, population variance
    // (0.25 + 2.25 + 0.25 + 2.25) / 4 = 1.25, F = 1.25 / 1.5 = 5/6.
    const auto p = population(2, {1, 9, 25, 31, 32, 39.9, 40}, {0, 1, 0, 0, 1, 1, 0});
    CHECK(fano_factor(p, 10, 0, 40) == Approx(5.0 / 6));
    // Equal counts: variance 0, F = 0; no spikes: mean 0, undefined.
    CHECK(fano_factor(population(1, {1, 11, 21}, {0, 0, 0}), 10, 0, 30) == 0);
    CHECK(std::isnan(fano_factor(p, 10, 100, 200)));
}

TEST_CASE("Golomb synchrony chi") {
    SUBCASE("hand-computed, reading the requested variable and samples only") {
        // Variable 1, samples 1..2: V_0 = (0, 2), V_1 = (0, 0). Mean trace (0, 1), variance 1/4.
        // Variances 1 and 0, mean 1/2. chi^2 = (1/4) / (1/2) = 1/2. Variable 0 and samples 0 and 3
        // are large junk that would change the result if read.
        const auto t = trace(2, 2, 4, [](std::size_t k, std::size_t v, std::size_t n) {
            if (v == 0 || k == 0 || k == 3) return 1000.0 * static_cast<double>(k + 3 * n + 1);
            return k == 2 && n == 0 ? 2.0 : 0.0;
        });
        CHECK(synchrony_chi(t, 1, 1, 3) == Approx(std::sqrt(0.5)));
    }
    SUBCASE("identical neurons give 1, anti-phase pairs 0") {
        const auto same = trace(5, 1, 200, [](std::size_t k, std::size_t, std::size_t) {
            return -60 + 5 * std::sin(0.1 * static_cast<double>(k));
        });
        CHECK(synchrony_chi(same, 0, 0, 200) == Approx(1).epsilon(1e-12));
        const auto anti = trace(2, 1, 200, [](std::size_t k, std::size_t, std::size_t n) {
            return -60 + (n == 0 ? 5 : -5) * std::sin(0.1 * static_cast<double>(k));
        });
        CHECK(std::abs(synchrony_chi(anti, 0, 0, 200)) < 1e-7);
    }
    SUBCASE("independent neurons give about 1/sqrt(N)") {
        // N = 16 independent unit Gaussians over T = 20000 samples: chi^2 -> 1/N. The numerator is
        // a sample variance over T, relative sd sqrt(2/T); the denominator averages N of them,
        // relative sd sqrt(2/(N T)); so chi (half the relative error of chi^2) has relative sd
        // about sqrt((1 + 1/N) / (2T)) = 0.0052. 5 sd: 2.6 %.
        std::mt19937_64 rng(11);
        std::normal_distribution<double> noise(-60, 3);
        const auto t = trace(16, 1, 20000, [&](std::size_t, std::size_t, std::size_t) { return noise(rng); });
        CHECK(synchrony_chi(t, 0, 0, 20000) == Approx(0.25).epsilon(0.026));
    }
    SUBCASE("undefined without variance; bad indices throw") {
        const auto flat = trace(3, 1, 10, [](std::size_t, std::size_t, std::size_t n) { return -60.0 + n; });
        CHECK(std::isnan(synchrony_chi(flat, 0, 0, 10)));
        CHECK(std::isnan(synchrony_chi(flat, 0, 4, 4)));
        CHECK_THROWS_AS(synchrony_chi(flat, 1, 0, 10), UserError);
        CHECK_THROWS_AS(synchrony_chi(flat, 0, 0, 11), UserError);
    }
}

TEST_CASE("sparseness") {
    // Vinje-Gallant: a single responder gives a = (1/N)^2 / (1/N) = 1/N, S = 1; uniform gives a = 1,
    // S = 0. (1, 0, 0, 1): a = (1/2)^2 / (2/4) = 1/2, S = (1/2) / (3/4) = 2/3.
    CHECK(vinje_gallant_sparseness({0, 0, 7, 0, 0}) == Approx(1));
    CHECK(std::abs(vinje_gallant_sparseness({3, 3, 3, 3})) < 1e-15);
    CHECK(vinje_gallant_sparseness({1, 0, 0, 1}) == Approx(2.0 / 3));
    CHECK(std::isnan(vinje_gallant_sparseness({0, 0, 0})));
    CHECK(std::isnan(vinje_gallant_sparseness({5})));
    // Hoyer: one non-zero gives |x|_1 = |x|_2, value 1; uniform gives sqrt(n), value 0.
    // (3, -4): |x|_1 = 7, |x|_2 = 5, (sqrt 2 - 1.4) / (sqrt 2 - 1) = 0.0343146.
    CHECK(hoyer_sparseness({0, -2, 0, 0}) == Approx(1));
    CHECK(std::abs(hoyer_sparseness({2, 2, 2})) < 1e-15);
    CHECK(hoyer_sparseness({3, -4}) == Approx((std::sqrt(2.0) - 1.4) / (std::sqrt(2.0) - 1)));
    CHECK(hoyer_sparseness({3, -4}) == Approx(0.0343146).epsilon(1e-5));
    CHECK(std::isnan(hoyer_sparseness({0, 0})));
}

TEST_CASE("Pearson and Spearman correlation") {
    // x = (1, 2, 3), y = (2, 4, 7): deviations (-1, 0, 1) and (-7/3, -1/3, 8/3); sxy = 5, sxx = 2,
    // syy = 114/9; r = 5 / sqrt(2 * 114/9) = 0.993399.
    CHECK(pearson({1, 2, 3}, {2, 4, 7}) == Approx(5 / std::sqrt(2 * 114.0 / 9)));
    CHECK(pearson({1, 2, 3}, {2, 4, 7}) == Approx(0.993399).epsilon(1e-6));
    CHECK(std::isnan(pearson({1, 2, 3}, {5, 5, 5})));
    CHECK(std::isnan(pearson({1}, {2})));
    CHECK_THROWS_AS(pearson({1, 2}, {1, 2, 3}), UserError);

    const std::vector<double> x{0.3, -1, 2, 5, 0.7, 3};
    std::vector<double> monotone, reversed;
    for (double v : x) monotone.push_back(std::exp(v) + v * v * v);  // increasing, far from linear
    for (double v : x) reversed.push_back(-std::exp(2 * v));
    CHECK(pearson(x, monotone) < 0.99);
    CHECK(spearman(x, monotone) == Approx(1));
    CHECK(spearman(x, reversed) == Approx(-1));
    // Ties: ranks of (1, 2, 2, 3) are (1, 2.5, 2.5, 4); against (1, 2, 3, 4) the deviations are
    // (-1.5, 0, 0, 1.5) and (-1.5, -0.5, 0.5, 1.5): r = 4.5 / sqrt(4.5 * 5) = sqrt(0.9).
    CHECK(spearman({1, 2, 2, 3}, {1, 2, 3, 4}) == Approx(std::sqrt(0.9)));
    CHECK(spearman({10, 20, 20, 30}, {-5, 0, 1, 9}) == Approx(std::sqrt(0.9)));
}

TEST_CASE("exponential fit") {
    SUBCASE("exact data is recovered to 1e-9") {
        // Both sides of an STDP window: potentiation at positive lags, depression (negative
        // amplitude) at negative lags, where the fit uses |x|.
        for (const auto& [a, tau, sign] : {std::tuple{0.01, 16.8, 1.0}, std::tuple{-0.0105, 33.7, -1.0},
                                          std::tuple{250.0, 0.8, 1.0}}) {
            std::vector<double> x, y;
            for (double lag = 1; lag <= 60; lag += 2.5) {
                x.push_back(sign * lag);
                y.push_back(a * std::exp(-lag / tau));
            }
            const auto fit = fit_exponential(x, y);
            CHECK(fit.amplitude == Approx(a).epsilon(1e-9));
            CHECK(fit.tau == Approx(tau).epsilon(1e-9));
            CHECK(fit.rms_residual < 1e-12 * std::abs(a));
        }
    }
    SUBCASE("noisy data: a least-squares minimum, not a log-linear fit") {
        // y = 2 exp(-x/5) + noise. Least squares weighs residuals in y, a log-linear fit in log y,
        // so only the former is a stationary point of the sum of squares: moving A or tau by
        // 1e-4 (relative) in either direction must not lower it.
        std::mt19937_64 rng(3);
        std::normal_distribution<double> noise(0, 0.05);
        std::vector<double> x, y;
        for (double v = 0; v <= 20; v += 0.5) {
            x.push_back(v);
            y.push_back(2 * std::exp(-v / 5) + noise(rng));
        }
        const auto fit = fit_exponential(x, y);
        const auto rms = [&](double a, double tau) {
            double s = 0;
            for (std::size_t i = 0; i < x.size(); ++i) s += std::pow(y[i] - a * std::exp(-x[i] / tau), 2);
            return std::sqrt(s / static_cast<double>(x.size()));
        };
        CHECK(fit.rms_residual == Approx(rms(fit.amplitude, fit.tau)).epsilon(1e-12));
        for (const double d : {1 - 1e-4, 1 + 1e-4}) {
            CHECK(rms(fit.amplitude * d, fit.tau) > fit.rms_residual);
            CHECK(rms(fit.amplitude, fit.tau * d) > fit.rms_residual);
        }
        CHECK(fit.amplitude == Approx(2).epsilon(0.1));
        CHECK(fit.tau == Approx(5).epsilon(0.1));
    }
    SUBCASE("undefined without a decay") {
        const auto undefined = [](const ExponentialFit& f) {
            return std::isnan(f.amplitude) && std::isnan(f.tau) && std::isnan(f.rms_residual);
        };
        CHECK(undefined(fit_exponential({1}, {2})));                    // one point
        CHECK(undefined(fit_exponential({3, -3}, {1, 2})));             // one |x|
        CHECK(undefined(fit_exponential({1, 2, 3}, {1, 2.7, 7.4})));    // growing
        CHECK(undefined(fit_exponential({1, 2, 3}, {0, 0, 0})));        // nothing
        CHECK_THROWS_AS(fit_exponential({1, 2}, {1}), UserError);
    }
}

TEST_CASE("mean with its 95 % confidence interval") {
    // (1, 2, 3, 4, 5): mean 3, sample sd sqrt(10/4) = 1.581139, standard error 0.707107;
    // t(0.975, 4) = 2.776445 from the table: half-width 1.963243.
    const auto e = mean_ci95({1, 2, 3, 4, 5});
    CHECK(e.n == 5);
    CHECK(e.mean == Approx(3));
    CHECK(e.low == Approx(3 - 1.963243).epsilon(1e-6));
    CHECK(e.high == Approx(3 + 1.963243).epsilon(1e-6));
    // (10, 12): mean 11, sd sqrt(2), standard error 1; t(0.975, 1) = 12.706205.
    const auto two = mean_ci95({10, 12});
    CHECK(two.high - two.mean == Approx(12.706205).epsilon(1e-6));

    const auto one = mean_ci95({4.5});
    CHECK(one.n == 1);
    CHECK(one.mean == 4.5);
    CHECK((std::isnan(one.low) && std::isnan(one.high)));
    const auto none = mean_ci95({});
    CHECK(none.n == 0);
    CHECK((std::isnan(none.mean) && std::isnan(none.low) && std::isnan(none.high)));
}
