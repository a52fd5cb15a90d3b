#include "sonata_export/spike_input.hpp"

#include <string>
#include <vector>

#include "hdf5/hdf5_file.hpp"
#include "metabosim/inputs/spike_sources.hpp"

namespace metabosim::detail {

void write_spike_input(const Model& model, const MetabolicSchedule& schedule, std::uint32_t population,
                       const std::filesystem::path& path) {
    const Population& pop = model.populations[population];
    const SourceTrain train(model, schedule, population);
    std::vector<double> times;
    std::vector<std::uint64_t> node_ids;
    for (std::uint32_t i = 0; i < pop.size; ++i) {
        const std::vector<double> own = train.times(i);
        times.insert(times.end(), own.begin(), own.end());
        node_ids.insert(node_ids.end(), own.size(), i);
    }
    Hdf5Writer h5(path);
    h5.sonata_root_attributes();
    const std::string group = "/spikes/" + hdf5_name(pop.name);
    h5.group(group);
    h5.sorting_attribute(group, 1);  // by_id
    h5.dataset(group + "/timestamps", times);
    h5.attribute(group + "/timestamps", "units", "ms");
    h5.dataset(group + "/node_ids", node_ids);
    h5.close();
}

}  // namespace metabosim::detail
