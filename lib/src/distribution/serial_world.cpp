// A build without MPI: one rank.
#include "distribution/communicator.hpp"
#include "metabosim/distribution/ranks.hpp"

namespace metabosim {

RankSession::RankSession(int&, char**&) {}
RankSession::~RankSession() = default;

Communicator& world() {
    static SerialCommunicator one;
    return one;
}

}  // namespace metabosim
