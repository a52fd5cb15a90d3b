// Writing Results to a directory in the field's formats:
//   spikes.h5        SONATA spikes: /spikes/<population>/{timestamps (ms), node_ids},
//                    attribute sorting = "by_time"
//   V.h5, ge.h5, gi.h5  one SONATA report per recorded variable: /report/<population>/{data
//                    [samples x neurons] float32, mapping/{node_ids, index_pointers, element_ids,
//                    time}}; the recordings of one population share their sample times and
//                    follow one another in the report's columns
//   weights.h5       weight statistics over time and final weights per recorded projection
//   rates.csv        population rates (Hz) in bins of recording.rate_bin
//   metabolism.csv   the metabolic-state timeline
//   energy.csv       the ATP pool of each population with an energy budget, at every update
//   summary.json     counts, rates, events processed, wall time, real-time factor
//   checkpoint.msc   a run's state where its partial outputs stop (`metabosim resume`); only
//                    beside partial outputs, in the same set
// The SONATA files carry the root attributes magic and version; weights.h5, not a SONATA
// layout, does not. The files are written into a hidden sibling directory and swapped in with one atomic rename
// once all of them are on disk: the directory holds a complete set of outputs, the earlier one
// or the new one, at every instant, whatever fails (a full disk) or kills the run; it is not
// created when nothing is written. recording/staged_files.hpp has the protocol.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>

#include "metabosim/model/model.hpp"
#include "metabosim/recording/results.hpp"

namespace metabosim {

namespace detail {
class StagedDirectory;
}

inline constexpr const char* checkpoint_file_name = "checkpoint.msc";

// A results directory reserved for one run, for as long as it lives (so that a long run does not
// end in a directory it cannot use, and no other run writes there meanwhile): check_output_directory's
// checks, then an existing directory must hold nothing but outputs (which it replaces), and a
// lock (a hidden file beside it) keeps other runs out. Creates nothing that outlives it unless a
// write() succeeds. Throws UserError naming the directory and the reason.
class OutputDirectory {
public:
    explicit OutputDirectory(const std::filesystem::path& dir);
    ~OutputDirectory();
    OutputDirectory(OutputDirectory&&) noexcept;
    OutputDirectory& operator=(OutputDirectory&&) noexcept;

    // The directory as given.
    const std::filesystem::path& path() const;
    std::filesystem::path checkpoint_file() const { return path() / checkpoint_file_name; }

    // Writes every output of `results`, and with `save_checkpoint` the checkpoint (written by it
    // at the path given), and swaps them in as one set for the directory's earlier contents, all
    // or nothing: a checkpoint from an earlier write is gone unless this one has one. As often as
    // needed (partial outputs, then the complete ones).
    void write(const Model& model, const Results& results,
               const std::function<void(const std::filesystem::path&)>& save_checkpoint = nullptr);

private:
    std::unique_ptr<detail::StagedDirectory> staged_;
};

// OutputDirectory(dir).write(model, results).
void write_results(const Model& model, const Results& results, const std::filesystem::path& dir);

// Reads a directory written by write_results (or by an exported Brian2 script, which writes the
// same layout) back into Results: spikes, states (a trace per population and set of neurons and
// sample times, its variables in the order V, ge, gi, values as stored: float32), weight
// traces, the metabolic timeline, and
// duration, seed, synapse count and counters from summary.json. Files that are absent leave
// their part empty, keys absent from summary.json their defaults. Populations and state traces
// come in summary.json's population order, with the sizes it gives (without them, a
// population's size is its highest spiking node id + 1). energy.csv and rates.csv are not read.
// Throws UserError naming the file, the object and what was expected.
Results read_results(const std::filesystem::path& dir);

// Checks, without creating anything, that `dir` could be created or written: every part of it
// that exists is a directory and the deepest one lets this process create entries. Throws
// UserError naming the directory and the reason.
void check_output_directory(const std::filesystem::path& dir);

}  // namespace metabosim
