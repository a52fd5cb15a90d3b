// HDF5 plumbing shared by the writers and readers of the library's files (internal).
//
// Every call is checked and every identifier owned, so that a failure anywhere surfaces as an
// exception and leaves no file open (an open file could not be removed cleanly).
#pragma once

#include <hdf5.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "metabosim/error.hpp"

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
    return reason.empty() ? "unknown HDF5 error" : reason;
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

// Identifiers and counts are stored as uint64 (SONATA's node id type), reals as float64.
template <class T>
std::pair<hid_t, hid_t> memory_and_file_type() {
    if constexpr (std::is_same_v<T, double>) {
        return {H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE};
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

    // `dims` defaults to one dimension holding all values.
    template <class T>
    void dataset(const std::string& path, const std::vector<T>& values,
                 std::vector<hsize_t> dims = {}) {
        if (dims.empty()) dims = {values.size()};
        hsize_t count = 1;
        for (hsize_t d : dims) count *= d;
        if (count != values.size()) {
            throw InternalError(fmt::format("HDF5 dataset {}: {} values for shape of {}", path,
                                            values.size(), count));
        }
        const auto [memory_type, file_type] = memory_and_file_type<T>();
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

    void close() { file_.close("cannot close the file"); }

private:
    Handle file_;
    Handle link_properties_;
    Handle dataset_properties_;
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
