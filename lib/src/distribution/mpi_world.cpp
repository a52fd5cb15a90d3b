// The ranks over MPI. Collectives are called from the main thread only (the engine's worker
// threads never communicate): MPI_THREAD_FUNNELED.
#define OMPI_SKIP_MPICXX 1  // the C API only: no C++ bindings and their warnings
#include <mpi.h>

#include <algorithm>
#include <climits>

#include "distribution/communicator.hpp"
#include "metabosim/distribution/ranks.hpp"
#include "metabosim/model/error.hpp"

namespace metabosim {
namespace {

bool we_initialized = false;

// Messages go in pieces of at most this many bytes (MPI counts are int).
constexpr std::size_t piece = std::size_t{1} << 30;

class MpiCommunicator final : public Communicator {
public:
    MpiCommunicator() {
        MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
        MPI_Comm_size(MPI_COMM_WORLD, &size_);
    }
    int rank() const override { return rank_; }
    int size() const override { return size_; }

    void all_gather(std::span<const std::byte> local, std::vector<std::byte>& all, std::vector<std::size_t>& sizes) override {
        const auto mine = static_cast<unsigned long long>(local.size());
        std::vector<unsigned long long> counts(static_cast<std::size_t>(size_));
        MPI_Allgather(&mine, 1, MPI_UNSIGNED_LONG_LONG, counts.data(), 1, MPI_UNSIGNED_LONG_LONG, MPI_COMM_WORLD);
        sizes.assign(counts.begin(), counts.end());
        std::vector<int> ints(sizes.size()), displacements(sizes.size());
        std::size_t total = 0;
        for (std::size_t r = 0; r < sizes.size(); ++r) {
            displacements[r] = static_cast<int>(total);
            ints[r] = static_cast<int>(sizes[r]);
            total += sizes[r];
            if (total > INT_MAX)
                throw UserError("the ranks exchange more than 2 GiB at once; run with shorter epochs or more memory per rank");
        }
        all.resize(total);
        MPI_Allgatherv(local.data(), ints[static_cast<std::size_t>(rank_)], MPI_BYTE, all.data(), ints.data(),
                       displacements.data(), MPI_BYTE, MPI_COMM_WORLD);
    }

    // Point to point, in pieces: what rank 0 gathers (every weight of a projection) can exceed
    // what one MPI message counts.
    void gather(std::span<const std::byte> local, std::vector<std::byte>& all, std::vector<std::size_t>& sizes) override {
        const auto mine = static_cast<unsigned long long>(local.size());
        std::vector<unsigned long long> counts(static_cast<std::size_t>(size_));
        MPI_Gather(&mine, 1, MPI_UNSIGNED_LONG_LONG, counts.data(), 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
        all.clear();
        sizes.clear();
        if (rank_ != 0) {
            for (std::size_t at = 0; at < local.size(); at += piece)
                MPI_Send(local.data() + at, static_cast<int>(std::min(piece, local.size() - at)), MPI_BYTE, 0, 0, MPI_COMM_WORLD);
            return;
        }
        sizes.assign(counts.begin(), counts.end());
        std::size_t total = 0;
        for (std::size_t s : sizes) total += s;
        all.resize(total);
        std::copy(local.begin(), local.end(), all.begin());
        std::size_t offset = sizes[0];
        for (int r = 1; r < size_; ++r) {
            const std::size_t n = sizes[static_cast<std::size_t>(r)];
            for (std::size_t at = 0; at < n; at += piece)
                MPI_Recv(all.data() + offset + at, static_cast<int>(std::min(piece, n - at)), MPI_BYTE, r, 0, MPI_COMM_WORLD,
                         MPI_STATUS_IGNORE);
            offset += n;
        }
    }

    void sum(std::span<std::uint64_t> values) override {
        static_assert(sizeof(unsigned long long) == sizeof(std::uint64_t));
        if (!values.empty())
            MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()), MPI_UNSIGNED_LONG_LONG, MPI_SUM,
                          MPI_COMM_WORLD);
    }
    double min(double value) override { return reduce(value, MPI_MIN); }
    double max(double value) override { return reduce(value, MPI_MAX); }
    bool any(bool value) override {
        int flag = value ? 1 : 0;
        MPI_Allreduce(MPI_IN_PLACE, &flag, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD);
        return flag != 0;
    }

private:
    double reduce(double value, MPI_Op op) {
        MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_DOUBLE, op, MPI_COMM_WORLD);
        return value;
    }

    int rank_ = 0, size_ = 1;
};

}  // namespace

RankSession::RankSession(int& argc, char**& argv) {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (initialized) return;
    int provided = 0;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    we_initialized = true;
}

RankSession::~RankSession() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (we_initialized && !finalized) MPI_Finalize();
}

// MPI's world when it was set up with several ranks; one process otherwise (a test, a program
// embedding the library, a run without mpirun).
Communicator& world() {
    static SerialCommunicator one;
    int initialized = 0, finalized = 0;
    MPI_Initialized(&initialized);
    MPI_Finalized(&finalized);
    if (!initialized || finalized) return one;
    static MpiCommunicator mpi;
    return mpi.size() > 1 ? static_cast<Communicator&>(mpi) : one;
}

}  // namespace metabosim
