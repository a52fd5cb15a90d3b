#include "experiments/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace metabosim::experiments {

void run_in_parallel(std::size_t count, unsigned threads, const std::function<void(std::size_t)>& task) {
    std::atomic<std::size_t> next{0};
    std::mutex mutex;
    std::exception_ptr failure;  // the first error of any thread
    const auto work = [&] {
        try {
            for (std::size_t k; (k = next++) < count;) task(k);
        } catch (...) {
            std::lock_guard lock(mutex);
            if (!failure) failure = std::current_exception();
            next = count;
        }
    };
    std::vector<std::thread> others;
    for (unsigned t = 1; t < std::max(1u, threads); ++t) others.emplace_back(work);
    work();
    for (auto& t : others) t.join();
    if (failure) std::rethrow_exception(failure);
}

}  // namespace metabosim::experiments
