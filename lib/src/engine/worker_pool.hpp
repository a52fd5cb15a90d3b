// Runs one function on every partition of a run at once: partition 0 in the calling thread, the
// others in threads that live as long as the pool. A call returns when every partition is done;
// an exception thrown by any is rethrown in the caller (the first by partition order).
#pragma once

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

    std::mutex mutex_;
    std::condition_variable start_, finished_;
    const std::function<void(unsigned)>* work_ = nullptr;
    std::uint64_t generation_ = 0;
    unsigned pending_ = 0;
    bool stopping_ = false;
    std::vector<std::exception_ptr> errors_;  // per partition, of the current call
    std::vector<std::thread> threads_;
};

}  // namespace metabosim
