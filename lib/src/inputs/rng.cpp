#include "metabosim/inputs/rng.hpp"

#include <random>

#include <boost/random/normal_distribution.hpp>
#include <fmt/format.h>
#include <boost/random/uniform_real_distribution.hpp>

#include "metabosim/model/error.hpp"

namespace metabosim {

Rng make_rng(std::uint64_t seed, Stream purpose, std::uint64_t a, std::uint64_t b) {
    const auto lo = [](std::uint64_t x) { return static_cast<std::uint32_t>(x); };
    const auto hi = [](std::uint64_t x) { return static_cast<std::uint32_t>(x >> 32); };
    // seed_seq mixes all words into every state word, so neighbouring indices give unrelated streams.
    std::seed_seq mix{lo(seed), hi(seed), static_cast<std::uint32_t>(purpose), lo(a), hi(a), lo(b), hi(b)};
    return Rng(mix);
}

double draw(const Distribution& d, Rng& rng) {
    switch (d.kind) {
    case Distribution::Kind::constant:
        return d.value;
    case Distribution::Kind::uniform:
        // low == high is allowed; boost's distribution asserts low < high, and without the assert
        // draws for ever (it returns only values below high).
        if (!(d.low < d.high)) return d.low;
        return boost::random::uniform_real_distribution<double>(d.low, d.high)(rng);
    case Distribution::Kind::normal_clipped: {
        boost::random::normal_distribution<double> normal(d.mean, d.stddev);
        for (int attempt = 0; attempt < 10000; ++attempt) {
            const double x = normal(rng);
            if (x >= d.low && x <= d.high) return x;
        }
        throw UserError(fmt::format("clipped normal distribution (mean {}, stddev {}) almost never falls "
                                    "inside [{}, {}]; move the bounds or the mean",
                                    d.mean, d.stddev, d.low, d.high));
    }
    }
    throw InternalError("draw: unknown distribution kind");
}

}  // namespace metabosim
