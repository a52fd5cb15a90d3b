// `metabosim resume`: go on with a run from the checkpoint in its output directory.
#include <memory>

#include <fmt/format.h>

#include "command.hpp"
#include "metabosim/recording/output.hpp"
#include "progress_display.hpp"
#include "run_loop.hpp"

namespace metabosim::cli {
namespace {

struct ResumeOptions {
    std::string out_dir;
    std::optional<unsigned> threads;
    std::optional<double> checkpoint_every;  // ms
    ProgressOptions progress;
};

int resume(const ResumeOptions& o) {
    ProgressDisplay display(o.progress);
    OutputDirectory out(o.out_dir);  // locked before the checkpoint is read: no other run changes it
    Simulation sim = Simulation::load(out.checkpoint_file(), o.threads);
    display.say(fmt::format("metabosim: resuming {} at t = {} ms of {} ms", o.out_dir, sim.time(), sim.model().duration));
    const int status = run_to_end(sim, {o.out_dir, &out, o.checkpoint_every, display.run_progress(), display.update_interval(),
                                        [&display] { display.finish(); }});
    if (status != 0) return status;
    display.run_ended(sim.results());
    display.say(fmt::format("  done -> {}", o.out_dir));
    return 0;
}

}  // namespace

Command add_resume(CLI::App& app) {
    auto o = std::make_shared<ResumeOptions>();
    auto* resume_app = app.add_subcommand(
        "resume", "Go on with a run that was interrupted (Ctrl-C) or checkpointed (run --checkpoint-every):\n"
                  "from DIR/checkpoint.msc to the end, writing the outputs into DIR. The outputs are\n"
                  "those the run would have written without the interruption, byte for byte.");
    resume_app->add_option("dir", o->out_dir, "the run's output directory")->required();
    resume_app->add_option("--threads", o->threads, "threads of the event-driven engine (default: as the run had)")
        ->check(CLI::Range(1u, 1024u));
    add_time_option(resume_app, "--checkpoint-every", o->checkpoint_every,
                    "write the outputs so far and a checkpoint every TIME of simulated time", TimeBound::positive);
    add_run_progress_options(resume_app, o->progress);
    return {resume_app, [o] { return resume(*o); }};
}

}  // namespace metabosim::cli
