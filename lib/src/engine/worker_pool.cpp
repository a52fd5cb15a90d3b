#include "engine/worker_pool.hpp"

namespace metabosim {

WorkerPool::WorkerPool(unsigned partitions) : errors_(partitions) {
    for (unsigned p = 1; p < partitions; ++p) threads_.emplace_back([this, p] { serve(p); });
}

WorkerPool::~WorkerPool() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    start_.notify_all();
    for (auto& t : threads_) t.join();
}

void WorkerPool::run(const std::function<void(unsigned)>& work) {
    {
        std::lock_guard lock(mutex_);
        work_ = &work;
        pending_ = size() - 1;
        ++generation_;
        for (auto& e : errors_) e = nullptr;
    }
    start_.notify_all();
    try {
        work(0);
    } catch (...) {
        errors_[0] = std::current_exception();
    }
    std::unique_lock lock(mutex_);
    finished_.wait(lock, [&] { return pending_ == 0; });
    work_ = nullptr;
    for (const auto& e : errors_)
        if (e) std::rethrow_exception(e);
}

void WorkerPool::serve(unsigned partition) {
    std::uint64_t seen = 0;
    while (true) {
        const std::function<void(unsigned)>* work;
        {
            std::unique_lock lock(mutex_);
            start_.wait(lock, [&] { return stopping_ || generation_ != seen; });
            if (stopping_) return;
            seen = generation_;
            work = work_;
        }
        try {
            (*work)(partition);
        } catch (...) {
            errors_[partition] = std::current_exception();
        }
        {
            std::lock_guard lock(mutex_);
            --pending_;
        }
        finished_.notify_one();
    }
}

}  // namespace metabosim
