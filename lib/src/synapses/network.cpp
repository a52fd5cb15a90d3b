#include "metabosim/synapses/network.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <set>

#include <sys/resource.h>
#include <unistd.h>

#include <boost/random/geometric_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>

#include <fmt/format.h>

#include "metabosim/model/error.hpp"
#include "metabosim/inputs/rng.hpp"
#include "metabosim/neuron/glif.hpp"

namespace metabosim {

std::vector<double> SynapseValues::expanded(std::uint64_t synapses) const {
    return each.empty() ? std::vector<double>(synapses, shared) : each;
}

std::uint32_t Synapses::source_of(std::uint64_t synapse) const {
    const auto it = std::upper_bound(row_begin.begin(), row_begin.end(), synapse);
    return static_cast<std::uint32_t>(it - row_begin.begin() - 1);
}

std::uint64_t Synapses::bytes() const {
    const auto held = [](const auto& v) { return static_cast<std::uint64_t>(v.capacity() * sizeof(v[0])); };
    return held(row_begin) + held(target) + held(weight.each) + held(delay.each) + held(incoming_begin) + held(entry);
}

std::vector<double> Synapses::weights() const {
    if (entry.empty()) return weight.expanded(size());
    std::vector<double> w(size());
    for (std::uint64_t q = 0; q < size(); ++q) w[q] = weight.each[entry[q]];
    return w;
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

// Postsynaptic neurons whose synapses are built: local indices [first, last).
struct Kept {
    std::uint32_t first, last;
};

// Sources of postsynaptic neuron `j` under a random or fixed rule.
std::vector<std::uint32_t> sources_of(const Connectivity& c, std::uint32_t j, std::uint32_t n_pre,
                                      bool exclude_self, Rng& rng) {
    std::vector<std::uint32_t> out;
    const auto allowed = [&](std::uint32_t i) { return !(exclude_self && i == j); };
    switch (c.rule) {
    case Connectivity::Rule::probability:
        if (c.p <= 0) break;
        if (c.p < 1) {
            // Gaps between successes of Bernoulli(p) trials are geometric: O(synapses), not
            // O(n_pre). (Boost's distribution requires p < 1: p = 1 is all to all, no draws.)
            boost::random::geometric_distribution<std::uint64_t> gap(c.p);
            for (std::uint64_t i = gap(rng); i < n_pre; i += 1 + gap(rng))
                if (allowed(static_cast<std::uint32_t>(i))) out.push_back(static_cast<std::uint32_t>(i));
            break;
        }
        [[fallthrough]];
    case Connectivity::Rule::all_to_all:
        for (std::uint32_t i = 0; i < n_pre; ++i)
            if (allowed(i)) out.push_back(i);
        break;
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
    case Connectivity::Rule::explicit_list:
        break;  // handled by the caller
    }
    return out;
}

// Calls emit(source, target, weight, delay) for every synapse of the projection in draw order;
// weights and delays are drawn only `with_values` (the postsynaptic streams are fresh each call).
// Only synapses onto postsynaptic neurons in [kept.first, kept.last) (local indices) are emitted;
// each is drawn from the same stream as when all are.
template <class Emit>
void for_each_synapse(const Projection& proj, std::uint32_t projection_index, std::uint32_t n_pre, Kept kept,
                      bool same_population, std::uint64_t seed, bool with_values, Emit&& emit) {
    const Connectivity& c = proj.connectivity;
    if (c.rule == Connectivity::Rule::explicit_list) {
        // one stream for the whole list: its entries are not tied to a postsynaptic neuron
        Rng rng = make_rng(seed, Stream::connectivity, projection_index, std::numeric_limits<std::uint64_t>::max());
        for (std::size_t k = 0; k < c.sources.size(); ++k) {
            double w = 0, d = 0;
            if (with_values) {
                w = c.weights.empty() ? draw(proj.weight, rng) : c.weights[k];
                d = c.delays.empty() ? draw(proj.delay, rng) : c.delays[k];
            }
            if (c.targets[k] >= kept.first && c.targets[k] < kept.last) emit(c.sources[k], c.targets[k], w, d);
        }
        return;
    }
    const bool exclude_self = same_population && !c.autapses;
    for (std::uint32_t j = kept.first; j < kept.last; ++j) {
        Rng rng = make_rng(seed, Stream::connectivity, projection_index, j);
        for (std::uint32_t i : sources_of(c, j, n_pre, exclude_self, rng)) {
            double w = 0, d = 0;
            if (with_values) {
                w = draw(proj.weight, rng);
                d = draw(proj.delay, rng);
            }
            emit(i, j, w, d);
        }
    }
}

// The projection's synapses in rows by source, in draw order within a row (ascending targets for
// the random rules). Two passes: the first counts each row, the second draws again and writes
// every synapse in its place, so only the final arrays are ever allocated and a network can be
// built wherever it fits.
Synapses draw_rows(const Projection& proj, std::uint32_t projection_index, std::uint32_t n_pre, Kept kept,
                   bool same_population, std::uint64_t seed) {
    const Connectivity& c = proj.connectivity;
    const bool listed = c.rule == Connectivity::Rule::explicit_list;
    Synapses s;
    s.row_begin.assign(std::size_t{n_pre} + 1, 0);  // n_pre may be 2^32 - 1
    for_each_synapse(proj, projection_index, n_pre, kept, same_population, seed, false,
                     [&](std::uint32_t i, std::uint32_t, double, double) { ++s.row_begin[i + 1]; });
    std::partial_sum(s.row_begin.begin(), s.row_begin.end(), s.row_begin.begin());
    const std::uint64_t n = s.row_begin.back();

    const bool weight_each = proj.stdp || proj.weight.kind != Distribution::Kind::constant || (listed && !c.weights.empty());
    const bool delay_each = proj.delay.kind != Distribution::Kind::constant || (listed && !c.delays.empty());
    s.weight.shared = proj.weight.value;
    s.delay.shared = proj.delay.value;
    s.target.resize(n);
    if (weight_each) s.weight.each.resize(n);
    if (delay_each) s.delay.each.resize(n);
    std::vector<std::uint64_t> next(s.row_begin.begin(), s.row_begin.end() - 1);
    for_each_synapse(proj, projection_index, n_pre, kept, same_population, seed, true,
                     [&](std::uint32_t i, std::uint32_t j, double w, double d) {
                         const std::uint64_t q = next[i]++;
                         s.target[q] = j;
                         if (weight_each) s.weight.each[q] = w;
                         if (delay_each) s.delay.each[q] = d;
                     });
    return s;
}

// A plastic projection's weights moved to their entries by postsynaptic neuron, in ascending
// synapse order within each neuron.
void store_by_postsynaptic_neuron(Synapses& s, std::uint32_t n_post) {
    s.incoming_begin.assign(n_post + 1, 0);
    for (std::uint32_t t : s.target) ++s.incoming_begin[t + 1];
    std::partial_sum(s.incoming_begin.begin(), s.incoming_begin.end(), s.incoming_begin.begin());
    s.entry.resize(s.size());
    std::vector<std::uint64_t> fill(s.incoming_begin.begin(), s.incoming_begin.end() - 1);
    for (std::uint64_t q = 0; q < s.size(); ++q) s.entry[q] = static_cast<std::uint32_t>(fill[s.target[q]]++);
    std::vector<double> by_entry(s.size());
    for (std::uint64_t q = 0; q < s.size(); ++q) by_entry[s.entry[q]] = s.weight.each[q];
    s.weight.each = std::move(by_entry);
}

}  // namespace

double expected_synapse_count(const Model& model, const Projection& proj) {
    const Population& pre = model.population(proj.pre);
    const Population& post = model.population(proj.post);
    const Connectivity& c = proj.connectivity;
    const double self = (proj.pre == proj.post && !c.autapses) ? 1.0 : 0.0;
    switch (c.rule) {
        case Connectivity::Rule::probability: return c.p * pre.size * (post.size - self);
        case Connectivity::Rule::fixed_indegree: return double(c.indegree) * post.size;
        case Connectivity::Rule::one_to_one: return post.size;
        case Connectivity::Rule::all_to_all: return double(pre.size) * (post.size - self);
        case Connectivity::Rule::explicit_list: return c.sources.size();
    }
    return 0;
}

double minimum_network_bytes(const Model& model) {
    double bytes = double(model.neuron_count()) * sizeof(MembraneState);
    for (const Projection& proj : model.projections) {
        const double per_synapse = sizeof(std::uint32_t) + (proj.stdp ? sizeof(double) + sizeof(std::uint32_t) : 0);
        bytes += expected_synapse_count(model, proj) * per_synapse +
                 double(model.population(proj.pre).size) * sizeof(std::uint64_t);
    }
    return bytes;
}

namespace {

// The memory this process may use: the machine's, or less under an address-space limit
// (`ulimit -v`, as batch systems set it), with what the limit is called for the message.
std::pair<double, const char*> usable_memory() {
    const double machine = double(::sysconf(_SC_PHYS_PAGES)) * double(::sysconf(_SC_PAGE_SIZE));
    rlimit limit{};
    if (::getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && double(limit.rlim_cur) < machine)
        return {double(limit.rlim_cur), "address-space limit (ulimit -v)"};
    return {machine, "memory"};
}

// A network that cannot fit is refused at once, not after minutes of drawing.
// `share`: the fraction of the neurons this process holds (a rank holds the synapses onto its own).
void check_fits_in_memory(const Model& model, double share) {
    const double needed = minimum_network_bytes(model) * share;
    const auto [memory, what] = usable_memory();
    if (memory > 0 && needed > memory)
        throw UserError(fmt::format(
            "the network needs at least {:.3g} GB ({} neurons, {:.3g} synapses expected{}), more than this process's "
            "{:.3g} GB {}: make it smaller (fewer neurons, sparser connectivity) or spread it over more MPI ranks",
            needed / 1e9, model.neuron_count(),
            std::accumulate(model.projections.begin(), model.projections.end(), 0.0,
                            [&](double sum, const Projection& p) { return sum + expected_synapse_count(model, p); }),
            share < 1 ? fmt::format(", {:.3g} % of them on this rank", 100 * share) : "",
            memory / 1e9, what));
}

}  // namespace

Network build_network(const Model& model) { return build_network(model, 0, model.neuron_count()); }

Network build_network(const Model& model, std::uint32_t kept_first, std::uint32_t kept_last) {
    check_fits_in_memory(model, model.neuron_count() ? double(kept_last - kept_first) / model.neuron_count() : 1.0);
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
        const std::uint32_t post_first = net.populations[post].first;
        const Kept kept{std::clamp(kept_first, post_first, post_first + n_post) - post_first,
                        std::clamp(kept_last, post_first, post_first + n_post) - post_first};
        Synapses s = draw_rows(proj, k, n_pre, kept, pre == post, model.seed);
        s.pre = pre;
        s.post = post;
        s.receptor = proj.receptor;
        s.stdp = proj.stdp;
        if (s.stdp) {
            if (s.size() > std::numeric_limits<std::uint32_t>::max())
                throw UserError(fmt::format("projection \"{}\" has {} synapses; a plastic projection can have at most "
                                            "{} (2^32 - 1): split it into several projections",
                                            proj.name, s.size(), std::numeric_limits<std::uint32_t>::max()));
            store_by_postsynaptic_neuron(s, n_post);
        }
        const auto& delays = s.delay.each;
        if (s.size() > 0)
            net.min_delay = std::min(net.min_delay, delays.empty() ? s.delay.shared : *std::min_element(delays.begin(), delays.end()));
        net.projections.push_back(std::move(s));
    }
    return net;
}

}  // namespace metabosim
