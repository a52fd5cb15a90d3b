#include "metabosim/simulation.hpp"

#include <cmath>

#include <fmt/format.h>

#include "clock/clock_engine.hpp"
#include "engine/engine.hpp"
#include "metabosim/model/error.hpp"

namespace metabosim {
namespace {

std::unique_ptr<Engine> make_engine(Model model, Strategy strategy) {
    validate(strategy, model.duration);
    switch (strategy.kind) {
    case Strategy::Kind::event_driven: return make_epoch_engine(std::move(model), strategy.threads);
    case Strategy::Kind::event_queue: return make_queue_engine(std::move(model));
    case Strategy::Kind::clock_driven: return make_clock_engine(std::move(model), strategy.dt);
    }
    throw InternalError("make_engine: unknown strategy");
}

}  // namespace

void validate(const Strategy& strategy, double duration) {
    if (strategy.threads < 1 || strategy.threads > 1024)
        throw UserError(fmt::format("{} threads: expected 1 to 1024", strategy.threads));
    if (strategy.kind != Strategy::Kind::clock_driven) return;
    if (!(std::isfinite(strategy.dt) && strategy.dt > 0))
        throw UserError(fmt::format("clock-driven time step dt = {} ms: expected a positive time, e.g. 0.1 ms",
                                    strategy.dt));
    if (strategy.dt > duration)
        throw UserError(fmt::format("clock-driven time step dt = {} ms is longer than the run ({} ms)", strategy.dt,
                                    duration));
    if (duration / strategy.dt > 1e12)
        throw UserError(fmt::format("clock-driven time step dt = {} ms makes {:.3g} steps of a {} ms run; expected at "
                                    "most 1e12",
                                    strategy.dt, duration / strategy.dt, duration));
}

Simulation::Simulation(Model model, Strategy strategy) : engine_(make_engine(std::move(model), strategy)) {}
Simulation::~Simulation() = default;
Simulation::Simulation(Simulation&&) noexcept = default;
Simulation& Simulation::operator=(Simulation&&) noexcept = default;
const Model& Simulation::model() const { return engine_->circuit().model; }
const Network& Simulation::network() const { return engine_->circuit().net; }

Results Simulation::run(const std::function<void(const Progress&)>& progress, double progress_interval) {
    if (has_run_) throw UserError("a Simulation runs once; build a new one to run again");
    has_run_ = true;
    return engine_->run(progress, progress_interval);
}

Results simulate(const Model& model, Strategy strategy) { return Simulation(model, strategy).run(); }

}  // namespace metabosim
