#include "engine/worker_pool.hpp"

#include <chrono>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace metabosim {
namespace {

// Longer than a wake-up, short beside an epoch's work.
constexpr auto spin_time = std::chrono::microseconds(50);

void relax() {
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#else
    std::this_thread::yield();
#endif
}

}  // namespace

WorkerPool::WorkerPool(unsigned partitions)
    : errors_(partitions), spins_(partitions <= std::thread::hardware_concurrency()) {
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

template <class Done>
bool WorkerPool::spin(Done done) const {
    if (!spins_) return done();
    const auto deadline = std::chrono::steady_clock::now() + spin_time;
    do {
        for (int i = 0; i < 64; ++i) {
            if (done()) return true;
            relax();
        }
    } while (std::chrono::steady_clock::now() < deadline);
    return done();
}

void WorkerPool::run(const std::function<void(unsigned)>& work) {
    for (auto& e : errors_) e = nullptr;
    work_ = &work;
    pending_.store(size() - 1, std::memory_order_relaxed);
    {
        // Under the lock, so that a thread about to sleep sees the new generation or is woken.
        std::lock_guard lock(mutex_);
        generation_.fetch_add(1, std::memory_order_release);
    }
    start_.notify_all();
    try {
        work(0);
    } catch (...) {
        errors_[0] = std::current_exception();
    }
    const auto all_done = [&] { return pending_.load(std::memory_order_acquire) == 0; };
    if (!spin(all_done)) {
        std::unique_lock lock(mutex_);
        finished_.wait(lock, all_done);
    }
    work_ = nullptr;
    for (const auto& e : errors_)
        if (e) std::rethrow_exception(e);
}

void WorkerPool::serve(unsigned partition) {
    std::uint64_t seen = 0;
    while (true) {
        const auto started = [&] { return generation_.load(std::memory_order_acquire) != seen; };
        if (!spin(started)) {
            std::unique_lock lock(mutex_);
            start_.wait(lock, [&] { return stopping_ || started(); });
            if (stopping_) return;
        }
        seen = generation_.load(std::memory_order_acquire);
        try {
            (*work_)(partition);
        } catch (...) {
            errors_[partition] = std::current_exception();
        }
        if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
            { std::lock_guard lock(mutex_); }  // the caller either sees pending_ == 0 or is woken
            finished_.notify_one();
        }
    }
}

}  // namespace metabosim
