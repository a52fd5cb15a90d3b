#include "metabosim/network.hpp"

#include <algorithm>
#include <numeric>
#include <set>

#include <boost/random/geometric_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>

#include "metabosim/rng.hpp"

namespace metabosim {

std::uint32_t Synapses::source_of(std::uint64_t synapse) const {
    const auto it = std::upper_bound(row_begin.begin(), row_begin.end(), synapse);
    return static_cast<std::uint32_t>(it - row_begin.begin() - 1);
}

std::uint32_t Network::neuron_count() const {
    return populations.empty() ? 0 : populations.back().first + populations.back().size;
}

std::uint64_t Network::synapse_count() const {
    std::uint64_t n = 0;
    for (const auto& p : projections) n += p.size();
    return n;
}

namespace {

struct Drawn {  // one synapse as drawn, before sorting into rows
    std::uint32_t source, target;
    double weight, delay;
};

// Sources of postsynaptic neuron `j` under a random or fixed rule.
std::vector<std::uint32_t> sources_of(const Connectivity& c, std::uint32_t j, std::uint32_t n_pre,
                                      bool exclude_self, Rng& rng) {
    std::vector<std::uint32_t> out;
    const auto allowed = [&](std::uint32_t i) { return !(exclude_self && i == j); };
    switch (c.rule) {
    case Connectivity::Rule::probability: {
        if (c.p <= 0) break;
        // Gaps between successes of Bernoulli(p) trials are geometric: O(synapses), not O(n_pre).
        boost::random::geometric_distribution<std::uint64_t> gap(c.p);
        for (std::uint64_t i = c.p >= 1 ? 0 : gap(rng); i < n_pre; i += 1 + (c.p >= 1 ? 0 : gap(rng)))
            if (allowed(static_cast<std::uint32_t>(i))) out.push_back(static_cast<std::uint32_t>(i));
        break;
    }
    case Connectivity::Rule::fixed_indegree: {
        // Floyd's algorithm: k distinct draws from the candidates, without replacement.
        const std::uint32_t candidates = exclude_self ? n_pre - 1 : n_pre;
        std::set<std::uint32_t> chosen;
        for (std::uint32_t r = candidates - c.indegree; r < candidates; ++r) {
            const auto t = boost::random::uniform_int_distribution<std::uint32_t>(0, r)(rng);
            chosen.insert(chosen.count(t) ? r : t);
        }
        for (std::uint32_t k : chosen) out.push_back(exclude_self && k >= j ? k + 1 : k);
        break;
    }
    case Connectivity::Rule::one_to_one:
        out.push_back(j);
        break;
    case Connectivity::Rule::all_to_all:
        for (std::uint32_t i = 0; i < n_pre; ++i)
            if (allowed(i)) out.push_back(i);
        break;
    case Connectivity::Rule::explicit_list:
        break;  // handled by the caller
    }
    return out;
}

std::vector<Drawn> draw_synapses(const Projection& proj, std::uint32_t projection_index, std::uint32_t n_pre,
                                 std::uint32_t n_post, bool same_population, std::uint64_t seed) {
    std::vector<Drawn> drawn;
    const Connectivity& c = proj.connectivity;
    if (c.rule == Connectivity::Rule::explicit_list) {
        // one stream for the whole list: its entries are not tied to a postsynaptic neuron
        Rng rng = make_rng(seed, Stream::connectivity, projection_index, std::numeric_limits<std::uint64_t>::max());
        for (std::size_t k = 0; k < c.sources.size(); ++k) {
            const double w = c.weights.empty() ? draw(proj.weight, rng) : c.weights[k];
            const double d = c.delays.empty() ? draw(proj.delay, rng) : c.delays[k];
            drawn.push_back({c.sources[k], c.targets[k], w, d});
        }
        return drawn;
    }
    const bool exclude_self = same_population && !c.autapses;
    for (std::uint32_t j = 0; j < n_post; ++j) {
        Rng rng = make_rng(seed, Stream::connectivity, projection_index, j);
        for (std::uint32_t i : sources_of(c, j, n_pre, exclude_self, rng)) {
            const double w = draw(proj.weight, rng);
            const double d = draw(proj.delay, rng);
            drawn.push_back({i, j, w, d});
        }
    }
    return drawn;
}

Synapses to_rows(std::vector<Drawn> drawn, std::uint32_t n_pre) {
    // stable: a row keeps the draw order, ascending targets for the random rules
    std::stable_sort(drawn.begin(), drawn.end(), [](const Drawn& a, const Drawn& b) { return a.source < b.source; });
    Synapses s;
    s.row_begin.assign(n_pre + 1, 0);
    s.target.reserve(drawn.size());
    s.weight.reserve(drawn.size());
    s.delay.reserve(drawn.size());
    for (const Drawn& d : drawn) {
        ++s.row_begin[d.source + 1];
        s.target.push_back(d.target);
        s.weight.push_back(d.weight);
        s.delay.push_back(d.delay);
    }
    std::partial_sum(s.row_begin.begin(), s.row_begin.end(), s.row_begin.begin());
    return s;
}

void build_reverse_index(Synapses& s, std::uint32_t n_post) {
    s.incoming_begin.assign(n_post + 1, 0);
    for (std::uint32_t t : s.target) ++s.incoming_begin[t + 1];
    std::partial_sum(s.incoming_begin.begin(), s.incoming_begin.end(), s.incoming_begin.begin());
    s.incoming.resize(s.size());
    std::vector<std::uint64_t> fill(s.incoming_begin.begin(), s.incoming_begin.end() - 1);
    for (std::uint64_t id = 0; id < s.size(); ++id) s.incoming[fill[s.target[id]]++] = id;
}

}  // namespace

Network build_network(const Model& model) {
    Network net;
    std::uint32_t first = 0;
    for (const Population& p : model.populations) {
        net.populations.push_back({first, p.size});
        first += p.size;
    }
    for (std::uint32_t k = 0; k < model.projections.size(); ++k) {
        const Projection& proj = model.projections[k];
        const std::uint32_t pre = model.population_index(proj.pre);
        const std::uint32_t post = model.population_index(proj.post);
        const std::uint32_t n_pre = net.populations[pre].size, n_post = net.populations[post].size;
        Synapses s = to_rows(draw_synapses(proj, k, n_pre, n_post, pre == post, model.seed), n_pre);
        s.pre = pre;
        s.post = post;
        s.receptor = proj.receptor;
        s.stdp = proj.stdp;
        if (s.stdp) build_reverse_index(s, n_post);
        for (double d : s.delay) net.min_delay = std::min(net.min_delay, d);
        net.projections.push_back(std::move(s));
    }
    return net;
}

}  // namespace metabosim
