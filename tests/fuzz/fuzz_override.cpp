// libFuzzer target: --set overrides (apply_override) on a model with every kind of table (drives,
// energy pools, STDP, a list projection). Each line of the input is one assignment, applied in
// turn; each is applied or refused with a UserError, and an applied one leaves a valid model.
//   build-fuzz/tests/fuzz/fuzz_override -max_total_time=300 CORPUS_DIR SEEDS_DIR
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "metabosim/config/config.hpp"
#include "metabosim/config/validate.hpp"
#include "metabosim/model/builtin.hpp"
#include "metabosim/model/error.hpp"

namespace {

metabosim::Model base() {
    metabosim::Model m = metabosim::microcircuit(37, 100);
    m.populations[0].energy = metabosim::EnergyBudget{};
    m.projections.push_back(m.projections.back());
    m.projections.back().name = "listed";
    m.projections.back().connectivity.rule = metabosim::Connectivity::Rule::explicit_list;
    m.projections.back().connectivity.sources = {0, 1};
    m.projections.back().connectivity.targets = {1, 0};
    m.projections.back().stdp.reset();
    metabosim::validate(m);
    return m;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const metabosim::Model model = base();
    metabosim::Model m = model;
    std::string_view input(reinterpret_cast<const char*>(data), size);
    while (!input.empty()) {
        const auto end = input.find('\n');
        const std::string_view line = input.substr(0, end);
        input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
        try {
            metabosim::apply_override(m, line);
        } catch (const metabosim::UserError&) {
            continue;
        }
        metabosim::validate(m);  // an accepted change keeps the model valid (a UserError here is a bug)
    }
    return 0;
}
