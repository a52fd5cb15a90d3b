// The clock-driven engine: the same model on a fixed grid t_n = n dt, updated the way Brian2
// updates it, so that its results can be set beside Brian2's and beside the exact solution.
//
// Step n (time t_n), in Brian2's order:
//   metabolic steps due at n      the population is lowered again (traces settled to t_n first);
//                                 then energy updates due at n, which may change it too
//   recorders due at n            the state at t_n
//   state update                  V: one exponential-Euler step with ge, gi of t_n (V held at
//                                 Vr while refractory); ge, gi: exact decay over dt
//   threshold                     V >= Vth and not refractory -> a spike, recorded at t_n;
//                                 spike sources emit the spikes of their trains in bin n,
//                                 recorded at their own times (drawn, as in every engine)
//   synapses, presynaptic side    external inputs of bin n, then arrivals due at n
//                                 (conductance jump and STDP of each)
//   synapses, postsynaptic side   STDP of this step's spikes
//   reset                         V = Vr; refractory for timestep(t_ref) steps
// A spike emitted at step n reaches a synapse with delay d at step n + round(d / dt); an input
// at time t falls in bin int((t + 1e-3 dt) / dt); timestep(x) = int((x + 1e-3 dt) / dt); an
// event at time t happens at step round(t / dt) if that is within 1e-4 dt of t, else ceil —
// all as Brian2 2.5 does.
#include "clock/clock_engine.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include <fmt/format.h>

#include "checkpoint/checkpoint.hpp"
#include "engine/event.hpp"
#include "engine/progress_reporter.hpp"
#include "metabosim/inputs/inputs.hpp"
#include "metabosim/model/error.hpp"

namespace metabosim {
namespace {

constexpr int synapse_bits = 40;  // a queued arrival is (projection << 40) | synapse
constexpr std::uint64_t synapse_mask = (std::uint64_t{1} << synapse_bits) - 1;

class ClockEngine final : public Engine {
public:
    ClockEngine(Model m, double step);
    const Circuit& circuit() const override { return c_; }
    void advance(double until, ProgressReporter& reporter, const std::atomic<bool>& stop) override;
    double time() const override;
    bool finished() const override { return done_; }
    double wall_seconds() const override { return wall_seconds_; }
    Results results() const override;
    void save(CheckpointWriter& out) const override;
    void load(CheckpointReader& in) override;

private:
    Circuit c_;
    double dt_;
    std::int64_t steps_;                                    // the run is steps 0 .. steps - 1
    std::vector<std::vector<std::uint16_t>> delay_steps_;   // per projection and synapse
    std::vector<std::vector<std::uint64_t>> ring_;          // arrivals by step modulo ring size
    std::vector<std::int64_t> refractory_until_;  // first step at which the neuron may fire again
    std::vector<double> decay_e_, decay_i_;       // per population: exp(-dt / tau) at its temperature
    std::vector<std::uint32_t> spikes_now_, carried_drive_;
    // Spike sources by their pending spike (a min-heap of (time, neuron)), and this step's spikes.
    std::vector<std::pair<double, std::uint32_t>> sources_, source_spikes_;
    std::vector<std::size_t> generator_next_;     // index of each generator's next spike time
    // The drive's rate follows the metabolic steps at their own times, which may fall inside a
    // time step: per population, the steps that concern it (time order) and the next one.
    std::vector<std::vector<RateChange>> drive_steps_;
    std::vector<std::size_t> next_drive_step_;
    std::vector<double> drive_rate_;              // per population, Hz, of the inputs now being drawn
    std::size_t next_step_ = 0;                   // the first step of the schedule not yet applied
    std::vector<std::uint32_t> next_sample_, next_energy_;
    EventCounts counts_;
    std::int64_t next_n_ = 0;  // the next step to take
    bool done_ = false;
    double wall_seconds_ = 0;

    void step(std::int64_t n);
    void end();

    std::int64_t input_bin(double t) const { return static_cast<std::int64_t>((t + 1e-3 * dt_) / dt_); }
    std::int64_t timestep(double duration) const { return input_bin(duration); }
    std::int64_t event_step(double t) const {
        const double nearest = std::round(t / dt_);
        return std::abs(nearest * dt_ - t) / dt_ <= 1e-4 ? static_cast<std::int64_t>(nearest)
                                                         : static_cast<std::int64_t>(std::ceil(t / dt_));
    }
    void lower_decays(std::uint32_t p) {
        decay_e_[p] = std::exp(-dt_ / c_.metabolic[p].neuron.tau_e);
        decay_i_[p] = std::exp(-dt_ / c_.metabolic[p].neuron.tau_i);
    }
    void apply_metabolic_step(const MetabolicSchedule::Step& step, double now);
    void change_population(std::uint32_t p, double temperature, double now, bool redraw_drive);
    void energy_due(std::int64_t n);
    void samples_due(std::int64_t n);
    void update_and_threshold(std::int64_t n);
    void queue_sources();
    void emit_sources(std::int64_t n);
    void deliver_inputs(std::int64_t n);
    void deliver_arrivals(std::int64_t n, double t);
};

ClockEngine::ClockEngine(Model m, double step) : c_(std::move(m)), dt_(step) {
    const Model& model = c_.model;
    steps_ = event_step(model.duration);
    std::uint64_t max_delay = 0;
    for (const Synapses& s : c_.net.projections) {
        auto& d = delay_steps_.emplace_back(s.size());
        for (std::uint64_t q = 0; q < s.size(); ++q) {
            const double rounded = std::floor(s.delay[q] / dt_ + 0.5);  // Brian2's (int)(delay / dt + 0.5)
            if (rounded > std::numeric_limits<std::uint16_t>::max())
                throw UserError(fmt::format("projection \"{}\": a delay of {} ms is {} steps of dt = {} ms; "
                                            "the clock-driven engine allows at most 65535 steps",
                                            model.projections[&s - c_.net.projections.data()].name, s.delay[q],
                                            rounded, dt_));
            d[q] = static_cast<std::uint16_t>(rounded);
            max_delay = std::max<std::uint64_t>(max_delay, d[q]);
        }
    }
    ring_.resize(max_delay + 1);
    refractory_until_.assign(c_.net.neuron_count(), std::numeric_limits<std::int64_t>::min());
    decay_e_.resize(model.populations.size());
    decay_i_.resize(model.populations.size());
    for (std::uint32_t p = 0; p < model.populations.size(); ++p) lower_decays(p);
    generator_next_.assign(model.generators.size(), 0);
    for (std::uint32_t p = 0; p < model.populations.size(); ++p) {
        drive_steps_.push_back(drive_rate_changes(model, c_.schedule, p));
        drive_rate_.push_back(c_.metabolic[p].poisson_rate);
    }
    next_drive_step_.assign(model.populations.size(), 0);
    next_sample_.assign(c_.recorders.count(), 0);
    next_energy_.assign(model.populations.size(), 0);
    queue_sources();
}

void ClockEngine::queue_sources() {
    sources_.clear();
    for (std::uint32_t i = 0; i < c_.net.neuron_count(); ++i)
        if (c_.is_source(i) && c_.source_next(i) != std::numeric_limits<double>::infinity())
            sources_.push_back({c_.source_next(i), i});
    std::make_heap(sources_.begin(), sources_.end(), std::greater<>());
}

// Taken from the heap in (time, neuron) order, the order they are recorded in.
void ClockEngine::emit_sources(std::int64_t n) {
    while (!sources_.empty() && input_bin(sources_.front().first) <= n) {
        std::pop_heap(sources_.begin(), sources_.end(), std::greater<>());
        const auto [t, i] = sources_.back();
        sources_.pop_back();
        source_spikes_.push_back({t, i});
        c_.recorders.spike(c_.population_of[i], c_.local(i), t);
        c_.energy.count_spike(c_.population_of[i]);
        c_.source_advance(i);
        if (c_.source_next(i) != std::numeric_limits<double>::infinity()) {
            sources_.push_back({c_.source_next(i), i});
            std::push_heap(sources_.begin(), sources_.end(), std::greater<>());
        }
    }
    counts_[EventKind::threshold_crossing] += source_spikes_.size();
}

// The change takes effect at the step's time `now` (traces are settled to it, as Brian2 does
// between two runs). The drive trains follow metabolic steps on their own (deliver_inputs); a
// change the energy pool asks for is known only now, and the drive is drawn again from now.
void ClockEngine::change_population(std::uint32_t p, double temperature, double now, bool redraw_drive) {
    c_.change_temperature(p, temperature, now);
    lower_decays(p);
    if (!redraw_drive || c_.metabolic[p].poisson_rate == drive_rate_[p]) return;
    const PopulationRange range = c_.net.populations[p];
    DriveStreams& drive = c_.drive;
    for (std::uint32_t n = range.first; n < range.first + range.size; ++n) {
        for (; drive.next[n] < now; drive.draw(n, drive.next[n], drive_rate_[p]))
            carried_drive_.push_back(n);  // drawn before the change: delivered in this step
        c_.draw_drive(n, now);
    }
    drive_rate_[p] = c_.metabolic[p].poisson_rate;
}

void ClockEngine::apply_metabolic_step(const MetabolicSchedule::Step& step, double now) {
    for (std::uint32_t p : step.populations) change_population(p, step.temperature, now, false);
}

// After the steps given, as in the event-driven engine.
void ClockEngine::energy_due(std::int64_t n) {
    for (std::uint32_t p = 0; p < c_.model.populations.size(); ++p) {
        if (!c_.energy.has_budget(p)) continue;
        const double interval = c_.energy.interval(p);
        for (; next_energy_[p] <= c_.energy.last_update(p) && event_step(next_energy_[p] * interval) <= n;
             ++next_energy_[p]) {
            const double now = static_cast<double>(std::min(n, steps_)) * dt_;
            if (const auto temperature = c_.update_energy(p, now)) change_population(p, *temperature, now, true);
            ++counts_[EventKind::energy_update];
        }
    }
}

void ClockEngine::samples_due(std::int64_t n) {
    Recorders& rec = c_.recorders;
    for (std::size_t r = 0; r < rec.count(); ++r)
        for (; next_sample_[r] <= rec.last_sample(r) && event_step(next_sample_[r] * rec.interval(r)) <= n;
             ++next_sample_[r]) {
            if (rec.is_state(r))
                rec.sample_state(r, next_sample_[r], [&](std::uint32_t i) { return c_.neurons[i]; });
            else
                rec.sample_weights(r, std::min(next_sample_[r] * rec.interval(r), c_.model.duration), c_.net);
            ++counts_[EventKind::sample];
        }
}

void ClockEngine::update_and_threshold(std::int64_t n) {
    const std::uint32_t total = c_.net.neuron_count();
    for (std::uint32_t i = 0; i < total; ++i) {
        const std::uint32_t p = c_.population_of[i];
        if (c_.sources.is_source(p)) continue;  // no membrane
        const LoweredNeuron& params = c_.metabolic[p].neuron;
        const bool active = n >= refractory_until_[i];
        const MembraneState s = exponential_euler_step(params, c_.neurons[i], dt_, !active, decay_e_[p], decay_i_[p]);
        c_.neurons.set(i, s);
        if (active && s.V >= params.Vth) spikes_now_.push_back(i);
    }
}

void ClockEngine::deliver_inputs(std::int64_t n) {
    DriveStreams& drive = c_.drive;
    std::uint64_t delivered = carried_drive_.size();
    for (std::uint32_t i : carried_drive_) c_.drive_input(i);
    carried_drive_.clear();
    const double bin_end = static_cast<double>(n + 1) * dt_;  // no later input can fall in bin n
    for (std::uint32_t p = 0; p < c_.model.populations.size(); ++p) {
        if (!c_.model.populations[p].drive) continue;
        const PopulationRange range = c_.net.populations[p];
        // As in every engine (inputs.hpp), a step that changes the rate draws the next input
        // again from the step's time; the inputs before it keep the old rate. A step is met in
        // the bin its own time falls in, after every input before it.
        const auto& steps = drive_steps_[p];
        const auto step_in_bin = [&](std::size_t k) { return k < steps.size() && input_bin(steps[k].time) <= n; };
        const bool switching = step_in_bin(next_drive_step_[p]);
        for (std::uint32_t i = range.first; i < range.first + range.size; ++i) {
            if (!switching && drive.next[i] >= bin_end) continue;  // nothing due (also without drive)
            double rate = drive_rate_[p];
            for (std::size_t k = next_drive_step_[p];; ++k) {
                const double until = step_in_bin(k) ? steps[k].time : std::numeric_limits<double>::infinity();
                for (; drive.next[i] < until && input_bin(drive.next[i]) <= n; ++delivered) {
                    c_.drive_input(i);
                    drive.draw(i, drive.next[i], rate);
                }
                if (!step_in_bin(k)) break;
                if (steps[k].rate != rate) {
                    rate = steps[k].rate;
                    drive.draw(i, steps[k].time, rate);
                }
            }
        }
        for (; step_in_bin(next_drive_step_[p]); ++next_drive_step_[p]) drive_rate_[p] = steps[next_drive_step_[p]].rate;
    }
    for (std::size_t g = 0; g < c_.model.generators.size(); ++g) {
        const SpikeGenerator& gen = c_.model.generators[g];
        const PopulationRange range = c_.net.populations[c_.model.population_index(gen.target)];
        for (; generator_next_[g] < gen.times.size() && input_bin(gen.times[generator_next_[g]]) <= n;
             ++generator_next_[g]) {
            const auto deliver = [&](std::uint32_t local_id) {
                c_.external_input(range.first + local_id, gen.receptor, gen.weight);
                ++delivered;
            };
            if (gen.neurons.empty())
                for (std::uint32_t j = 0; j < range.size; ++j) deliver(j);
            else
                for (std::uint32_t j : gen.neurons) deliver(j);
        }
    }
    counts_[EventKind::external_input] += delivered;
}

void ClockEngine::deliver_arrivals(std::int64_t n, double t) {
    const auto send = [&](std::uint32_t i) {
        const std::uint32_t row = c_.local(i);
        for (std::uint32_t k : c_.outgoing[c_.population_of[i]]) {
            const Synapses& s = c_.net.projections[k];
            for (std::uint64_t q = s.row_begin[row]; q < s.row_begin[row + 1]; ++q)
                ring_[(n + delay_steps_[k][q]) % ring_.size()].push_back((std::uint64_t{k} << synapse_bits) | q);
        }
    };
    for (std::uint32_t i : spikes_now_) send(i);
    for (const auto& [spike_time, i] : source_spikes_) send(i);
    auto& due = ring_[n % ring_.size()];
    for (std::uint64_t entry : due) {
        const auto k = static_cast<std::uint32_t>(entry >> synapse_bits);
        c_.energy.count_release(c_.net.projections[k].pre);
        c_.arrive(k, entry & synapse_mask, t);
    }
    counts_[EventKind::spike_arrival] += due.size();
    due.clear();
}

void ClockEngine::step(std::int64_t n) {
    const double t = static_cast<double>(n) * dt_;
    const auto& schedule = c_.schedule.steps();
    for (; next_step_ < schedule.size() && event_step(schedule[next_step_].time) <= n; ++next_step_) {
        apply_metabolic_step(schedule[next_step_], t);
        ++counts_[EventKind::metabolic_change];
    }
    energy_due(n);
    samples_due(n);
    update_and_threshold(n);
    for (std::uint32_t i : spikes_now_) c_.recorders.spike(c_.population_of[i], c_.local(i), t);
    emit_sources(n);
    deliver_inputs(n);
    deliver_arrivals(n, t);
    for (std::uint32_t i : spikes_now_) {
        c_.energy.count_spike(c_.population_of[i]);
        c_.plasticity.on_spike(c_.net, c_.population_of[i], c_.local(i), t);
    }
    for (std::uint32_t i : spikes_now_) {
        c_.neurons.V[i] = c_.params(i).Vr;
        refractory_until_[i] = n + timestep(c_.params(i).t_ref);
    }
    counts_[EventKind::threshold_crossing] += spikes_now_.size();
    spikes_now_.clear();
    source_spikes_.clear();
}

// Metabolic steps at the very end and the samples at t = duration see the final state.
void ClockEngine::end() {
    const auto& schedule = c_.schedule.steps();
    for (; next_step_ < schedule.size(); ++next_step_)
        apply_metabolic_step(schedule[next_step_], static_cast<double>(steps_) * dt_);
    energy_due(std::numeric_limits<std::int64_t>::max());
    samples_due(std::numeric_limits<std::int64_t>::max());
    // Source spikes in the last instants (up to the duration itself), as the exact engines have
    // them; what they would reach lies after the run.
    emit_sources(std::numeric_limits<std::int64_t>::max());
    source_spikes_.clear();
    ++counts_[EventKind::end_of_run];
    done_ = true;
}

void ClockEngine::advance(double until, ProgressReporter& reporter, const std::atomic<bool>& stop) {
    for (; next_n_ < steps_ && static_cast<double>(next_n_) * dt_ < until && !stop; ++next_n_) {
        step(next_n_);
        if ((next_n_ & 1023) == 0) reporter.maybe_report(static_cast<double>(next_n_) * dt_, counts_.total());
    }
    if (next_n_ == steps_ && !done_ && until >= c_.model.duration && !stop) end();
    wall_seconds_ = reporter.elapsed();
}

double ClockEngine::time() const { return done_ ? c_.model.duration : static_cast<double>(next_n_) * dt_; }

Results ClockEngine::results() const {
    RunCounters counters;
    counts_.report(counters);
    counters.epochs = static_cast<std::uint64_t>(next_n_);
    counters.wall_seconds = wall_seconds_;
    Results results = c_.recorders.snapshot(c_.net, std::move(counters));
    results.engine = "clock-driven";
    results.dt = dt_;
    return results;
}

// Saved between two steps: the circuit, the arrivals queued for the coming steps (in step order),
// refractoriness, and where each schedule stands.
void ClockEngine::save(CheckpointWriter& out) const {
    c_.save(out);
    out.section("steps");
    out.put(next_n_);
    out.put(static_cast<std::uint8_t>(done_));
    for (std::size_t k = 0; k < ring_.size(); ++k) out.put(ring_[(static_cast<std::size_t>(next_n_) + k) % ring_.size()]);
    out.put(refractory_until_);
    out.put(carried_drive_);
    out.put(generator_next_);
    out.put(next_drive_step_);
    out.put(drive_rate_);
    out.put(static_cast<std::uint64_t>(next_step_));
    out.put(next_sample_);
    out.put(next_energy_);
    out.put(counts_.by_kind);
    out.put(wall_seconds_);
}

void ClockEngine::load(CheckpointReader& in) {
    c_.load(in);
    in.section("steps");
    next_n_ = in.get<std::int64_t>();
    if (next_n_ < 0 || next_n_ > steps_) in.fail("a time step outside the run");
    done_ = in.get<std::uint8_t>() != 0;
    for (std::size_t k = 0; k < ring_.size(); ++k) in.get(ring_[(static_cast<std::size_t>(next_n_) + k) % ring_.size()]);
    in.get_exactly(refractory_until_, c_.net.neuron_count(), "neurons");
    in.get(carried_drive_);
    in.get_exactly(generator_next_, c_.model.generators.size(), "generators");
    in.get_exactly(next_drive_step_, c_.model.populations.size(), "populations");
    in.get_exactly(drive_rate_, c_.model.populations.size(), "populations");
    next_step_ = in.get<std::uint64_t>();
    in.get_exactly(next_sample_, c_.recorders.count(), "recorders");
    in.get_exactly(next_energy_, c_.model.populations.size(), "populations");
    counts_.by_kind = in.get<decltype(counts_.by_kind)>();
    wall_seconds_ = in.get<double>();
    for (std::uint32_t p = 0; p < c_.model.populations.size(); ++p) lower_decays(p);
    queue_sources();
}

}  // namespace

std::unique_ptr<Engine> make_clock_engine(Model model, double dt) {
    return std::make_unique<ClockEngine>(std::move(model), dt);
}

}  // namespace metabosim
