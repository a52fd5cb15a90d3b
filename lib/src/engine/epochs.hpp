// Epochs and the spike arrivals that wait for them.
//
// The epoch grid: T_0 = 0, T_{e+1} = T_e + L by repeated addition, L no longer than the shortest
// delay. A spike at t >= T_e through a delay d >= L arrives at fl(t + d) >= fl(T_e + L) = T_{e+1}
// (rounded addition is monotonic): never in the epoch that emitted it, whatever the rounding.
// Within an epoch, then, every neuron's inputs are known, and neurons advance independently.
#pragma once

#include <cstdint>
#include <vector>

namespace metabosim {

class EpochGrid {
public:
    explicit EpochGrid(double length) : length_(length), starts_{0.0} {}

    double length() const { return length_; }
    // T_e; the grid must reach e (reach()).
    double start(std::uint64_t e) const { return starts_[e - base_]; }
    // Computes the grid up to T_e. Not thread-safe: call between epochs.
    void reach(std::uint64_t e);
    // Forgets the starts before T_e (they are not asked for again).
    void forget_before(std::uint64_t e);
    // The epoch of time t, given t >= T_from and the grid computed beyond t.
    std::uint64_t epoch_of(double t, std::uint64_t from) const;

private:
    double length_;
    std::uint64_t base_ = 0;        // epoch of starts_[0]
    std::vector<double> starts_;
};

// A spike arrival waiting for its epoch: its time, its tie order (projection << 40 | entry: the
// synapse's entry, network.hpp, which orders one neuron's arrivals as their synapse ids do) and
// its postsynaptic neuron (global id).
struct Arrival {
    double time;
    std::uint64_t order;
    std::uint32_t target;
};

// A spike to deliver at the epoch's end (16 bytes, no padding: ranks exchange them as bytes).
struct Fired {
    double time;
    std::uint32_t neuron;  // global id
    std::uint32_t zero = 0;
};

// Arrivals by (epoch, target partition, writer partition): each partition writes only its own
// buffers and reads only those addressed to it, so delivery needs no lock. A ring of epoch slots
// long enough for the longest delay.
class ArrivalBuckets {
public:
    ArrivalBuckets(std::size_t slots, unsigned partitions)
        : slots_(slots), partitions_(partitions), buffers_(slots * partitions * partitions) {}

    std::vector<Arrival>& buffer(std::uint64_t epoch, unsigned target, unsigned writer) {
        return buffers_[index(epoch, target, writer)];
    }
    const std::vector<Arrival>& buffer(std::uint64_t epoch, unsigned target, unsigned writer) const {
        return buffers_[index(epoch, target, writer)];
    }
    // The buffers that `writer` fills for `epoch`, by target partition.
    class Column {
    public:
        Column(std::vector<Arrival>* first, unsigned stride) : first_(first), stride_(stride) {}
        std::vector<Arrival>& operator[](unsigned target) const { return first_[std::size_t{target} * stride_]; }

    private:
        std::vector<Arrival>* first_;
        unsigned stride_;
    };
    Column column(std::uint64_t epoch, unsigned writer) { return {&buffers_[index(epoch, 0, writer)], partitions_}; }
    unsigned partitions() const { return partitions_; }
    std::size_t slots() const { return slots_; }

private:
    std::size_t index(std::uint64_t epoch, unsigned target, unsigned writer) const {
        return ((epoch % slots_) * partitions_ + target) * partitions_ + writer;
    }

    std::size_t slots_;
    unsigned partitions_;
    std::vector<std::vector<Arrival>> buffers_;
};

}  // namespace metabosim
