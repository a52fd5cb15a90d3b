// Which engine runs a model, and how: exact event-driven on threads, the exact single-queue
// reference, or clock-driven with a fixed step.
#pragma once

namespace metabosim {

struct Strategy {
    // event_driven: exact, neurons advanced in epochs of the shortest delay, on `threads` threads
    // (the outputs do not depend on how many); event_queue: exact, one global event queue (the
    // earlier engine: slower, single-threaded, kept as an independent reference); clock_driven: a
    // fixed step dt, as Brian2.
    enum class Kind { event_driven, clock_driven, event_queue };
    Kind kind = Kind::event_driven;
    double dt = 0.1;       // ms, the clock-driven step
    unsigned threads = 1;  // event-driven

    static Strategy event_driven(unsigned threads = 1) { return {Kind::event_driven, 0.1, threads}; }
    static Strategy clock_driven(double dt) { return {Kind::clock_driven, dt, 1}; }
    static Strategy event_queue() { return {Kind::event_queue, 0.1, 1}; }
};

// Throws UserError unless the clock-driven step is a positive time no longer than the run and the
// thread count is between 1 and 1024.
void validate(const Strategy& strategy, double duration);

}  // namespace metabosim
