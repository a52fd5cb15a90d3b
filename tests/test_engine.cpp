// The engine against analytic results: event order, delays, refractoriness, Q10 steps, STDP.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "metabosim/model/error.hpp"
#include "metabosim/model/builtin.hpp"
#include "metabosim/lowering/lowering.hpp"
#include "engine/queue.hpp"
#include "metabosim/simulation.hpp"

using namespace metabosim;

namespace {

// A population of `n` cells with a constant current and no drive, at rest.
Population cells(const std::string& name, std::uint32_t n, double current) {
    Population p;
    p.name = name;
    p.size = n;
    p.neuron.I_ext = current;
    p.initial_V = Distribution::constant(p.neuron.EL);
    return p;
}

// First spike time from V0 under a constant current: V relaxes to V_inf = EL + I / gL with
// tau_m = C / gL, so t = tau_m ln((V_inf - V0) / (V_inf - Vth)).
double time_to_threshold(const LoweredNeuron& p, double V0) {
    const double v_inf = p.EL + p.I_ext / p.gL;
    return p.C / p.gL * std::log((v_inf - V0) / (v_inf - p.Vth));
}

Model one_cell(double current, double duration) {
    Model m;
    m.duration = duration;
    m.populations.push_back(cells("cell", 1, current));
    return m;
}

}  // namespace

TEST_CASE("the event queue pops in (time, kind, target, order) order and never goes back") {
    EventQueue q;
    q.push({.time = 2.0, .target = 1, .kind = EventKind::spike_arrival});
    q.push({.time = 1.0, .order = 7, .target = 3, .kind = EventKind::external_input});
    q.push({.time = 1.0, .order = 2, .target = 3, .kind = EventKind::external_input});
    q.push({.time = 1.0, .target = 9, .kind = EventKind::metabolic_change});
    q.push({.time = 1.0, .target = 1, .kind = EventKind::external_input});
    q.push({.time = 1.0, .target = 0, .kind = EventKind::sample});

    CHECK(q.pop().kind == EventKind::metabolic_change);  // kind before target
    Event e = q.pop();
    CHECK((e.kind == EventKind::external_input && e.target == 1));
    CHECK(q.pop().order == 2);  // same time, kind and target: by order
    CHECK(q.pop().order == 7);
    CHECK(q.pop().kind == EventKind::sample);
    CHECK(q.pop().time == 2.0);
    CHECK(q.empty());
    CHECK_THROWS_AS(q.push({.time = 1.5}), InternalError);
}

TEST_CASE("events added as sorted runs merge with pushed ones in the same total order") {
    // The same random events, pushed one by one into one queue and partly as runs into another,
    // must come out identically.
    std::mt19937_64 rng(5);
    const auto random_event = [&] {
        return Event{.time = static_cast<double>(rng() % 20), .order = rng() % 3, .target = static_cast<std::uint32_t>(rng() % 4),
                     .kind = static_cast<EventKind>(rng() % 4)};
    };
    EventQueue one_by_one, with_runs;
    for (int batch = 0; batch < 5; ++batch) {
        std::vector<Event> run;
        for (int k = 0; k < 30; ++k) {
            const Event e = random_event();
            one_by_one.push(e);
            if (k % 3 == 0) with_runs.push(e);
            else run.push_back(e);
        }
        with_runs.push_all(run);
    }
    REQUIRE(with_runs.size() == one_by_one.size());
    while (!one_by_one.empty()) {
        const Event a = one_by_one.pop(), b = with_runs.pop();
        CHECK((a.time == b.time && a.kind == b.kind && a.target == b.target && a.order == b.order));
    }
    CHECK(with_runs.empty());
    CHECK_THROWS_AS(with_runs.push_all({Event{.time = 1.0}}), InternalError);
}

TEST_CASE("regular firing under a constant current has the analytic interspike interval") {
    const Model m = one_cell(300, 200);
    const LoweredNeuron p = lower(m.populations[0], 37).neuron;
    const Results r = simulate(m);
    const auto& t = r.spikes[0].times;
    const double first = time_to_threshold(p, p.EL);
    const double isi = p.t_ref + time_to_threshold(p, p.Vr);
    REQUIRE(t.size() == static_cast<std::size_t>(std::floor((200 - first) / isi)) + 1);
    for (std::size_t k = 0; k < t.size(); ++k) CHECK(std::abs(t[k] - (first + k * isi)) <= 1e-9);
}

TEST_CASE("a metabolic step mid-trajectory follows the piecewise analytic solution") {
    Model m = one_cell(300, 100);
    const double t_step = 5.0;  // before the first spike
    m.metabolism.push_back({.time = t_step, .population = "cell", .temperature = 41});
    const LoweredNeuron cold = lower(m.populations[0], 37).neuron;
    const LoweredNeuron warm = lower(m.populations[0], 41).neuron;
    CHECK(warm.gL == doctest::Approx(10 * std::pow(1.98, 0.4)));
    CHECK(warm.t_ref == doctest::Approx(5 / std::pow(3.0, 0.4)));

    // V at the step under the old parameters, then the new relaxation to threshold.
    const double v_inf_cold = cold.EL + cold.I_ext / cold.gL;
    const double v_step = v_inf_cold + (cold.EL - v_inf_cold) * std::exp(-t_step * cold.gL / cold.C);
    const double first = t_step + time_to_threshold(warm, v_step);
    const double isi = warm.t_ref + time_to_threshold(warm, warm.Vr);

    const Results r = simulate(m);
    const auto& t = r.spikes[0].times;
    REQUIRE(t.size() >= 5);
    for (std::size_t k = 0; k < t.size(); ++k) CHECK(std::abs(t[k] - (first + k * isi)) <= 1e-9);
    REQUIRE(r.metabolic_timeline.size() == 2);
    CHECK(r.metabolic_timeline[1].temperature == 41);
}

TEST_CASE("a spike arrives after exactly its axonal delay, with the Q10-scaled conductance") {
    Model m;
    m.duration = 20;  // one presynaptic spike (at 8.1 ms; the next would come at 21.2 ms)
    m.populations.push_back(cells("pre", 1, 300));
    m.populations.push_back(cells("post", 1, 0));
    m.populations[1].temperature = 39;  // phi_g = 3^0.2 at the postsynaptic side
    Projection proj;
    proj.name = "pp";
    proj.pre = "pre";
    proj.post = "post";
    proj.connectivity.rule = Connectivity::Rule::one_to_one;
    proj.weight = Distribution::constant(3);
    proj.delay = Distribution::constant(1.37);
    m.projections.push_back(proj);
    m.recording.states.push_back({.population = "post", .neurons = {0}, .variables = {"ge"}, .interval = 0.25});

    const LoweredPopulation post = lower(m.populations[1], 39);
    const double t_spike = time_to_threshold(lower(m.populations[0], 37).neuron, -60);
    const double arrival = t_spike + 1.37;
    const Results r = simulate(m);
    REQUIRE(r.spikes[0].times.size() == 1);
    CHECK(std::abs(r.spikes[0].times[0] - t_spike) <= 1e-9);
    const StateTrace& ge = r.states[0];
    for (std::size_t k = 0; k < ge.samples; ++k) {
        const double t = k * ge.interval;
        const double want = t < arrival ? 0.0
                                        : post.synaptic_efficacy * 3 * std::exp(-(t - arrival) / post.neuron.tau_e);
        CHECK(ge.at(k, 0, 0) == doctest::Approx(want).epsilon(1e-12));
        if (t >= arrival && t < arrival + 10) {  // the arrival time recovered from the decay
            const double inferred = t + post.neuron.tau_e * std::log(ge.at(k, 0, 0) / (post.synaptic_efficacy * 3));
            CHECK(std::abs(inferred - arrival) <= 1e-9);
        }
    }
}

namespace {

// Weight change of one plastic synapse, summed pair by pair from the recorded spike times:
// pre spikes act at arrival (t_pre + d); all-to-all additive traces.
double analytic_all_to_all(const std::vector<double>& pre, const std::vector<double>& post, double d,
                           const LoweredStdp& s) {
    double dw = 0;
    for (double tp : pre)
        for (double tq : post) {
            const double a = tp + d;
            if (a < tq) dw += s.A_plus * std::exp(-(tq - a) / s.tau_plus);
            if (tq < a) dw += s.A_minus * std::exp(-(a - tq) / s.tau_minus);
        }
    return dw;
}

// Nearest-neighbour: each spike pairs only with the latest spike of the other side before it.
double analytic_nearest(const std::vector<double>& pre, const std::vector<double>& post, double d,
                        const LoweredStdp& s) {
    double dw = 0;
    for (double tq : post) {  // potentiation at post spikes, latest arrival before
        double latest = -1;
        for (double tp : pre)
            if (tp + d < tq) latest = tp + d;
        if (latest >= 0) dw += s.A_plus * std::exp(-(tq - latest) / s.tau_plus);
    }
    for (double tp : pre) {  // depression at arrivals, latest post spike before
        double latest = -1;
        for (double tq : post)
            if (tq < tp + d) latest = tq;
        if (latest >= 0) dw += s.A_minus * std::exp(-(tp + d - latest) / s.tau_minus);
    }
    return dw;
}

constexpr double w0 = 20;  // nS, far from both bounds

Model stdp_pair(StdpParameters::Pairing pairing, double temperature) {
    Model m;
    m.duration = 1500;  // longer than 32 tau+: the pre trace moves its reference at least once
    m.populations.push_back(cells("pre", 1, 260));   // two regular trains at different rates
    m.populations.push_back(cells("post", 1, 300));
    for (auto& p : m.populations) p.temperature = temperature;
    Projection proj;
    proj.name = "syn";
    proj.pre = "pre";
    proj.post = "post";
    proj.connectivity.rule = Connectivity::Rule::one_to_one;
    proj.weight = Distribution::constant(w0);
    proj.delay = Distribution::constant(1.5);
    StdpParameters stdp;
    stdp.pairing = pairing;
    stdp.w_max = 1000;  // bounds never reached: the sum is unclipped
    stdp.A_plus = 0.3;
    proj.stdp = stdp;
    m.projections.push_back(proj);
    m.recording.weights.push_back({.projection = "syn", .interval = 100, .histogram_bins = 4, .final_weights = true});
    return m;
}

}  // namespace

TEST_CASE("STDP of one synapse equals the analytic pair sum") {
    for (double temperature : {32.0, 37.0, 41.0}) {
        for (auto pairing : {StdpParameters::Pairing::all_to_all, StdpParameters::Pairing::nearest_neighbour}) {
            CAPTURE(temperature);
            const Model m = stdp_pair(pairing, temperature);
            const LoweredStdp s = lower(*m.projections[0].stdp, lower(m.populations[1], temperature));
            const Results r = simulate(m);
            std::vector<double> pre;  // spikes whose arrival happened within the run
            for (double t : r.spikes[0].times)
                if (t + 1.5 <= m.duration) pre.push_back(t);
            const auto& post = r.spikes[1].times;
            REQUIRE(pre.size() > 10);
            REQUIRE(post.size() > 10);
            const double want = w0 + (pairing == StdpParameters::Pairing::all_to_all
                                           ? analytic_all_to_all(pre, post, 1.5, s)
                                           : analytic_nearest(pre, post, 1.5, s));
            REQUIRE(r.weights[0].has_final);
            CHECK(std::abs(want - w0) > 0.01);  // the protocol does change the weight
            CHECK(r.weights[0].final_weight[0] == doctest::Approx(want).epsilon(1e-12));
        }
    }
}

TEST_CASE("multiplicative STDP equals a replay of the soft-bounded rule") {
    Model m = stdp_pair(StdpParameters::Pairing::all_to_all, 39);
    StdpParameters& rule = *m.projections[0].stdp;
    rule.update = StdpParameters::Update::multiplicative;
    rule.w_min = 10;
    rule.w_max = 30;
    rule.A_plus = 2.0;
    const LoweredStdp s = lower(rule, lower(m.populations[1], 39));
    const Results r = simulate(m);

    // Replay in time order: arrivals (pre + delay) and post spikes; an arrival at the same time as
    // a post spike comes first (spike arrivals precede threshold crossings).
    std::vector<std::pair<double, int>> events;  // (time, 0 = arrival, 1 = post spike)
    for (double t : r.spikes[0].times)
        if (t + 1.5 <= m.duration) events.push_back({t + 1.5, 0});
    for (double t : r.spikes[1].times) events.push_back({t, 1});
    std::sort(events.begin(), events.end());
    double w = w0, pre = 0, post = 0, t_pre = 0, t_post = 0;
    const auto soft = [&](double dw) {
        const double room = dw > 0 ? rule.w_max - w : w - rule.w_min;
        w = std::clamp(w + dw * room / (rule.w_max - rule.w_min), rule.w_min, rule.w_max);
    };
    for (auto [t, kind] : events) {
        if (kind == 0) {
            pre = pre * std::exp(-(t - t_pre) / s.tau_plus) + s.A_plus;
            t_pre = t;
            soft(post * std::exp(-(t - t_post) / s.tau_minus));
        } else {
            post = post * std::exp(-(t - t_post) / s.tau_minus) + s.A_minus;
            t_post = t;
            soft(pre * std::exp(-(t - t_pre) / s.tau_plus));
        }
    }
    CHECK(std::abs(w - w0) > 0.01);
    CHECK(r.weights[0].final_weight[0] == doctest::Approx(w).epsilon(1e-12));
}

TEST_CASE("STDP weights stay inside their hard bounds") {
    Model m = stdp_pair(StdpParameters::Pairing::all_to_all, 41);
    m.projections[0].stdp->w_max = 20.6;
    m.projections[0].stdp->w_min = 19.4;
    const Results r = simulate(m);
    for (double w : r.weights[0].final_weight) {
        CHECK(w >= 19.4);
        CHECK(w <= 20.6);
    }
    CHECK(r.weights[0].fraction_at_max.back() + r.weights[0].fraction_at_min.back() == 1.0);
}

TEST_CASE("inputs during refractoriness add to the conductance while V stays clamped") {
    Model m = one_cell(300, 20);
    const LoweredNeuron p = lower(m.populations[0], 37).neuron;
    const double t_spike = time_to_threshold(p, p.EL);  // 8.1 ms
    const double t_input = t_spike + 2;                 // inside the 5 ms clamp
    SpikeGenerator g;
    g.name = "kick";
    g.target = "cell";
    g.times = {t_input};
    g.weight = 7;
    m.generators.push_back(g);
    m.recording.states.push_back({.population = "cell", .neurons = {0}, .variables = {"V", "ge"}, .interval = 0.5});
    const Results r = simulate(m);
    REQUIRE(!r.spikes[0].times.empty());
    CHECK(std::abs(r.spikes[0].times[0] - t_spike) <= 1e-9);
    const StateTrace& s = r.states[0];
    for (std::size_t k = 0; k < s.samples; ++k) {
        const double t = k * s.interval;
        if (t > t_spike && t < t_spike + p.t_ref) CHECK(s.at(k, 0, 0) == p.Vr);
        const double ge = t < t_input ? 0.0 : 7 * std::exp(-(t - t_input) / p.tau_e);
        CHECK(s.at(k, 1, 0) == doctest::Approx(ge).epsilon(1e-12));
    }
}

TEST_CASE("samples run from 0 to the end inclusive, even when the interval does not divide it exactly") {
    Model m = one_cell(0, 0.3);
    m.recording.states.push_back({.population = "cell", .neurons = {0}, .variables = {"V"}, .interval = 0.1});
    const Results r = simulate(m);
    CHECK(r.states[0].samples == 4);  // 0, 0.1, 0.2, 0.3 although 3 * 0.1 > 0.3 in floating point
}

TEST_CASE("recording does not change the trajectory it observes") {
    Model quiet = microcircuit(37, 100);
    quiet.populations[0].size = 400;
    quiet.populations[1].size = 100;
    for (auto& p : quiet.projections) p.connectivity.p = 0.1;
    quiet.recording.states.clear();
    Model watched = quiet;
    watched.recording.states.push_back({.population = "E", .neurons = {0, 1, 2, 3}, .variables = {"V", "ge", "gi"},
                                        .interval = 0.013});
    const Results a = simulate(quiet), b = simulate(watched);
    REQUIRE(a.spikes[0].times.size() > 20);
    CHECK(a.spikes[0].times == b.spikes[0].times);
    CHECK(a.spikes[1].times == b.spikes[1].times);
}

TEST_CASE("a refractory period of zero is rejected") {
    Model m = one_cell(300, 10);
    m.populations[0].neuron.t_ref = 0;
    CHECK_THROWS_AS(simulate(m), UserError);
}

TEST_CASE("STDP across a metabolic step: traces decay under the old time constants, then the new") {
    Model m = stdp_pair(StdpParameters::Pairing::all_to_all, 37);
    const double t_step = 250;
    m.metabolism.push_back({.time = t_step, .population = "", .temperature = 41});
    const LoweredStdp cold = lower(*m.projections[0].stdp, lower(m.populations[1], 37));
    const LoweredStdp warm = lower(*m.projections[0].stdp, lower(m.populations[1], 41));
    const Results r = simulate(m);

    // Replay: (time, 0 = arrival, 1 = post spike, 2 = the step); the step comes first at its time.
    std::vector<std::pair<double, int>> events{{t_step, -1}};
    for (double t : r.spikes[0].times)
        if (t + 1.5 <= m.duration) events.push_back({t + 1.5, 0});
    for (double t : r.spikes[1].times) events.push_back({t, 1});
    std::sort(events.begin(), events.end());
    double w = w0, pre = 0, post = 0, t_pre = 0, t_post = 0;
    LoweredStdp s = cold;
    for (auto [t, kind] : events) {
        if (kind == -1) {  // settle both traces under the old constants, then switch
            pre *= std::exp(-(t - t_pre) / s.tau_plus);
            post *= std::exp(-(t - t_post) / s.tau_minus);
            t_pre = t_post = t;
            s = warm;
        } else if (kind == 0) {
            pre = pre * std::exp(-(t - t_pre) / s.tau_plus) + s.A_plus;
            t_pre = t;
            w += post * std::exp(-(t - t_post) / s.tau_minus);
        } else {
            post = post * std::exp(-(t - t_post) / s.tau_minus) + s.A_minus;
            t_post = t;
            w += pre * std::exp(-(t - t_pre) / s.tau_plus);
        }
    }
    CHECK(r.weights[0].final_weight[0] == doctest::Approx(w).epsilon(1e-12));
}

TEST_CASE("weight statistics describe the engine's own weights") {
    Model m = microcircuit(41, 300);
    m.populations[0].size = 400;
    m.populations[1].size = 100;
    for (auto& p : m.projections) p.connectivity.p = 0.1;
    const Results r = simulate(m);
    const WeightTrace& w = r.weights[0];
    REQUIRE(w.times.back() == m.duration);  // the last sample and the final weights coincide
    const auto& final_w = w.final_weight;
    const double n = double(final_w.size());
    double mean = 0;
    for (double x : final_w) mean += x;
    mean /= n;
    double var = 0;
    for (double x : final_w) var += (x - mean) * (x - mean);
    CHECK(w.mean.back() == doctest::Approx(mean).epsilon(1e-14));
    CHECK(w.stddev.back() == doctest::Approx(std::sqrt(var / n)).epsilon(1e-12));
    CHECK(w.fraction_at_max.back() == double(std::count(final_w.begin(), final_w.end(), 12.0)) / n);
    CHECK(w.fraction_at_min.back() == double(std::count(final_w.begin(), final_w.end(), 0.0)) / n);
    std::uint64_t total = 0;
    for (std::size_t b = w.histogram.size() - w.bins; b < w.histogram.size(); ++b) total += w.histogram[b];
    CHECK(total == final_w.size());
    CHECK(w.mean.back() != w.mean.front());  // plasticity acted
}
