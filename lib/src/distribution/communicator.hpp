// What the ranks of a run say to each other: the few collective operations the engine needs, over
// MPI or within one process. Every rank calls each collective in the same order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <span>
#include <type_traits>
#include <vector>

namespace metabosim {

class Communicator {
public:
    virtual ~Communicator() = default;
    virtual int rank() const = 0;
    virtual int size() const = 0;

    // Every rank's bytes, concatenated in rank order, on every rank; sizes[r]: rank r's count.
    virtual void all_gather(std::span<const std::byte> local, std::vector<std::byte>& all,
                            std::vector<std::size_t>& sizes) = 0;
    // The same on rank 0 only (the others receive nothing).
    virtual void gather(std::span<const std::byte> local, std::vector<std::byte>& all, std::vector<std::size_t>& sizes) = 0;
    // Element-wise sums over the ranks, on every rank (integers: exact in any order).
    virtual void sum(std::span<std::uint64_t> values) = 0;
    virtual double min(double value) = 0;
    virtual double max(double value) = 0;
    virtual bool any(bool value) = 0;

    // Each rank's failure (or none): when any rank failed, every rank throws the error of the
    // lowest failing rank, that rank its own exception.
    void agree(std::exception_ptr failure);

    // Typed forms of the gathers, for trivially copyable T; counts[r]: rank r's number of items.
    template <class T>
    std::vector<T> all_gather(const std::vector<T>& local, std::vector<std::size_t>* counts = nullptr) {
        return typed(local, counts, true);
    }
    template <class T>
    std::vector<T> gather(const std::vector<T>& local, std::vector<std::size_t>* counts = nullptr) {
        return typed(local, counts, false);
    }

private:
    template <class T>
    std::vector<T> typed(const std::vector<T>& local, std::vector<std::size_t>* counts, bool everyone) {
        static_assert(std::is_trivially_copyable_v<T>);
        std::vector<std::byte> bytes;
        std::vector<std::size_t> sizes;
        const std::span<const std::byte> mine(reinterpret_cast<const std::byte*>(local.data()), local.size() * sizeof(T));
        everyone ? all_gather(mine, bytes, sizes) : gather(mine, bytes, sizes);
        std::vector<T> out(bytes.size() / sizeof(T));
        if (!bytes.empty()) std::memcpy(out.data(), bytes.data(), bytes.size());
        if (counts) {
            counts->clear();
            for (std::size_t s : sizes) counts->push_back(s / sizeof(T));
        }
        return out;
    }
};

// One process: every collective returns what it was given.
class SerialCommunicator final : public Communicator {
public:
    int rank() const override { return 0; }
    int size() const override { return 1; }
    void all_gather(std::span<const std::byte> local, std::vector<std::byte>& all, std::vector<std::size_t>& sizes) override {
        all.assign(local.begin(), local.end());
        sizes = {local.size()};
    }
    void gather(std::span<const std::byte> local, std::vector<std::byte>& all, std::vector<std::size_t>& sizes) override {
        all_gather(local, all, sizes);
    }
    void sum(std::span<std::uint64_t>) override {}
    double min(double value) override { return value; }
    double max(double value) override { return value; }
    bool any(bool value) override { return value; }
};

// The ranks of this program (MPI's world when it runs on several, else one process).
Communicator& world();

}  // namespace metabosim
