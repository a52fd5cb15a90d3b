// The clock-driven engine: the same model on a fixed grid t_n = n dt, updated the way Brian2
// updates it, so that its results can be set beside Brian2's and beside the exact solution.
//
// Step n (time t_n), in Brian2's order:
//   metabolic steps due at n      the population is lowered again (traces settled to t_n first);
//                                 then energy updates due at n, which may change it too
//   recorders due at n            the state at t_n
//   state update                  V: one exponential-Euler step with ge, gi of t_n (V held at
//                                 Vr while refractory); ge, gi: exact decay over dt
//   threshold                     V >= Vth and not refractory -> a spike, recorded at t_n
//   synapses, presynaptic side    external inputs of bin n, then arrivals due at n
//                                 (conductance jump and STDP of each)
//   synapses, postsynaptic side   STDP of this step's spikes
//   reset                         V = Vr; refractory for timestep(t_ref) steps
// A spike emitted at step n reaches a synapse with delay d at step n + round(d / dt); an input
// at time t falls in bin int((t + 1e-3 dt) / dt); timestep(x) = int((x + 1e-3 dt) / dt); an
// event at time t happens at step round(t / dt) if that is within 1e-4 dt of t, else ceil —
// all as Brian2 2.5 does.
#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "engine/engine_core.hpp"
#include "metabosim/model/error.hpp"
#include "metabosim/inputs/inputs.hpp"

namespace metabosim::detail {
namespace {

constexpr int synapse_bits = 40;  // a queued arrival is (projection << 40) | synapse
constexpr std::uint64_t synapse_mask = (std::uint64_t{1} << synapse_bits) - 1;

struct ClockEngine final : EngineCore {
    double dt;
    std::int64_t steps;                          // the run is steps 0 .. steps - 1
    std::vector<std::vector<std::uint16_t>> delay_steps;   // per projection and synapse
    std::vector<std::vector<std::uint64_t>> ring;          // arrivals by step modulo ring size
    std::vector<std::int64_t> refractory_until;  // first step at which the neuron may fire again
    std::vector<double> decay_e, decay_i;        // per population: exp(-dt / tau) at its temperature
    std::vector<std::uint32_t> spikes_now, carried_drive;
    std::vector<std::size_t> generator_next;     // index of each generator's next spike time
    // The drive's rate follows the metabolic steps at their own times, which may fall inside a
    // time step: per population, the steps that concern it (time order) and the next one.
    std::vector<std::vector<RateChange>> drive_steps;
    std::vector<std::size_t> next_drive_step;
    std::vector<double> drive_rate;              // per population, Hz, of the inputs now being drawn
    std::vector<std::size_t> step_order;         // metabolic steps in time order, ties as given
    std::size_t next_step = 0;                   // the first step in step_order not yet applied

    ClockEngine(Model m, double step);
    void run(const std::function<void(const Progress&)>& progress, double progress_interval) override;

    std::int64_t input_bin(double t) const { return static_cast<std::int64_t>((t + 1e-3 * dt) / dt); }
    std::int64_t timestep(double duration) const { return input_bin(duration); }
    std::int64_t event_step(double t) const {
        const double nearest = std::round(t / dt);
        return std::abs(nearest * dt - t) / dt <= 1e-4 ? static_cast<std::int64_t>(nearest)
                                                      : static_cast<std::int64_t>(std::ceil(t / dt));
    }
    void lower_decays(std::uint32_t p) {
        decay_e[p] = std::exp(-dt / lowered[p].neuron.tau_e);
        decay_i[p] = std::exp(-dt / lowered[p].neuron.tau_i);
    }
    void apply_metabolic_step(const MetabolicStep& step, double now);
    void change_population(std::uint32_t p, double temperature, double now, bool redraw_drive);
    void sample(std::size_t r, double t);
    void update_and_threshold(std::int64_t n);
    void deliver_inputs(std::int64_t n);
    void deliver_arrivals(std::int64_t n, double t);
};

ClockEngine::ClockEngine(Model m, double step) : EngineCore(std::move(m)), dt(step) {
    steps = event_step(model.duration);
    std::uint64_t max_delay = 0;
    for (const Synapses& s : net.projections) {
        auto& d = delay_steps.emplace_back(s.size());
        for (std::uint64_t q = 0; q < s.size(); ++q) {
            const double rounded = std::floor(s.delay[q] / dt + 0.5);  // Brian2's (int)(delay / dt + 0.5)
            if (rounded > std::numeric_limits<std::uint16_t>::max())
                throw UserError(fmt::format("projection \"{}\": a delay of {} ms is {} steps of dt = {} ms; "
                                            "the clock-driven engine allows at most 65535 steps",
                                            model.projections[&s - net.projections.data()].name, s.delay[q],
                                            rounded, dt));
            d[q] = static_cast<std::uint16_t>(rounded);
            max_delay = std::max<std::uint64_t>(max_delay, d[q]);
        }
    }
    ring.resize(max_delay + 1);
    refractory_until.assign(net.neuron_count(), std::numeric_limits<std::int64_t>::min());
    decay_e.resize(model.populations.size());
    decay_i.resize(model.populations.size());
    for (std::uint32_t p = 0; p < model.populations.size(); ++p) lower_decays(p);
    generator_next.assign(model.generators.size(), 0);
    step_order.resize(model.metabolism.size());
    for (std::size_t k = 0; k < step_order.size(); ++k) step_order[k] = k;
    std::stable_sort(step_order.begin(), step_order.end(), [&](std::size_t a, std::size_t b) {
        return model.metabolism[a].time < model.metabolism[b].time;
    });
    for (std::uint32_t p = 0; p < model.populations.size(); ++p) {
        drive_steps.push_back(drive_rate_changes(model, p));
        drive_rate.push_back(lowered[p].poisson_rate);
    }
    next_drive_step.assign(model.populations.size(), 0);
}

// The change takes effect at the step's time `now` (traces are settled to it, as Brian2 does
// between two runs). The drive trains follow metabolic steps on their own (deliver_inputs); a
// change the energy pool asks for is known only now, and the drive is drawn again from now.
void ClockEngine::change_population(std::uint32_t p, double temperature, double now, bool redraw_drive) {
    change_temperature(p, temperature, now);
    lower_decays(p);
    if (!redraw_drive || lowered[p].poisson_rate == drive_rate[p]) return;
    const PopulationRange range = net.populations[p];
    for (std::uint32_t n = range.first; n < range.first + range.size; ++n) {
        for (; next_drive[n] < now; next_drive[n] = next_drive_time(drive_rng[n], next_drive[n], drive_rate[p]))
            carried_drive.push_back(n);  // drawn before the change: delivered in this step
        draw_drive(n, now);
    }
    drive_rate[p] = lowered[p].poisson_rate;
}

void ClockEngine::apply_metabolic_step(const MetabolicStep& step, double now) {
    for (std::uint32_t p = 0; p < model.populations.size(); ++p)
        if (step.population.empty() || step.population == model.populations[p].name)
            change_population(p, step.temperature, now, false);
}

void ClockEngine::sample(std::size_t r, double t) {
    if (r < results.states.size()) {
        sample_state(r, [&](std::uint32_t n) { return MembraneState{V[n], ge[n], gi[n]}; });
    } else {
        sample_weights(r - results.states.size(), t);
    }
}

void ClockEngine::update_and_threshold(std::int64_t n) {
    const std::uint32_t total = net.neuron_count();
    for (std::uint32_t i = 0; i < total; ++i) {
        const std::uint32_t p = population_of[i];
        const LoweredNeuron& c = lowered[p].neuron;
        const bool active = n >= refractory_until[i];
        if (active) {  // exponential Euler: exact for V with the conductances held at their start values
            const double g = c.gL + ge[i] + gi[i];
            const double v_inf = (c.gL * c.EL + ge[i] * c.Ee + gi[i] * c.Ei + c.I_ext) / g;
            V[i] = v_inf + (V[i] - v_inf) * std::exp(-dt * g / c.C);
        }
        ge[i] *= decay_e[p];
        gi[i] *= decay_i[p];
        if (active && V[i] >= c.Vth) spikes_now.push_back(i);
    }
}

void ClockEngine::deliver_inputs(std::int64_t n) {
    std::uint64_t delivered = carried_drive.size();
    for (std::uint32_t i : carried_drive)
        add_conductance(i, model.populations[population_of[i]].drive->receptor, lowered[population_of[i]].poisson_weight);
    carried_drive.clear();
    const double bin_end = static_cast<double>(n + 1) * dt;  // no later input can fall in bin n
    for (std::uint32_t p = 0; p < model.populations.size(); ++p) {
        if (!model.populations[p].drive) continue;
        const Receptor receptor = model.populations[p].drive->receptor;
        const PopulationRange range = net.populations[p];
        // As in every engine (inputs.hpp), a step that changes the rate draws the next input
        // again from the step's time; the inputs before it keep the old rate. A step is met in
        // the bin its own time falls in, after every input before it.
        const auto& steps = drive_steps[p];
        const auto step_in_bin = [&](std::size_t k) { return k < steps.size() && input_bin(steps[k].time) <= n; };
        const bool switching = step_in_bin(next_drive_step[p]);
        for (std::uint32_t i = range.first; i < range.first + range.size; ++i) {
            if (!switching && next_drive[i] >= bin_end) continue;  // nothing due (also without drive)
            double rate = drive_rate[p];
            for (std::size_t k = next_drive_step[p];; ++k) {
                const double until = step_in_bin(k) ? steps[k].time : std::numeric_limits<double>::infinity();
                for (; next_drive[i] < until && input_bin(next_drive[i]) <= n; ++delivered) {
                    add_conductance(i, receptor, lowered[p].poisson_weight);
                    next_drive[i] = next_drive_time(drive_rng[i], next_drive[i], rate);
                }
                if (!step_in_bin(k)) break;
                if (steps[k].rate != rate) {
                    rate = steps[k].rate;
                    next_drive[i] = next_drive_time(drive_rng[i], steps[k].time, rate);
                }
            }
        }
        for (; step_in_bin(next_drive_step[p]); ++next_drive_step[p]) drive_rate[p] = steps[next_drive_step[p]].rate;
    }
    for (std::size_t g = 0; g < model.generators.size(); ++g) {
        const SpikeGenerator& gen = model.generators[g];
        const std::uint32_t p = model.population_index(gen.target);
        const PopulationRange range = net.populations[p];
        for (; generator_next[g] < gen.times.size() && input_bin(gen.times[generator_next[g]]) <= n;
             ++generator_next[g]) {
            const auto deliver = [&](std::uint32_t local_id) {
                add_conductance(range.first + local_id, gen.receptor, efficacy(p, gen.weight));
                ++delivered;
            };
            if (gen.neurons.empty())
                for (std::uint32_t j = 0; j < range.size; ++j) deliver(j);
            else
                for (std::uint32_t j : gen.neurons) deliver(j);
        }
    }
    results.counters.events[static_cast<std::size_t>(EventKind::external_input)] += delivered;
}

void ClockEngine::deliver_arrivals(std::int64_t n, double t) {
    for (std::uint32_t i : spikes_now) {
        const std::uint32_t p = population_of[i];
        const std::uint32_t row = local(i);
        for (std::uint32_t k : outgoing[p]) {
            const Synapses& s = net.projections[k];
            for (std::uint64_t q = s.row_begin[row]; q < s.row_begin[row + 1]; ++q)
                ring[(n + delay_steps[k][q]) % ring.size()].push_back((std::uint64_t{k} << synapse_bits) | q);
        }
    }
    auto& due = ring[n % ring.size()];
    for (std::uint64_t entry : due) {
        const auto k = static_cast<std::uint32_t>(entry >> synapse_bits);
        const std::uint64_t q = entry & synapse_mask;
        const Synapses& s = net.projections[k];
        add_conductance(net.populations[s.post].first + s.target[q], s.receptor, efficacy(s.post, s.weight[q]));
        ++energy[s.pre].releases;
        if (s.stdp) stdp_on_arrival(k, q, t);
    }
    results.counters.events[static_cast<std::size_t>(EventKind::spike_arrival)] += due.size();
    due.clear();
}

void ClockEngine::run(const std::function<void(const Progress&)>& progress, double progress_interval) {
    ProgressReporter reporter(progress, progress_interval, model.duration);
    RunCounters& counters = results.counters;

    std::vector<std::uint32_t> next_sample(recorder_count(), 0);
    std::vector<std::uint32_t> next_energy(model.populations.size(), 0);
    const auto energy_due = [&](std::int64_t n) {  // after the steps given, as in the event-driven engine
        for (std::uint32_t p = 0; p < model.populations.size(); ++p) {
            if (!model.populations[p].energy) continue;
            const double interval = model.populations[p].energy->interval;
            for (; next_energy[p] <= last_energy_update(p) && event_step(next_energy[p] * interval) <= n; ++next_energy[p]) {
                const double now = static_cast<double>(std::min(n, steps)) * dt;
                if (const auto temperature = update_energy(p, now)) change_population(p, *temperature, now, true);
                ++counters.events[static_cast<std::size_t>(EventKind::metabolic_change)];
            }
        }
    };
    const auto sample_due = [&](std::int64_t n) {
        for (std::size_t r = 0; r < recorder_count(); ++r)
            while (next_sample[r] <= last_sample(r) && event_step(next_sample[r] * recorder_interval(r)) <= n) {
                sample(r, std::min(next_sample[r] * recorder_interval(r), model.duration));
                ++next_sample[r];
                ++counters.events[static_cast<std::size_t>(EventKind::sample)];
            }
    };

    for (std::int64_t n = 0; n < steps; ++n) {
        const double t = static_cast<double>(n) * dt;
        for (; next_step < step_order.size() && event_step(model.metabolism[step_order[next_step]].time) <= n; ++next_step) {
            apply_metabolic_step(model.metabolism[step_order[next_step]], t);
            ++counters.events[static_cast<std::size_t>(EventKind::metabolic_change)];
        }

        energy_due(n);
        sample_due(n);
        update_and_threshold(n);
        for (std::uint32_t i : spikes_now) record_spike(i, t);
        deliver_inputs(n);
        deliver_arrivals(n, t);
        for (std::uint32_t i : spikes_now) stdp_on_spike(i, t);
        for (std::uint32_t i : spikes_now) {
            V[i] = params(i).Vr;
            refractory_until[i] = n + timestep(params(i).t_ref);
        }
        counters.events[static_cast<std::size_t>(EventKind::threshold_crossing)] += spikes_now.size();
        spikes_now.clear();
        ++counters.epochs;
        if ((n & 1023) == 0) reporter.maybe_report(t, counters.total_events());
    }
    // Metabolic steps at the very end and the samples at t = duration see the final state.
    for (; next_step < step_order.size() && model.metabolism[step_order[next_step]].time <= model.duration; ++next_step)
        apply_metabolic_step(model.metabolism[step_order[next_step]], static_cast<double>(steps) * dt);
    energy_due(std::numeric_limits<std::int64_t>::max());
    sample_due(std::numeric_limits<std::int64_t>::max());
    ++counters.events[static_cast<std::size_t>(EventKind::end_of_run)];
    results.engine = "clock-driven";
    results.dt = dt;
    finish(reporter.elapsed());
}

}  // namespace

std::unique_ptr<EngineCore> make_clock_engine(Model model, double dt) {
    return std::make_unique<ClockEngine>(std::move(model), dt);
}

}  // namespace metabosim::detail
