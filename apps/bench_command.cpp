// `metabosim bench`: metabosim beside Brian2's C++ standalone mode, timed; the table on stdout.
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "command.hpp"
#include "metabosim/bench/bench.hpp"
#include "metabosim/bench/bench_output.hpp"
#include "progress_display.hpp"

namespace metabosim::cli {
namespace {

struct BenchOptions {
    bench::Settings settings;
    ProgressOptions progress;
};

int run_bench(BenchOptions& o) {
    bench::Settings& s = o.settings;
    ProgressDisplay display(o.progress);
    s.progress = display.lines();
    const auto& say = s.progress;
    const bench::Bench b = bench::run_bench(s);
    bench::write_bench_json(b, s.output / "bench.json");
    // The scaling figure; the table stands without it.
    const processes::ScriptRun figure = bench::make_scaling_figure(s.output);
    const bool with_figure = figure.succeeded() && std::filesystem::exists(s.output / "scaling.png");
    if (with_figure)
        say(fmt::format("figure: {}", (s.output / "scaling.png").string()));
    else
        say("  scaling.png skipped: " + figure.failure());
    bench::write_bench_markdown(b, with_figure, s.output / "bench.md");
    fmt::print("{}", bench::bench_markdown(b, with_figure));
    return 0;
}

}  // namespace

Command add_bench(CLI::App& app) {
    auto o = std::make_shared<BenchOptions>();
    bench::Settings& s = o->settings;
    auto* bench_app = app.add_subcommand(
        "bench", "Time metabosim (event- and clock-driven) beside Brian2's C++ standalone mode\n"
                 "(dt 0.1 and 0.01 ms) on COBA, the microcircuit with and without STDP at 37 and\n"
                 "41 degC, and a scaling series (N = 1,000 to 100,000 at K = 100 and to 16,000 at\n"
                 "K = 1000 synapses per neuron, 200 ms each); each run in its own process: wall-time\n"
                 "ratios, mean rates, synaptic events per second, peak memory per synapse (metabosim\n"
                 "and Brian2's program), each target met or missed, the machine\n"
                 "-> bench.md, bench.json, scaling.png (time vs synaptic events, memory vs synapses).");
    bench_app->add_option("-o,--output", s.output, "directory for the table and the runs")->capture_default_str();
    bench_app->add_flag("--quick", s.quick, "fewer and shorter workloads (a few minutes): no COBA 10 s, "
                                            "scaling to N = 16,000");
    bench_app->add_flag("!--no-brian2", s.brian2, "metabosim only");
    bench_app->add_option("--repeat", s.repeat,
                          "every timed run N times, interleaved, and the run of median time reported (on a\n"
                          "machine whose speed varies, 3 makes the ratios trustworthy; N times as long)")
        ->type_name("N")
        ->check(CLI::Range(1u, 100u))
        ->capture_default_str();
    add_python_option(bench_app);
    add_progress_options(bench_app, o->progress);
    return {bench_app, [o] { return run_bench(*o); }};
}

}  // namespace metabosim::cli
