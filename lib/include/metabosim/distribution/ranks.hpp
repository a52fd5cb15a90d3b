// One model on several processes (MPI ranks): `mpirun -np N metabosim run CONFIG`. Each rank
// builds and advances its own share of the neurons; rank 0 writes the outputs, the same files as
// one process writes (docs/scaling.md). A build without MPI, or a program not started by mpirun,
// has one rank.
#pragma once

#include <functional>

namespace metabosim {

// MPI set up for as long as it lives (a program's main holds one before anything else); nothing
// in a build without MPI.
class RankSession {
public:
    RankSession(int& argc, char**& argv);
    ~RankSession();
    RankSession(const RankSession&) = delete;
    RankSession& operator=(const RankSession&) = delete;
};

// This process's rank and the number of ranks (0 and 1 on one process).
int rank();
int rank_count();

// Runs `work` on every rank and agrees on its outcome: when it throws on any rank, every rank
// throws the error of the lowest failing rank (a UserError stays one), so that all stop together
// with one message to show (rank 0's).
void on_every_rank(const std::function<void()>& work);

}  // namespace metabosim
