// Network building, Poisson drive statistics and determinism.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <numeric>
#include <set>

#include "metabosim/model/builtin.hpp"
#include "metabosim/synapses/network.hpp"
#include "metabosim/recording/output.hpp"
#include "metabosim/simulation.hpp"

using namespace metabosim;
namespace fs = std::filesystem;

namespace {

Model two_populations(Connectivity c, std::uint32_t n_pre = 300, std::uint32_t n_post = 200) {
    Model m;
    m.duration = 10;
    Population a, b;
    a.name = "A";
    a.size = n_pre;
    b.name = "B";
    b.size = n_post;
    m.populations = {a, b};
    Projection p;
    p.name = "AB";
    p.pre = "A";
    p.post = "B";
    p.connectivity = c;
    p.delay = Distribution::uniform(1, 2);
    p.weight = Distribution::normal_clipped(4, 1, 2, 6);
    m.projections = {p};
    return m;
}

std::vector<std::uint64_t> indegrees(const Synapses& s, std::uint32_t n_post) {
    std::vector<std::uint64_t> d(n_post, 0);
    for (std::uint32_t t : s.target) ++d[t];
    return d;
}

}  // namespace

TEST_CASE("connectivity rules give the synapses they promise") {
    SUBCASE("probability: binomial count, rows ordered by target, draws inside their ranges") {
        Connectivity c;
        c.p = 0.1;
        const Network net = build_network(two_populations(c));
        const Synapses& s = net.projections[0];
        const double mean = 0.1 * 300 * 200, sd = std::sqrt(mean * 0.9);
        CHECK(std::abs(double(s.size()) - mean) < 5 * sd);
        for (std::uint32_t i = 0; i < 300; ++i)
            CHECK(std::is_sorted(s.target.begin() + s.row_begin[i], s.target.begin() + s.row_begin[i + 1]));
        const auto& d = s.delay.each;
        const auto& w = s.weight.each;
        REQUIRE(d.size() == s.size());  // drawn from distributions: one value per synapse
        REQUIRE(w.size() == s.size());
        CHECK(*std::min_element(d.begin(), d.end()) >= 1);
        CHECK(*std::max_element(d.begin(), d.end()) < 2);
        CHECK(*std::min_element(w.begin(), w.end()) >= 2);
        CHECK(*std::max_element(w.begin(), w.end()) <= 6);
        CHECK(net.min_delay == *std::min_element(d.begin(), d.end()));
    }
    SUBCASE("fixed in-degree without autapses") {
        Model m = two_populations({}, 50, 50);
        m.projections[0].post = "A";
        m.projections[0].connectivity.rule = Connectivity::Rule::fixed_indegree;
        m.projections[0].connectivity.indegree = 49;  // everyone but itself
        const Network net_s = build_network(m);
        const Synapses& s = net_s.projections[0];
        for (auto d : indegrees(s, 50)) CHECK(d == 49);
        for (std::uint64_t q = 0; q < s.size(); ++q) CHECK(s.source_of(q) != s.target[q]);
    }
    SUBCASE("one-to-one and all-to-all") {
        Connectivity one;
        one.rule = Connectivity::Rule::one_to_one;
        const Network net_s1 = build_network(two_populations(one, 20, 20));
        const Synapses& s1 = net_s1.projections[0];
        REQUIRE(s1.size() == 20);
        for (std::uint64_t q = 0; q < 20; ++q) CHECK(s1.source_of(q) == s1.target[q]);
        Connectivity all;
        all.rule = Connectivity::Rule::all_to_all;
        CHECK(build_network(two_populations(all, 7, 11)).projections[0].size() == 77);
    }
    SUBCASE("probability 1 is all to all (Boost's geometric distribution asserts p < 1)") {
        Connectivity certain, all;
        certain.p = 1;
        all.rule = Connectivity::Rule::all_to_all;
        Model m = two_populations(certain, 30, 30), m_all = two_populations(all, 30, 30);
        m.projections[0].post = m_all.projections[0].post = "A";
        const Network net_p = build_network(m), net_all = build_network(m_all);
        const Synapses &s = net_p.projections[0], &s_all = net_all.projections[0];
        CHECK(s.size() == 30 * 29);  // no autapses
        CHECK(s.target == s_all.target);
        CHECK(s.row_begin == s_all.row_begin);
        CHECK(s.weight.each == s_all.weight.each);
    }
    SUBCASE("explicit list keeps given weights and delays") {
        Connectivity list;
        list.rule = Connectivity::Rule::explicit_list;
        list.sources = {0, 2, 2};
        list.targets = {1, 0, 1};
        list.weights = {1.5, 2.5, 3.5};
        list.delays = {1.2, 1.1, 1.3};
        const Network net_s = build_network(two_populations(list, 3, 2));
        const Synapses& s = net_s.projections[0];
        REQUIRE(s.size() == 3);
        CHECK(s.row_begin == std::vector<std::uint64_t>{0, 1, 1, 3});
        CHECK(s.weight.each == std::vector<double>{1.5, 2.5, 3.5});  // row 2 in list order
        CHECK(s.delay.each == std::vector<double>{1.2, 1.1, 1.3});
    }
    SUBCASE("constant static weights and delays are stored once; plastic weights per synapse") {
        Connectivity c;
        c.p = 0.1;
        Model m = two_populations(c);
        m.projections[0].weight = Distribution::constant(4);
        m.projections[0].delay = Distribution::constant(1.5);
        const Network fixed = build_network(m);
        const Synapses& s = fixed.projections[0];
        REQUIRE(s.size() > 0);
        CHECK(s.weight.each.empty());
        CHECK(s.delay.each.empty());
        CHECK(s.weight[s.size() - 1] == 4);
        CHECK(s.delay[0] == 1.5);
        CHECK(fixed.min_delay == 1.5);
        CHECK(s.weight.expanded(s.size()) == std::vector<double>(s.size(), 4.0));
        m.projections[0].stdp = StdpParameters{};
        const Network plastic = build_network(m);
        CHECK(plastic.projections[0].weight.each == std::vector<double>(s.size(), 4.0));
        CHECK(plastic.projections[0].delay.each.empty());
        // the same synapses either way
        CHECK(plastic.projections[0].target == s.target);
        CHECK(plastic.projections[0].row_begin == s.row_begin);
    }
    SUBCASE("plastic weights are stored by postsynaptic neuron: one entry per synapse, under its target, in synapse order") {
        Model m = two_populations({}, 100, 80);
        const Network fixed = build_network(m);
        m.projections[0].stdp = StdpParameters{};
        const Network net_s = build_network(m);
        const Synapses &s = net_s.projections[0], &f = fixed.projections[0];
        REQUIRE(s.entry.size() == s.size());
        REQUIRE(f.weight.each.size() == s.size());  // drawn weights: the same draws either way
        std::set<std::uint64_t> seen;
        for (std::uint64_t q = 0; q < s.size(); ++q) {
            const std::uint32_t j = s.target[q];
            CHECK(s.entry_of(q) >= s.incoming_begin[j]);
            CHECK(s.entry_of(q) < s.incoming_begin[j + 1]);
            CHECK(s.weight.each[s.entry_of(q)] == f.weight[q]);
            CHECK(s.weight_of(q) == f.weight[q]);
            seen.insert(s.entry_of(q));
        }
        CHECK(seen.size() == s.size());
        // within a neuron's stretch, entries follow synapse ids (the arrivals' tie order)
        std::vector<std::uint64_t> next_free(s.incoming_begin.begin(), s.incoming_begin.end() - 1);
        for (std::uint64_t q = 0; q < s.size(); ++q) CHECK(s.entry_of(q) == next_free[s.target[q]]++);
        CHECK(s.weights() == f.weight.each);
        CHECK(f.entry_of(7) == 7);  // a static projection's weights stay in synapse order
    }
}

namespace {

// Cells that fire once, within microseconds, for every input spike (fast, strong synapse; a
// 0.05 ms dead time), so their spike trains show the drive's statistics.
Model relay(double rate, double duration) {
    Model m;
    m.duration = duration;
    Population p;
    p.name = "relay";
    p.size = 1000;
    p.neuron.tau_e = 0.01;
    p.neuron.t_ref = 0.05;
    p.neuron.Vth = -59;
    p.initial_V = Distribution::constant(-60);
    p.drive = PoissonDrive{rate, 1000, Receptor::excitatory};
    m.populations = {p};
    return m;
}

struct TrainStatistics {
    double rate, cv, fano;
};

TrainStatistics statistics(const PopulationSpikes& s, double duration) {
    std::vector<std::vector<double>> trains(s.size);
    for (std::size_t k = 0; k < s.times.size(); ++k) trains[s.node_ids[k]].push_back(s.times[k]);
    std::vector<double> isi;
    double sum = 0, sum_sq = 0;
    for (const auto& t : trains) {
        for (std::size_t k = 1; k < t.size(); ++k) isi.push_back(t[k] - t[k - 1]);
        sum += t.size();
        sum_sq += double(t.size()) * t.size();
    }
    const double mean_count = sum / s.size;
    const double mean_isi = std::accumulate(isi.begin(), isi.end(), 0.0) / isi.size();
    double var_isi = 0;
    for (double x : isi) var_isi += (x - mean_isi) * (x - mean_isi);
    var_isi /= isi.size() - 1;
    return {mean_count / duration * 1000, std::sqrt(var_isi) / mean_isi,
            (sum_sq / s.size - mean_count * mean_count) / mean_count};
}

}  // namespace

TEST_CASE("Poisson drive has Poisson statistics") {
    const double rate = 50, duration = 2000;
    const Results r = simulate(relay(rate, duration));
    const double expected = 1000 * rate * duration / 1000;  // input spikes
    const auto inputs = double(r.counters.events_of("external_input"));
    CHECK(std::abs(inputs - expected) < 4 * std::sqrt(expected));
    const TrainStatistics s = statistics(r.spikes[0], duration);
    // one output spike per input, but for inputs inside the 0.05 ms dead time (0.25 %)
    CHECK(std::abs(s.rate * 1000 * duration / 1000 - inputs) < 0.005 * inputs);
    CHECK(s.cv == doctest::Approx(1.0).epsilon(0.02));
    CHECK(s.fano == doctest::Approx(1.0).epsilon(0.2));  // 4 sd of the estimate over 1000 trains
}

TEST_CASE("the drive rate follows its Q10 through a metabolic step") {
    Model m = relay(40, 2000);
    m.populations[0].q10.poisson_rate = 2;
    m.metabolism.push_back({.time = 1000, .population = "relay", .temperature = 47});  // phi = 2
    const Results r = simulate(m);
    const auto& t = r.spikes[0].times;
    const double before = double(std::count_if(t.begin(), t.end(), [](double x) { return x < 1000; }));
    const double after = double(t.size()) - before;
    CHECK(std::abs(before - 40000) < 4 * std::sqrt(40000));
    CHECK(std::abs(after - 80000) < 4 * std::sqrt(80000));
}

namespace {

Model small_microcircuit(std::uint64_t seed) {
    Model m = microcircuit(37, 300);
    m.populations[0].size = 800;
    m.populations[1].size = 200;
    for (auto& p : m.projections) p.connectivity.p = 0.05;
    m.seed = seed;
    return m;
}

std::string bytes_of(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

TEST_CASE("same model and seed give bit-identical results and files; another seed does not") {
    const Results a = simulate(small_microcircuit(7));
    const Results b = simulate(small_microcircuit(7));
    const Results c = simulate(small_microcircuit(8));
    REQUIRE(a.spikes[0].times.size() > 100);
    for (std::size_t p = 0; p < 2; ++p) {
        CHECK(a.spikes[p].times == b.spikes[p].times);
        CHECK(a.spikes[p].node_ids == b.spikes[p].node_ids);
    }
    CHECK(a.weights[0].final_weight == b.weights[0].final_weight);
    CHECK(a.spikes[0].times != c.spikes[0].times);

    const fs::path dir = fs::temp_directory_path() / "metabosim-determinism";
    fs::remove_all(dir);
    const Model m = small_microcircuit(7);
    write_results(m, a, dir / "a");
    write_results(m, b, dir / "b");
    for (const char* file : {"spikes.h5", "weights.h5", "V.h5", "ge.h5", "gi.h5", "rates.csv"})
        CHECK_MESSAGE(bytes_of(dir / "a" / file) == bytes_of(dir / "b" / file), file);
    fs::remove_all(dir);
}
