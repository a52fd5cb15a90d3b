// NumPy arrays over the library's vectors, without copies: each array is a read-only view whose
// base is the Python object that owns the vector (a Results, or a part of one kept alive by it),
// so the memory lives as long as any array over it.
#pragma once

#include <cstdint>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

namespace metabosim::python {

namespace py = pybind11;

// A read-only view of `data` with `shape` (C order unless `strides`, in bytes, are given),
// owned by `owner`. An empty view is a fresh empty array.
template <class T>
py::array view(const T* data, std::vector<py::ssize_t> shape, py::handle owner,
               std::vector<py::ssize_t> strides = {}) {
    py::array array(py::dtype::of<T>(), std::move(shape), std::move(strides), data, owner);
    py::detail::array_proxy(array.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
    return array;
}

template <class T>
py::array view(const std::vector<T>& v, py::handle owner) {
    return view(v.data(), {static_cast<py::ssize_t>(v.size())}, owner);
}

// A one-dimensional array (or any sequence of numbers) copied into a vector, for the library's
// functions that take vectors.
template <class T>
std::vector<T> to_vector(const py::array_t<T, py::array::c_style | py::array::forcecast>& a) {
    if (a.ndim() != 1) throw py::value_error("expected a one-dimensional array");
    return {a.data(), a.data() + a.size()};
}

}  // namespace metabosim::python
