#include "metabosim/distribution/ranks.hpp"

#include <new>
#include <string>

#include <fmt/format.h>

#include "distribution/communicator.hpp"
#include "metabosim/model/error.hpp"

namespace metabosim {

int rank() { return world().rank(); }
int rank_count() { return world().size(); }

void on_every_rank(const std::function<void()>& work) {
    std::exception_ptr failure;
    try {
        work();
    } catch (...) {
        failure = std::current_exception();
    }
    world().agree(failure);
}

// A failure travels as its kind (u: UserError, m: out of memory, i: anything else) and message.
void Communicator::agree(std::exception_ptr failure) {
    if (size() == 1 || !any(failure != nullptr)) {
        if (failure) std::rethrow_exception(failure);
        return;
    }
    std::string note;
    if (failure) {
        try {
            std::rethrow_exception(failure);
        } catch (const UserError& e) {
            note = std::string("u") + e.what();
        } catch (const std::bad_alloc&) {
            note = "m";
        } catch (const std::exception& e) {
            note = std::string("i") + e.what();
        } catch (...) {
            note = "ian unknown exception";
        }
    }
    std::vector<std::byte> all;
    std::vector<std::size_t> sizes;
    all_gather(std::as_bytes(std::span(note.data(), note.size())), all, sizes);
    std::size_t at = 0;
    for (int r = 0; r < size(); at += sizes[static_cast<std::size_t>(r)], ++r) {
        if (sizes[static_cast<std::size_t>(r)] == 0) continue;
        if (r == rank()) std::rethrow_exception(failure);
        const std::string first(reinterpret_cast<const char*>(all.data()) + at, sizes[static_cast<std::size_t>(r)]);
        if (first[0] == 'u') throw UserError(first.substr(1));
        if (first[0] == 'm') throw std::bad_alloc();
        throw InternalError(fmt::format("on rank {}: {}", r, first.substr(1)));
    }
}

}  // namespace metabosim
