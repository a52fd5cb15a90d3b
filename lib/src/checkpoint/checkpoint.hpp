// Checkpoint files: the complete state of a simulation, to go on from later.
//
// Layout: the 8 bytes "MSIMCKPT", the format version (uint32), then named sections, each a name
// followed by values (numbers in the machine's byte order, little-endian on every platform
// metabosim builds for; vectors and strings prefixed with their length), and last a CRC-32 of
// everything before it. A reader checks the magic, the version and the checksum before anything
// else, then each section's name and each vector's length against what remains, so a truncated or
// corrupted file is refused with a message, never read past its end.
#pragma once

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace metabosim {

// The checksum that ends a checkpoint file: CRC-32 of every byte before it.
std::uint32_t checkpoint_checksum(std::string_view bytes);

class CheckpointWriter {
public:
    CheckpointWriter();
    void section(std::string_view name) { put(std::string(name)); }

    template <class T>
    void put(const T& value) {
        static_assert(std::is_trivially_copyable_v<T>);
        bytes_.append(reinterpret_cast<const char*>(&value), sizeof value);
    }
    template <class T>
    void put(const std::vector<T>& values) {
        static_assert(std::is_trivially_copyable_v<T>);
        put(static_cast<std::uint64_t>(values.size()));
        bytes_.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
    }
    void put(const std::string& text) {
        put(static_cast<std::uint64_t>(text.size()));
        bytes_.append(text);
    }

    // Writes the file atomically: a temporary file beside it, synced, then renamed over it.
    // Throws UserError naming the file and the reason.
    void write(const std::filesystem::path& file) const;

private:
    std::string bytes_;
};

class CheckpointReader {
public:
    // Reads and checks the whole file (UserError: unreadable, not a checkpoint, another format
    // version, truncated or corrupted).
    explicit CheckpointReader(const std::filesystem::path& file);
    // The next section must be `name`.
    void section(std::string_view name);

    template <class T>
    T get() {
        static_assert(std::is_trivially_copyable_v<T>);
        T value;
        std::memcpy(&value, take(sizeof value, "a number"), sizeof value);
        return value;
    }
    template <class T>
    void get(std::vector<T>& values) {
        static_assert(std::is_trivially_copyable_v<T>);
        const auto n = get<std::uint64_t>();
        if (n > remaining() / sizeof(T)) fail("a list longer than the file");
        values.resize(n);
        const char* bytes = take(n * sizeof(T), "a list");
        if (n != 0) std::memcpy(values.data(), bytes, n * sizeof(T));  // an empty vector's data() may be null
    }
    // As get(values), when the list must have `size` entries (the model's: a mismatch means the
    // checkpoint is of another model).
    template <class T>
    void get_exactly(std::vector<T>& values, std::size_t size, std::string_view what) {
        get(values);
        if (values.size() != size) mismatch(what, values.size(), size);
    }
    std::string get_string();

    // Everything read: nothing left before the checksum.
    void finish() const;
    [[noreturn]] void fail(std::string_view what) const;
    [[noreturn]] void mismatch(std::string_view what, std::size_t found, std::size_t expected) const;

private:
    const char* take(std::size_t n, std::string_view what);
    std::size_t remaining() const { return end_ - at_; }

    std::string file_;
    std::string bytes_;
    std::size_t at_ = 0, end_ = 0;
};

}  // namespace metabosim
