#include "checkpoint/checkpoint.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <boost/crc.hpp>
#include <cerrno>
#include <fstream>
#include <iterator>
#include <system_error>

#include <fmt/format.h>

#include "metabosim/model/error.hpp"

namespace metabosim {
namespace {

constexpr char magic[] = "MSIMCKPT";
constexpr std::size_t magic_size = 8;
constexpr std::uint32_t format_version = 3;  // 2: spike sources; 3: plastic synapses by entry

[[noreturn]] void cannot_write(const std::filesystem::path& file, std::string_view what) {
    throw UserError(fmt::format("checkpoint {}: cannot write it: {}", file.string(), what));
}

}  // namespace

std::uint32_t checkpoint_checksum(std::string_view bytes) {
    boost::crc_32_type crc;
    crc.process_bytes(bytes.data(), bytes.size());
    return crc.checksum();
}

CheckpointWriter::CheckpointWriter() {
    bytes_.append(magic, magic_size);
    put(format_version);
}

void CheckpointWriter::write(const std::filesystem::path& file) const {
    std::string data = bytes_;
    const std::uint32_t crc = checkpoint_checksum(data);
    data.append(reinterpret_cast<const char*>(&crc), sizeof crc);
    const std::filesystem::path temporary = file.string() + ".partial";
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) cannot_write(file, std::generic_category().message(errno));
    std::size_t written = 0;
    while (written < data.size()) {
        const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const std::string reason = std::generic_category().message(errno);
            ::close(fd);
            ::unlink(temporary.c_str());
            cannot_write(file, reason);
        }
        written += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        const std::string reason = std::generic_category().message(errno);
        ::unlink(temporary.c_str());
        cannot_write(file, reason);
    }
    if (::rename(temporary.c_str(), file.c_str()) != 0) {
        const std::string reason = std::generic_category().message(errno);
        ::unlink(temporary.c_str());
        cannot_write(file, reason);
    }
    // The rename is durable once the directory is synced.
    const std::filesystem::path dir = file.has_parent_path() ? file.parent_path() : ".";
    if (const int d = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); d >= 0) {
        ::fsync(d);
        ::close(d);
    }
}

CheckpointReader::CheckpointReader(const std::filesystem::path& file) : file_(file.string()) {
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec)) fail("is a directory, expected a checkpoint file");
    std::ifstream in(file, std::ios::binary);
    if (!in) throw UserError(fmt::format("checkpoint {}: cannot open it", file_));
    bytes_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (bytes_.size() < magic_size || bytes_.compare(0, magic_size, magic) != 0) fail("not a metabosim checkpoint");
    if (bytes_.size() < magic_size + sizeof(std::uint32_t) * 2) fail("truncated");
    end_ = bytes_.size() - sizeof(std::uint32_t);
    std::uint32_t stored;
    std::memcpy(&stored, bytes_.data() + end_, sizeof stored);
    at_ = magic_size;
    const auto version = get<std::uint32_t>();
    if (version != format_version)
        fail(fmt::format("format version {}; this metabosim reads version {}", version, format_version));
    if (checkpoint_checksum(std::string_view(bytes_).substr(0, end_)) != stored)
        fail("truncated or corrupted (its checksum does not match)");
}

const char* CheckpointReader::take(std::size_t n, std::string_view what) {
    if (n > remaining()) fail(fmt::format("truncated (in {})", what));
    const char* p = bytes_.data() + at_;
    at_ += n;
    return p;
}

std::string CheckpointReader::get_string() {
    const auto n = get<std::uint64_t>();
    if (n > remaining()) fail("a text longer than the file");
    return std::string(take(n, "a text"), n);
}

void CheckpointReader::section(std::string_view name) {
    const std::string found = get_string();
    if (found != name) fail(fmt::format("expected section \"{}\", found another", name));
}

void CheckpointReader::finish() const {
    if (at_ != end_) fail("has data after its last section");
}

void CheckpointReader::fail(std::string_view what) const {
    throw UserError(fmt::format("checkpoint {}: {}", file_, what));
}

void CheckpointReader::mismatch(std::string_view what, std::size_t found, std::size_t expected) const {
    fail(fmt::format("holds {} {} where the model has {}: it was written for another model", found, what, expected));
}

}  // namespace metabosim
