#include "metabosim/simulation.hpp"

#include <cmath>

#include <fmt/format.h>

#include "checkpoint/checkpoint.hpp"
#include "clock/clock_engine.hpp"
#include "engine/engine.hpp"
#include "simulation/limit_watch.hpp"
#include "metabosim/distribution/ranks.hpp"
#include "metabosim/config/config.hpp"
#include "metabosim/model/error.hpp"

#ifndef METABOSIM_VERSION
#define METABOSIM_VERSION "unknown"
#endif

namespace metabosim {
namespace {

std::unique_ptr<Engine> make_engine(Model model, const Strategy& strategy) {
    validate(strategy, model.duration);
    if (strategy.kind != Strategy::Kind::event_driven && rank_count() > 1)
        throw UserError(fmt::format("{} engine runs on one process; run it without mpirun, or use the event-driven engine",
                                    strategy.kind == Strategy::Kind::clock_driven ? "the clock-driven" : "the queue"));
    switch (strategy.kind) {
    case Strategy::Kind::event_driven: return make_epoch_engine(std::move(model), strategy.threads);
    case Strategy::Kind::event_queue: return make_queue_engine(std::move(model));
    case Strategy::Kind::clock_driven: return make_clock_engine(std::move(model), strategy.dt);
    }
    throw InternalError("make_engine: unknown strategy");
}

}  // namespace


Simulation::Simulation(Model model, Strategy strategy) : Simulation(make_engine(std::move(model), strategy), strategy) {}
Simulation::Simulation(std::unique_ptr<Engine> engine, Strategy strategy)
    : engine_(std::move(engine)),
      strategy_(strategy),
      limits_(std::make_unique<LimitWatch>(engine_->circuit().model, engine_->time())),
      stop_(std::make_unique<std::atomic<bool>>(false)) {}
Simulation::~Simulation() = default;
Simulation::Simulation(Simulation&&) noexcept = default;
Simulation& Simulation::operator=(Simulation&&) noexcept = default;
const Model& Simulation::model() const { return engine_->circuit().model; }
const Network& Simulation::network() const { return engine_->circuit().net; }
std::uint64_t Simulation::synapse_count() const { return engine_->synapse_count(); }
double Simulation::time() const { return engine_->time(); }
bool Simulation::finished() const { return engine_->finished(); }
void Simulation::request_stop() { stop_->store(true); }

void Simulation::run_until(double until, const std::function<void(const Progress&)>& progress,
                           double progress_interval) {
    if (broken_) throw UserError("this simulation stopped on an error; build a new one to run again");
    stop_->store(false);
    limit_exceeded_.clear();
    const double duration = model().duration;
    const double end = std::min(until, duration);
    ProgressReporter reporter(progress, progress_interval, duration, engine_->wall_seconds());
    try {
        // In stretches to each window's end, where the limits are checked. A stretch that ends
        // before its goal was stopped (every rank stops at the same boundary).
        while (!engine_->finished()) {
            const double goal = std::min(end, limits_->next_check());
            engine_->advance(goal, reporter, *stop_);
            if (engine_->finished()) break;
            if (auto exceeded = limits_->check(*engine_)) {
                limit_exceeded_ = std::move(*exceeded);
                break;
            }
            if (engine_->time() < goal || (engine_->time() >= end && end < duration)) break;
        }
    } catch (...) {
        broken_ = true;
        throw;
    }
}

Results Simulation::results() const {
    Results r = engine_->results();
    r.complete = engine_->finished();
    r.reached = engine_->time();
    if (r.complete) return r;
    if (!limit_exceeded_.empty()) r.stopped = "runaway: " + limit_exceeded_;
    if (r.stopped.empty()) r.stopped = fmt::format("stopped at t = {} ms", r.reached);
    // Only the samples taken so far (their slots are reserved for the whole run).
    for (StateTrace& trace : r.states) {
        std::size_t taken = 0;
        while (taken < trace.samples && std::min(taken * trace.interval, r.duration) < r.reached) ++taken;
        trace.samples = taken;
        trace.values.resize(taken * trace.variables.size() * trace.neurons.size());
    }
    return r;
}

Results Simulation::run(const std::function<void(const Progress&)>& progress, double progress_interval) {
    run_until(model().duration, progress, progress_interval);
    return results();
}

bool Simulation::can_save() const { return strategy_.kind != Strategy::Kind::event_queue && rank_count() == 1; }

void Simulation::save(const std::filesystem::path& file) const {
    CheckpointWriter out;
    out.section("metabosim");
    out.put(std::string(METABOSIM_VERSION));
    out.put(static_cast<std::uint8_t>(strategy_.kind));
    out.put(strategy_.dt);
    out.put(strategy_.threads);
    out.put(to_toml(model()));
    out.put(engine_->time());
    engine_->save(out);
    out.write(file);
}

Simulation Simulation::load(const std::filesystem::path& file, std::optional<unsigned> threads) {
    CheckpointReader in(file);
    in.section("metabosim");
    const std::string version = in.get_string();
    if (version != METABOSIM_VERSION)
        in.fail(fmt::format("written by metabosim {}; this is metabosim {}", version, METABOSIM_VERSION));
    Strategy strategy;
    const auto kind = in.get<std::uint8_t>();
    if (kind > static_cast<std::uint8_t>(Strategy::Kind::event_queue)) in.fail("an unknown engine");
    strategy.kind = static_cast<Strategy::Kind>(kind);
    strategy.dt = in.get<double>();
    strategy.threads = in.get<unsigned>();
    if (threads) strategy.threads = *threads;
    Model model = parse_config(in.get_string(), file.string() + " (its model)");
    const double time = in.get<double>();
    Simulation sim(make_engine(std::move(model), strategy), strategy);
    sim.engine_->load(in);
    in.finish();
    if (sim.engine_->time() != time) in.fail("its time does not match its engine's state");
    sim.limits_ = std::make_unique<LimitWatch>(sim.model(), time);
    return sim;
}

Results simulate(const Model& model, Strategy strategy) { return Simulation(model, strategy).run(); }

}  // namespace metabosim
