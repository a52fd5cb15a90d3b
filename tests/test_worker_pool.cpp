// The pool that runs an epoch's partitions: every partition once per call, whatever the pool's
// size against the cores (threads that spin while waiting, or sleep at once), and errors back.
#include <doctest/doctest.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "engine/worker_pool.hpp"

using namespace metabosim;

namespace {

// Many short calls, as an engine makes them: each partition adds its index + 1 to its own count.
void check_calls(unsigned partitions) {
    WorkerPool pool(partitions);
    std::vector<std::uint64_t> counts(partitions, 0);
    std::atomic<unsigned> running = 0, most_at_once = 0;
    constexpr int calls = 3000;
    for (int c = 0; c < calls; ++c) {
        pool.run([&](unsigned p) {
            const unsigned now = ++running;
            for (unsigned seen = most_at_once; now > seen && !most_at_once.compare_exchange_weak(seen, now);) {
            }
            counts[p] += p + 1;
            --running;
        });
        // Every call is over when run() returns: no partition still at work.
        REQUIRE(running == 0);
    }
    for (unsigned p = 0; p < partitions; ++p) CHECK(counts[p] == std::uint64_t{calls} * (p + 1));
    CHECK(most_at_once <= partitions);
}

}  // namespace

TEST_CASE("every partition runs exactly once per call") {
    check_calls(1);
    check_calls(2);
    // More threads than cores: they sleep instead of spinning, with the same outcome.
    check_calls(std::max(2u, std::thread::hardware_concurrency()) * 3);
}

TEST_CASE("an exception in a partition comes back to the caller, the first by partition order") {
    WorkerPool pool(3);
    const auto thrower = [](unsigned from) {
        return [from](unsigned p) {
            if (p >= from) throw std::runtime_error("partition " + std::to_string(p));
        };
    };
    CHECK_THROWS_WITH(pool.run(thrower(1)), "partition 1");
    CHECK_THROWS_WITH(pool.run(thrower(2)), "partition 2");
    CHECK_THROWS_WITH(pool.run(thrower(0)), "partition 0");
    // The pool is usable after an error, and the errors of earlier calls are gone.
    std::atomic<int> ran = 0;
    pool.run([&](unsigned) { ++ran; });
    CHECK(ran == 3);
}
