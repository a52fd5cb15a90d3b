#include "engine/circuit.hpp"

#include <algorithm>
#include <limits>

#include "metabosim/config/validate.hpp"
#include "metabosim/inputs/inputs.hpp"

namespace metabosim {
namespace {

Model validated(Model model) {
    validate(model);
    return model;
}

MembraneStates initial_states(const Model& model) {
    MembraneStates states;
    for (std::uint32_t p = 0; p < model.populations.size(); ++p) {
        const InitialState initial = initial_state(model, p);
        states.V.insert(states.V.end(), initial.V.begin(), initial.V.end());
        states.ge.insert(states.ge.end(), initial.ge.begin(), initial.ge.end());
        states.gi.insert(states.gi.end(), initial.gi.begin(), initial.gi.end());
    }
    return states;
}

}  // namespace

Circuit::Circuit(Model m) : Circuit(std::move(m), {0, std::numeric_limits<std::uint32_t>::max()}) {}

Circuit::Circuit(Model m, NeuronRange owned_neurons)
    : model(validated(std::move(m))),
      owned{owned_neurons.first, std::min(owned_neurons.last, model.neuron_count())},
      net(build_network(model, owned.first, owned.last)),
      schedule(model),
      outgoing(model.populations.size()),
      metabolic(model),
      neurons(initial_states(model)),
      drive(model),
      sources(model, schedule),
      plasticity(net, metabolic.all()),
      energy(model),
      recorders(model, net) {
    population_of.reserve(net.neuron_count());
    for (std::uint32_t p = 0; p < model.populations.size(); ++p) population_of.insert(population_of.end(), model.populations[p].size, p);
    for (std::uint32_t n = owned.first; n < owned.last; ++n) draw_drive(n, 0.0);
    for (std::uint32_t k = 0; k < net.projections.size(); ++k) outgoing[net.projections[k].pre].push_back(k);
}

void Circuit::spike(std::uint32_t n, double t) {
    const std::uint32_t p = population_of[n];
    recorders.spike(p, local(n), t);
    energy.count_spike(p);
    plasticity.on_spike(net, p, local(n), t);
}

void Circuit::plastic_arrival(std::uint32_t k, std::uint64_t e, std::uint32_t j, double t, bool rebase_traces) {
    Synapses& syn = net.projections[k];
    StdpTraces& traces = plasticity.projections[k];
    if (rebase_traces) traces.rebase_pre(t);
    traces.on_arrival(syn, e, j, t);
}

void Circuit::drive_input(std::uint32_t n) {
    const std::uint32_t p = population_of[n];
    neurons.add_conductance(n, model.populations[p].drive->receptor, metabolic[p].poisson_weight);
}

void Circuit::external_input(std::uint32_t n, Receptor receptor, double weight) {
    neurons.add_conductance(n, receptor, metabolic[population_of[n]].synaptic_efficacy * weight);
}

bool Circuit::change_temperature(std::uint32_t p, double temperature, double t) {
    plasticity.settle(p, t);
    energy.settle(p, t, metabolic[p].temperature);
    const double old_rate = metabolic[p].poisson_rate;
    metabolic.change(p, temperature);
    plasticity.relower(net, p, metabolic[p]);
    recorders.metabolic_change(p, temperature, t);
    return metabolic[p].poisson_rate != old_rate;
}

void Circuit::save(CheckpointWriter& out) const {
    out.section("neurons");
    out.put(neurons.V);
    out.put(neurons.ge);
    out.put(neurons.gi);
    out.section("drive");
    drive.save(out);
    out.section("sources");
    sources.save(out);
    out.section("metabolism");
    std::vector<double> temperatures;
    for (const LoweredPopulation& p : metabolic.all()) temperatures.push_back(p.temperature);
    out.put(temperatures);
    energy.save(out);
    out.section("plasticity");
    plasticity.save(net, out);
    out.section("recordings");
    recorders.save(out);
}

void Circuit::load(CheckpointReader& in) {
    const std::size_t n = net.neuron_count();
    in.section("neurons");
    in.get_exactly(neurons.V, n, "neurons");
    in.get_exactly(neurons.ge, n, "neurons");
    in.get_exactly(neurons.gi, n, "neurons");
    in.section("drive");
    drive.load(in);
    in.section("sources");
    sources.load(in);
    in.section("metabolism");
    std::vector<double> temperatures;
    in.get_exactly(temperatures, model.populations.size(), "populations");
    for (std::uint32_t p = 0; p < temperatures.size(); ++p) {
        metabolic.change(p, temperatures[p]);
        plasticity.relower(net, p, metabolic[p]);
    }
    energy.load(in);
    in.section("plasticity");
    plasticity.load(net, in);
    in.section("recordings");
    recorders.load(in);
}

std::optional<double> Circuit::update_energy(std::uint32_t p, double t) {
    const double temperature = metabolic[p].temperature;
    const EnergyPools::Update update = energy.update(p, t, temperature);
    recorders.energy(p, t, update.fraction, update.target.value_or(temperature));
    return update.target;
}

}  // namespace metabosim
