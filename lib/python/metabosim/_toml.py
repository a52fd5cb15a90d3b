"""A model given as a Python dict, written as TOML for the library's config reader.

Every table is written inline, one top-level key per line, so that the text is valid TOML
whatever the nesting; the reader keeps the order of the dict (population order fixes the
neuron indices). A quantity may be a (value, unit) pair; it becomes the string "value unit";
(numbers, unit) is a list of such quantities.
"""

import json
import numbers
import os
import re

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def quantity_text(value):
    """A quantity as the config reader takes it: "20 ms" as it is, (20, "ms") as "20.0 ms", a
    number as its shortest exact text (for dimensionless values and integers)."""
    if isinstance(value, str):
        return value
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], str):
        number, unit = value
        if isinstance(number, bool) or not isinstance(number, numbers.Real):
            raise TypeError(f"{value!r}: expected (number, unit), e.g. (20, \"ms\")")
        return f"{_number(number)} {unit}"
    if isinstance(value, bool):
        raise TypeError(f"{value!r}: expected a quantity such as \"20 ms\" or (20, \"ms\"), not a bool")
    if isinstance(value, numbers.Real):
        return _number(value)
    raise TypeError(f"{value!r}: expected a quantity such as \"20 ms\" or (20, \"ms\")")


def _number(value):
    if isinstance(value, numbers.Integral):
        return str(int(value))
    return repr(float(value))


def _key(key):
    if not isinstance(key, str):
        raise TypeError(f"key {key!r}: expected a string")
    return key if _BARE_KEY.match(key) else json.dumps(key)


def _value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, os.PathLike):
        return json.dumps(os.fspath(value), ensure_ascii=False)
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], str):
        number, unit = value
        if isinstance(number, numbers.Real) or isinstance(number, str):
            return json.dumps(quantity_text(value), ensure_ascii=False)
        return _value([(v, unit) for v in number])  # (numbers, unit): a list of quantities
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        if number != number:
            return "nan"
        if number in (float("inf"), float("-inf")):
            return "inf" if number > 0 else "-inf"
        return repr(number)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    if hasattr(value, "tolist"):  # a NumPy array or scalar
        return _value(value.tolist())
    if isinstance(value, (list, tuple, range)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"{value!r}: a config holds strings, numbers, booleans, lists and dicts")


def dumps(config):
    """The TOML text of `config`, a dict with the structure of docs/config.md."""
    if not isinstance(config, dict):
        raise TypeError(f"expected a dict with the structure of a config file, not {type(config).__name__}")
    return "".join(f"{_key(k)} = {_value(v)}\n" for k, v in config.items())
