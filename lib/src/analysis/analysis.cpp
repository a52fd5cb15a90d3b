#include "metabosim/analysis/analysis.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>

#include <boost/math/distributions/students_t.hpp>
#include <boost/math/tools/minima.hpp>
#include <fmt/format.h>

#include "analysis/bins.hpp"
#include "analysis/moments.hpp"
#include "metabosim/analysis/synchrony.hpp"
#include "metabosim/model/error.hpp"

namespace metabosim::analysis {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

std::vector<double> intervals(const std::vector<double>& train) {
    std::vector<double> isi;
    for (std::size_t i = 1; i < train.size(); ++i) isi.push_back(train[i] - train[i - 1]);
    return isi;
}

// Counts of all the population's spikes in the bins of Bins(bin, t0, t1).
std::vector<double> bin_counts(const PopulationSpikes& spikes, double bin, double t0, double t1) {
    const Bins bins(bin, t0, t1);
    std::vector<double> counts(bins.count(), 0.0);
    for (double t : spikes.times)
        if (const std::size_t k = bins.of(t); k < counts.size()) counts[k] += 1;
    return counts;
}

// Per-neuron trains restricted to [t0, t1).
std::vector<std::vector<double>> trains_in(const PopulationSpikes& spikes, double t0, double t1) {
    auto trains = spike_trains(spikes);
    for (auto& train : trains)
        std::erase_if(train, [&](double t) { return t < t0 || t >= t1; });
    return trains;
}

// Mean of `measure` over the trains with at least min_spikes spikes in [t0, t1); trains on which
// the measure is itself undefined (NaN) are left out too.
template <class Measure>
double mean_over_neurons(const PopulationSpikes& spikes, double t0, double t1, std::size_t min_spikes,
                         Measure measure) {
    std::vector<double> values;
    for (const auto& train : trains_in(spikes, t0, t1)) {
        if (train.size() < min_spikes) continue;
        if (const double m = measure(train); !std::isnan(m)) values.push_back(m);
    }
    return mean(values);
}

void check_same_size(const std::vector<double>& x, const std::vector<double>& y, const char* what) {
    if (x.size() != y.size())
        throw UserError(fmt::format("analysis::{}: x has {} values, y has {}; expected equal lengths", what,
                                    x.size(), y.size()));
}

// 1-based ranks, tied values sharing the mean of the ranks they occupy.
std::vector<double> ranks(const std::vector<double>& v) {
    std::vector<std::size_t> order(v.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    std::vector<double> r(v.size());
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
        const double rank = (static_cast<double>(i + j) / 2) + 1;  // mean of ranks i+1 .. j+1
        for (std::size_t k = i; k <= j; ++k) r[order[k]] = rank;
        i = j + 1;
    }
    return r;
}

}  // namespace

std::vector<std::vector<double>> spike_trains(const PopulationSpikes& spikes) {
    if (spikes.times.size() != spikes.node_ids.size())
        throw UserError(fmt::format("population {}: {} spike times but {} node ids", spikes.population,
                                    spikes.times.size(), spikes.node_ids.size()));
    std::vector<std::vector<double>> trains(spikes.size);
    for (std::size_t i = 0; i < spikes.times.size(); ++i) {
        const auto id = spikes.node_ids[i];
        if (id >= spikes.size)
            throw UserError(fmt::format("population {}: spike of node {}, expected a node id below {}",
                                        spikes.population, id, spikes.size));
        trains[id].push_back(spikes.times[i]);
    }
    // Already ascending when the input is sorted by time; sorting keeps the promise otherwise.
    for (auto& train : trains) std::sort(train.begin(), train.end());
    return trains;
}

std::vector<double> rates(const PopulationSpikes& spikes, double t0, double t1) {
    if (!(t1 > t0)) return std::vector<double>(spikes.size, nan);
    std::vector<double> r;
    for (const auto& train : trains_in(spikes, t0, t1))
        r.push_back(static_cast<double>(train.size()) / ((t1 - t0) / 1000));
    return r;
}

double mean_rate(const PopulationSpikes& spikes, double t0, double t1) { return mean(rates(spikes, t0, t1)); }

std::vector<double> population_rate(const PopulationSpikes& spikes, double bin, double t0, double t1) {
    auto counts = bin_counts(spikes, bin, t0, t1);
    for (double& c : counts) c /= spikes.size * bin / 1000;  // NaN per bin for an empty population
    return counts;
}

double cv_isi(const std::vector<double>& train) {
    if (train.size() < 3) return nan;
    const auto isi = intervals(train);
    return std::sqrt(variance(isi)) / mean(isi);
}

double local_variation(const std::vector<double>& train) {
    const auto isi = intervals(train);
    if (isi.size() < 3) return nan;
    double sum = 0;
    for (std::size_t i = 0; i + 1 < isi.size(); ++i) {
        const double d = (isi[i] - isi[i + 1]) / (isi[i] + isi[i + 1]);
        sum += d * d;
    }
    return 3 * sum / static_cast<double>(isi.size() - 1);
}

double mean_cv_isi(const PopulationSpikes& spikes, double t0, double t1, std::size_t min_spikes) {
    return mean_over_neurons(spikes, t0, t1, min_spikes, cv_isi);
}

double mean_local_variation(const PopulationSpikes& spikes, double t0, double t1, std::size_t min_spikes) {
    return mean_over_neurons(spikes, t0, t1, min_spikes, local_variation);
}

double fano_factor(const PopulationSpikes& spikes, double bin, double t0, double t1) {
    const auto counts = bin_counts(spikes, bin, t0, t1);
    const double m = mean(counts);
    return m > 0 ? variance(counts) / m : nan;
}

double synchrony_chi(const StateTrace& trace, std::size_t variable, std::size_t first, std::size_t last) {
    std::vector<std::size_t> all(trace.neurons.size());
    std::iota(all.begin(), all.end(), 0);
    return synchrony_chi_of(trace, variable, all, first, last);
}

double vinje_gallant_sparseness(const std::vector<double>& responses) {
    const double n = static_cast<double>(responses.size());
    double sum = 0, sum_sq = 0;
    for (double r : responses) {
        sum += r;
        sum_sq += r * r;
    }
    if (responses.size() < 2 || sum_sq == 0) return nan;
    const double a = (sum / n) * (sum / n) / (sum_sq / n);
    return (1 - a) / (1 - 1 / n);
}

double hoyer_sparseness(const std::vector<double>& x) {
    double l1 = 0, l2 = 0;
    for (double v : x) {
        l1 += std::abs(v);
        l2 += v * v;
    }
    if (x.size() < 2 || l2 == 0) return nan;
    const double root_n = std::sqrt(static_cast<double>(x.size()));
    return (root_n - l1 / std::sqrt(l2)) / (root_n - 1);
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
    check_same_size(x, y, "pearson");
    if (x.size() < 2) return nan;
    const double mx = mean(x), my = mean(y);
    double sxy = 0, sxx = 0, syy = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    return sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : nan;
}

double spearman(const std::vector<double>& x, const std::vector<double>& y) {
    check_same_size(x, y, "spearman");
    return pearson(ranks(x), ranks(y));
}

// Model y = B exp(-(u - u0)/tau) with u = |x| and u0 = min u, so the nearest point has weight 1
// whatever tau (no underflow for small tau); the amplitude at x = 0 is A = B exp(u0/tau).
// 1. For fixed tau the best B is linear least squares, so the sum of squares is a function of tau
//    alone. It is scanned on a log grid over 1e-4 .. 1e4 times the range of u, which finds the
//    global minimum's neighbourhood; a minimum at either end of the grid means the data show no
//    resolvable decay.
// 2. brent_find_minima refines log tau between the grid neighbours. Its accuracy is limited by
//    design to about sqrt(epsilon) in the argument,
// 3. so a few Gauss-Newton steps on (B, tau) polish to machine precision.
ExponentialFit fit_exponential(const std::vector<double>& x, const std::vector<double>& y) {
    check_same_size(x, y, "fit_exponential");
    const ExponentialFit undefined{nan, nan, nan};
    if (x.size() < 2) return undefined;
    std::vector<double> u(x.size());
    std::transform(x.begin(), x.end(), u.begin(), [](double v) { return std::abs(v); });
    const double u0 = *std::min_element(u.begin(), u.end());
    const double span = *std::max_element(u.begin(), u.end()) - u0;
    if (!(span > 0)) return undefined;

    const auto best_b = [&](double tau) {
        double ey = 0, ee = 0;
        for (std::size_t i = 0; i < u.size(); ++i) {
            const double e = std::exp(-(u[i] - u0) / tau);
            ey += e * y[i];
            ee += e * e;
        }
        return ey / ee;  // ee >= 1: the point at u0 has e = 1
    };
    // Residuals summed directly (not as sum y^2 - fit^2) so that no cancellation hides small ones.
    const auto sse = [&](double b, double tau) {
        double s = 0;
        for (std::size_t i = 0; i < u.size(); ++i) {
            const double r = y[i] - b * std::exp(-(u[i] - u0) / tau);
            s += r * r;
        }
        return s;
    };
    const auto profile = [&](double log_tau) {
        const double tau = std::exp(log_tau);
        return sse(best_b(tau), tau);
    };

    // 1. Grid scan, 20 points per decade.
    const int points = 161;
    const double lo = std::log(span * 1e-4), step = std::log(1e8) / (points - 1);
    int best = 0;
    double best_sse = profile(lo);
    for (int i = 1; i < points; ++i)
        if (const double s = profile(lo + i * step); s < best_sse) best_sse = s, best = i;
    if (best == 0 || best == points - 1) return undefined;

    // 2. Brent between the neighbours.
    std::uintmax_t iterations = 200;
    const double log_tau = boost::math::tools::brent_find_minima(profile, lo + (best - 1) * step,
        lo + (best + 1) * step, std::numeric_limits<double>::digits, iterations).first;
    double tau = std::exp(log_tau), b = best_b(tau), s = sse(b, tau);

    // 3. Gauss-Newton on (b, tau), each step kept only if it lowers the sum of squares.
    for (int iteration = 0; iteration < 20 && s > 0; ++iteration) {
        double jbb = 0, jbt = 0, jtt = 0, gb = 0, gt = 0;  // J^T J and J^T r
        for (std::size_t i = 0; i < u.size(); ++i) {
            const double e = std::exp(-(u[i] - u0) / tau);
            const double r = y[i] - b * e;
            const double dt = b * e * (u[i] - u0) / (tau * tau);  // d model / d tau
            jbb += e * e, jbt += e * dt, jtt += dt * dt, gb += e * r, gt += dt * r;
        }
        const double det = jbb * jtt - jbt * jbt;
        if (!(det > 0)) break;
        const double nb = b + (jtt * gb - jbt * gt) / det, nt = tau + (jbb * gt - jbt * gb) / det;
        if (!(nt > 0)) break;
        const double ns = sse(nb, nt);
        if (!(ns < s)) break;
        b = nb, tau = nt, s = ns;
    }
    return {b * std::exp(u0 / tau), tau, std::sqrt(s / static_cast<double>(u.size()))};
}

Estimate mean_ci95(const std::vector<double>& values) {
    Estimate e{nan, nan, nan, values.size()};
    if (values.empty()) return e;
    e.mean = mean(values);
    if (values.size() < 2) return e;
    const double n = static_cast<double>(values.size());
    const double sd = std::sqrt(variance(values) * n / (n - 1));  // sample standard deviation
    const double t = quantile(boost::math::students_t(n - 1), 0.975);
    e.low = e.mean - t * sd / std::sqrt(n);
    e.high = e.mean + t * sd / std::sqrt(n);
    return e;
}

}  // namespace metabosim::analysis
