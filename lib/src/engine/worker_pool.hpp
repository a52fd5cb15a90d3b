// Runs one function on every partition of a run at once: partition 0 in the calling thread, the
// others in threads that live as long as the pool. A call returns when every partition is done;
// an exception thrown by any is rethrown in the caller (the first by partition order).
//
// An engine calls the pool twice per epoch, thousands of times a second, and an epoch's work is
// a millisecond or less: waking a sleeping thread costs tens of microseconds on many systems. So
// a thread that waits (for work, or for the others to finish) first spins a short while, and
// only then sleeps; it spins only while every thread of the pool can have a core of its own.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace metabosim {

class WorkerPool {
public:
    explicit WorkerPool(unsigned partitions);
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    unsigned size() const { return static_cast<unsigned>(errors_.size()); }
    void run(const std::function<void(unsigned partition)>& work);

private:
    void serve(unsigned partition);
    // Spins until done() holds or the spin is over; whether it holds.
    template <class Done>
    bool spin(Done done) const;

    std::mutex mutex_;
    std::condition_variable start_, finished_;
    const std::function<void(unsigned)>* work_ = nullptr;
    std::atomic<std::uint64_t> generation_ = 0;
    std::atomic<unsigned> pending_ = 0;
    bool stopping_ = false;
    std::vector<std::exception_ptr> errors_;  // per partition, of the current call
    std::vector<std::thread> threads_;
    bool spins_;  // whether a waiting thread spins before it sleeps
};

}  // namespace metabosim
