// Independent tasks spread over threads.
#pragma once

#include <cstddef>
#include <functional>

namespace metabosim::experiments {

// Calls task(k) once for each k < count, on `threads` threads (this one included), each taking
// the next k as it finishes one. After the first exception the other threads stop once their
// current task ends, and it is thrown again here.
void run_in_parallel(std::size_t count, unsigned threads, const std::function<void(std::size_t)>& task);

}  // namespace metabosim::experiments
