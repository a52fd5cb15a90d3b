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
// The SONATA files carry the root attributes magic and version; weights.h5, not a SONATA
// layout, does not. Files are written under temporary names and renamed only when all succeeded: a directory
// holds complete outputs or none of them.
#pragma once

#include <filesystem>

#include "metabosim/model/model.hpp"
#include "metabosim/recording/results.hpp"

namespace metabosim {

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

// Creates `dir` if needed and checks that files can be written in it, so that a long run does
// not end in an unwritable directory. Throws UserError naming the directory and the reason.
void check_output_directory(const std::filesystem::path& dir);

}  // namespace metabosim
