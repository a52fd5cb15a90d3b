// `metabosim resume`: go on with a run from the checkpoint in its output directory.
#include <memory>

#include <fmt/format.h>

#include "command.hpp"
#include "run_loop.hpp"

namespace metabosim::cli {
namespace {

struct ResumeOptions {
    std::string out_dir;
    std::optional<unsigned> threads;
    std::optional<double> checkpoint_every;  // ms
    bool quiet = false;
};

int resume(const ResumeOptions& o) {
    OutputDirectory out(o.out_dir);  // locked before the checkpoint is read: no other run changes it
    Simulation sim = Simulation::load(out.checkpoint_file(), o.threads);
    if (!o.quiet)
        fmt::print(stderr, "metabosim: resuming {} at t = {} ms of {} ms\n", o.out_dir, sim.time(), sim.model().duration);
    const int status = run_to_end(sim, {out, o.checkpoint_every, run_progress(o.quiet)});
    end_run_progress(o.quiet);
    if (status == 0 && !o.quiet) fmt::print(stderr, "  done -> {}\n", o.out_dir);
    return status;
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
    resume_app->add_option_function<std::string>(
                  "--checkpoint-every",
                  [o](const std::string& every) { o->checkpoint_every = positive_time(every, "--checkpoint-every"); },
                  "write the outputs so far and a checkpoint every TIME of simulated time")
        ->type_name("TIME");
    resume_app->add_flag("-q,--quiet", o->quiet, "no progress on stderr");
    return {resume_app, [o] { return resume(*o); }};
}

}  // namespace metabosim::cli
