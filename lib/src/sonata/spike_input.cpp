#include "sonata/spike_input.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "hdf5/hdf5_file.hpp"
#include "metabosim/model/units.hpp"
#include "model/schema.hpp"

namespace metabosim::sonata {

std::vector<std::vector<double>> read_spike_trains(const std::filesystem::path& file, const std::string& population,
                                                   std::size_t nodes) {
    const detail::Hdf5Reader h5(file);
    const std::string group = "/spikes/" + detail::hdf5_name(population);
    if (!h5.exists(group))
        throw std::runtime_error(fmt::format("{} is missing; expected the spikes of node population {} "
                                             "(timestamps in ms and node_ids)",
                                             group, population));
    const auto times = h5.read<double>(group + "/timestamps");
    const auto ids = h5.read<std::uint64_t>(group + "/node_ids");
    if (times.dims.size() != 1 || ids.dims.size() != 1 || times.values.size() != ids.values.size())
        throw std::runtime_error(fmt::format("{}/timestamps and node_ids have {} and {} values; expected one "
                                             "dimension and as many of each",
                                             group, times.values.size(), ids.values.size()));
    if (const auto units = h5.string_attribute(group + "/timestamps", "units"); units && *units != "ms")
        throw std::runtime_error(fmt::format("{}/timestamps@units is \"{}\"; expected \"ms\"", group, *units));

    const schema::Bound bound = schema::source_time.bound;
    std::vector<std::vector<double>> trains(nodes);
    for (std::size_t k = 0; k < ids.values.size(); ++k) {
        const std::uint64_t id = ids.values[k];
        const double t = times.values[k];
        if (id >= nodes)
            throw std::runtime_error(fmt::format("{}/node_ids[{}] is {}; expected a node id of {} (below {})", group,
                                                 k, id, population, nodes));
        if (!schema::within(t, bound))
            throw std::runtime_error(fmt::format("{}/timestamps[{}] is {}; expected {} in ms", group, k, t,
                                                 schema::expectation(Dimension::time, bound, t)));
        auto& train = trains[id];
        if (!train.empty() && t <= train.back())
            throw std::runtime_error(fmt::format("{}/timestamps[{}] is {} ms, node {}'s spike after {} ms; expected "
                                                 "each node's times strictly ascending",
                                                 group, k, t, id, train.back()));
        train.push_back(t);
    }
    return trains;
}

}  // namespace metabosim::sonata
