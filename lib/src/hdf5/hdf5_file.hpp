// HDF5 plumbing shared by the writers and readers of the library's files (internal).
//
// Every call is checked and every identifier owned, so that a failure anywhere surfaces as an
// exception and leaves no file open (an open file could not be removed cleanly).
#pragma once

#include <hdf5.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "metabosim/model/error.hpp"

namespace metabosim::detail {

namespace fs = std::filesystem;


// The innermost message of HDF5's error stack is the most specific one (e.g. errno text).
inline std::string hdf5_reason() {
    std::string reason;
    H5Ewalk2(
        H5E_DEFAULT, H5E_WALK_UPWARD,
        [](unsigned n, const H5E_error2_t* error, void* out) -> herr_t {
            if (n == 0 && error->desc != nullptr) *static_cast<std::string*>(out) = error->desc;
            return 0;
        },
        &reason);
    H5Eclear2(H5E_DEFAULT);
    if (reason.empty()) return "unknown HDF5 error";
    // A failed system call comes with a timestamp, buffer addresses and sizes: its first words
    // and errno's text say it all ("file write failed: No space left on device").
    if (const auto at = reason.find("errno = "); at != std::string::npos)
        return fmt::format("{}: {}", reason.substr(0, reason.find(':')), std::strerror(std::atoi(reason.c_str() + at + 8)));
    return reason;
}

inline void check(herr_t status, std::string_view what) {
    if (status < 0) throw std::runtime_error(fmt::format("{}: {}", what, hdf5_reason()));
}

class Handle {
public:
    using Closer = herr_t (*)(hid_t);

    Handle(hid_t id, Closer closer, std::string_view what) : id_(id), closer_(closer) {
        if (id_ < 0) throw std::runtime_error(fmt::format("{}: {}", what, hdf5_reason()));
    }
    Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, -1)), closer_(other.closer_) {}
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    ~Handle() {
        if (id_ >= 0) closer_(id_);
    }

    hid_t id() const { return id_; }

    // Closing a file flushes it, so its failure must be reported, not swallowed.
    void close(std::string_view what) { check(closer_(std::exchange(id_, -1)), what); }

private:
    hid_t id_;
    Closer closer_;
};

// Identifiers and counts are stored as uint64 (SONATA's node id type), reals as float64, floats
// (SONATA report data) as float32. A dataset may ask for another file type (uint32 element ids).
template <class T>
std::pair<hid_t, hid_t> memory_and_file_type() {
    if constexpr (std::is_same_v<T, double>) {
        return {H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE};
    } else if constexpr (std::is_same_v<T, float>) {
        return {H5T_NATIVE_FLOAT, H5T_IEEE_F32LE};
    } else if constexpr (std::is_same_v<T, std::uint32_t>) {
        return {H5T_NATIVE_UINT32, H5T_STD_U64LE};
    } else {
        static_assert(std::is_same_v<T, std::uint64_t>);
        return {H5T_NATIVE_UINT64, H5T_STD_U64LE};
    }
}

// A new HDF5 file addressed by absolute object paths; missing parent groups are created.
class Hdf5Writer {
public:
    explicit Hdf5Writer(const fs::path& path)
        : file_(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose,
                "cannot create the file"),
          link_properties_(H5Pcreate(H5P_LINK_CREATE), H5Pclose, "H5Pcreate"),
          dataset_properties_(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "H5Pcreate") {
        check(H5Pset_create_intermediate_group(link_properties_.id(), 1),
              "H5Pset_create_intermediate_group");
        // No modification times in the file: same results, same bytes.
        check(H5Pset_obj_track_times(dataset_properties_.id(), 0), "H5Pset_obj_track_times");
    }

    // `dims` defaults to one dimension holding all values; `stored` to T's file type.
    template <class T>
    void dataset(const std::string& path, const std::vector<T>& values,
                 std::vector<hsize_t> dims = {}, hid_t stored = H5I_INVALID_HID) {
        if (dims.empty()) dims = {values.size()};
        hsize_t count = 1;
        for (hsize_t d : dims) count *= d;
        if (count != values.size()) {
            throw InternalError(fmt::format("HDF5 dataset {}: {} values for shape of {}", path,
                                            values.size(), count));
        }
        const auto [memory_type, default_type] = memory_and_file_type<T>();
        const hid_t file_type = stored == H5I_INVALID_HID ? default_type : stored;
        Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                     H5Sclose, "cannot create the dataspace of " + path);
        Handle set(H5Dcreate2(file_.id(), path.c_str(), file_type, space.id(),
                              link_properties_.id(), dataset_properties_.id(), H5P_DEFAULT),
                   H5Dclose, "cannot create dataset " + path);
        // HDF5 rejects a null buffer even for zero elements; an empty dataset needs no write.
        if (!values.empty()) {
            check(H5Dwrite(set.id(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
                  "cannot write dataset " + path);
        }
    }

    // A scalar variable-length UTF-8 string attribute (read as str by h5py).
    void attribute(const std::string& object, const std::string& name, const std::string& value) {
        const std::string what = "cannot write attribute " + object + "@" + name;
        Handle type(H5Tcopy(H5T_C_S1), H5Tclose, what);
        check(H5Tset_size(type.id(), H5T_VARIABLE), what);
        check(H5Tset_cset(type.id(), H5T_CSET_UTF8), what);
        Handle space(H5Screate(H5S_SCALAR), H5Sclose, what);
        Handle attr(H5Acreate_by_name(file_.id(), object.c_str(), name.c_str(), type.id(),
                                      space.id(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                    H5Aclose, what);
        const char* text = value.c_str();
        check(H5Awrite(attr.id(), type.id(), &text), what);
    }

    // SONATA's `sorting` attribute: an enum {none, by_id, by_time}, as libsonata reads it.
    void sorting_attribute(const std::string& object, std::uint8_t value) {
        const std::string what = "cannot write attribute " + object + "@sorting";
        Handle type(H5Tenum_create(H5T_NATIVE_UINT8), H5Tclose, what);
        const std::array<const char*, 3> names{"none", "by_id", "by_time"};
        for (std::uint8_t k = 0; k < names.size(); ++k) check(H5Tenum_insert(type.id(), names[k], &k), what);
        Handle space(H5Screate(H5S_SCALAR), H5Sclose, what);
        Handle attr(H5Acreate_by_name(file_.id(), object.c_str(), "sorting", type.id(), space.id(), H5P_DEFAULT,
                                      H5P_DEFAULT, H5P_DEFAULT),
                    H5Aclose, what);
        check(H5Awrite(attr.id(), type.id(), &value), what);
    }

    // A scalar numeric attribute, stored like datasets: float64 for double, uint64 for integers.
    template <class T>
    void number_attribute(const std::string& object, const std::string& name, T value) {
        const std::string what = "cannot write attribute " + object + "@" + name;
        const auto [memory_type, file_type] = memory_and_file_type<T>();
        Handle space(H5Screate(H5S_SCALAR), H5Sclose, what);
        Handle attr(H5Acreate_by_name(file_.id(), object.c_str(), name.c_str(), file_type, space.id(),
                                      H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                    H5Aclose, what);
        check(H5Awrite(attr.id(), memory_type, &value), what);
    }

    // The root attributes every SONATA HDF5 file carries (the developer guide's "Common
    // conventions"): magic, a uint32 0x0A7A, and version, the two uint32 of spec version 0.1.
    void sonata_root_attributes() {
        const std::uint32_t magic = 0x0A7A;
        const std::array<std::uint32_t, 2> version{0, 1};
        numbers_attribute("/", "magic", H5T_STD_U32LE, H5T_NATIVE_UINT32, &magic, 0);
        numbers_attribute("/", "version", H5T_STD_U32LE, H5T_NATIVE_UINT32, version.data(), version.size());
    }

    // SONATA's bool: an int8 of 1 or 0.
    void flag_attribute(const std::string& object, const std::string& name, bool value) {
        const std::int8_t flag = value ? 1 : 0;
        numbers_attribute(object, name, H5T_STD_I8LE, H5T_NATIVE_INT8, &flag, 0);
    }

    // A new group (for attributes, or one that may stay empty); missing parents are created.
    // It must come before any dataset inside it, which would create it implicitly.
    void group(const std::string& path) {
        const std::string what = "cannot create group " + path;
        Handle properties(H5Pcreate(H5P_GROUP_CREATE), H5Pclose, what);
        check(H5Pset_obj_track_times(properties.id(), 0), what);
        Handle created(H5Gcreate2(file_.id(), path.c_str(), link_properties_.id(), properties.id(), H5P_DEFAULT),
                       H5Gclose, what);
    }

    void close() { file_.close("cannot close the file"); }

private:
    // `count` values of `memory_type` stored as `file_type`; count 0 makes a scalar.
    void numbers_attribute(const std::string& object, const std::string& name, hid_t file_type, hid_t memory_type,
                           const void* values, hsize_t count) {
        const std::string what = "cannot write attribute " + object + "@" + name;
        Handle space(count == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &count, nullptr), H5Sclose, what);
        Handle attr(H5Acreate_by_name(file_.id(), object.c_str(), name.c_str(), file_type, space.id(), H5P_DEFAULT,
                                      H5P_DEFAULT, H5P_DEFAULT),
                    H5Aclose, what);
        check(H5Awrite(attr.id(), memory_type, values), what);
    }

    Handle file_;
    Handle link_properties_;
    Handle dataset_properties_;
};

// A dataset's values, row-major, and its shape (no dims for a scalar).
template <class T>
struct Array {
    std::vector<T> values;
    std::vector<hsize_t> dims;
};

// An existing HDF5 file, read-only, addressed by absolute object paths. Failures throw
// std::runtime_error naming the object; the caller knows the file and adds it.
class Hdf5Reader {
public:
    explicit Hdf5Reader(const fs::path& path)
        : file_(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose,
                "cannot open the file as HDF5") {}

    // H5Lexists fails, obscurely, below a missing link or a dataset, so each level is asked.
    bool exists(const std::string& path) const {
        for (auto end = path.find('/', 1);; end = path.find('/', end + 1)) {
            const std::string prefix = path.substr(0, end);
            const htri_t found = H5Lexists(file_.id(), prefix.c_str(), H5P_DEFAULT);
            check(found, "cannot look up " + prefix);
            if (found == 0) return false;
            if (end == std::string::npos) return true;
            open_existing(prefix, H5I_GROUP);
        }
    }

    // Member names in name order: the writers keep no creation order.
    std::vector<std::string> children(const std::string& group) const {
        const Handle id = open(group, H5I_GROUP);
        H5G_info_t info;
        check(H5Gget_info(id.id(), &info), "cannot list " + group);
        std::vector<std::string> names;
        for (hsize_t i = 0; i < info.nlinks; ++i) {
            const auto name_of = [&](char* buffer, std::size_t size) {
                const ssize_t length = H5Lget_name_by_idx(
                    id.id(), ".", H5_INDEX_NAME, H5_ITER_INC, i, buffer, size, H5P_DEFAULT);
                if (length < 0) {
                    throw std::runtime_error("cannot list " + group + ": " + hdf5_reason());
                }
                return static_cast<std::size_t>(length);
            };
            std::string& name = names.emplace_back(name_of(nullptr, 0), '\0');
            name_of(name.data(), name.size() + 1);
        }
        return names;
    }

    // Any integer or float dataset as T (integers only for integral T). HDF5 would clip values
    // outside T's range silently (a negative id becoming 0); here they are an error.
    template <class T>
    Array<T> read(const std::string& path) const {
        const Handle set = open(path, H5I_DATASET);
        const Handle type(H5Dget_type(set.id()), H5Tclose, "cannot read the type of " + path);
        const H5T_class_t stored = H5Tget_class(type.id());
        if (stored != H5T_INTEGER && !(std::is_floating_point_v<T> && stored == H5T_FLOAT)) {
            throw std::runtime_error(path + " does not hold " +
                                     (std::is_floating_point_v<T> ? "numbers" : "integers"));
        }
        const Handle space(H5Dget_space(set.id()), H5Sclose, "cannot read the shape of " + path);
        const int rank = H5Sget_simple_extent_ndims(space.id());
        check(rank, "cannot read the shape of " + path);
        Array<T> array{{}, std::vector<hsize_t>(static_cast<std::size_t>(rank))};
        check(H5Sget_simple_extent_dims(space.id(), array.dims.data(), nullptr),
              "cannot read the shape of " + path);
        array.values.resize(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.id())));
        if (array.values.empty()) return array;  // HDF5 rejects a null buffer

        const Handle transfer(H5Pcreate(H5P_DATASET_XFER), H5Pclose, "H5Pcreate");
        bool out_of_range = false;
        const H5T_conv_except_func_t abort_on_overflow =
            [](H5T_conv_except_t kind, hid_t, hid_t, void*, void*, void* flag) {
                if (kind != H5T_CONV_EXCEPT_RANGE_HI && kind != H5T_CONV_EXCEPT_RANGE_LOW) {
                    return H5T_CONV_UNHANDLED;
                }
                *static_cast<bool*>(flag) = true;
                return H5T_CONV_ABORT;
            };
        check(H5Pset_type_conv_cb(transfer.id(), abort_on_overflow, &out_of_range),
              "H5Pset_type_conv_cb");
        if (H5Dread(set.id(), memory_and_file_type<T>().first, H5S_ALL, H5S_ALL, transfer.id(),
                    array.values.data()) < 0) {
            const std::string reason = hdf5_reason();  // also clears HDF5's error stack
            if (!out_of_range) throw std::runtime_error("cannot read " + path + ": " + reason);
            throw std::runtime_error(fmt::format("{} has values outside [{}, {}]", path,
                                                 std::numeric_limits<T>::lowest(),
                                                 std::numeric_limits<T>::max()));
        }
        return array;
    }

    // A scalar string attribute, variable or fixed length (h5py writes either); none if absent.
    std::optional<std::string> string_attribute(const std::string& object,
                                                const std::string& name) const {
        const std::string what = object + "@" + name;
        const htri_t found =
            H5Aexists_by_name(file_.id(), object.c_str(), name.c_str(), H5P_DEFAULT);
        check(found, "cannot look up " + what);
        if (found == 0) return std::nullopt;
        const Handle attribute(H5Aopen_by_name(file_.id(), object.c_str(), name.c_str(),
                                               H5P_DEFAULT, H5P_DEFAULT),
                               H5Aclose, "cannot open " + what);
        const Handle type(H5Aget_type(attribute.id()), H5Tclose, "cannot read " + what);
        const Handle space(H5Aget_space(attribute.id()), H5Sclose, "cannot read " + what);
        if (H5Tget_class(type.id()) != H5T_STRING ||
            H5Sget_simple_extent_npoints(space.id()) != 1) {
            throw std::runtime_error(what + " is not a string");
        }
        if (H5Tis_variable_str(type.id()) > 0) {
            char* text = nullptr;
            check(H5Aread(attribute.id(), type.id(), &text), "cannot read " + what);
            std::string value = text != nullptr ? text : "";
            H5free_memory(text);
            return value;
        }
        std::string value(H5Tget_size(type.id()), '\0');
        check(H5Aread(attribute.id(), type.id(), value.data()), "cannot read " + what);
        value.erase(std::find(value.begin(), value.end(), '\0'), value.end());
        return value;
    }

private:
    Handle open(const std::string& path, H5I_type_t kind) const {
        if (!exists(path)) throw std::runtime_error(path + " is missing");
        return open_existing(path, kind);
    }

    Handle open_existing(const std::string& path, H5I_type_t kind) const {
        Handle object(H5Oopen(file_.id(), path.c_str(), H5P_DEFAULT), H5Oclose,
                      "cannot open " + path);
        if (H5Iget_type(object.id()) != kind) {
            throw std::runtime_error(fmt::format("{} is not a {}", path,
                                                 kind == H5I_GROUP ? "group" : "dataset"));
        }
        return object;
    }

    Handle file_;
};

// Names become HDF5 path components, where '/' would silently create nested groups.
inline const std::string& hdf5_name(const std::string& name) {
    if (name.empty() || name.find('/') != std::string::npos) {
        throw UserError(fmt::format("name '{}' cannot be an HDF5 group name (empty or has '/')",
                                    name));
    }
    return name;
}

}  // namespace metabosim::detail
