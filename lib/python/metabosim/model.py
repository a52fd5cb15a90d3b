"""Models with the TOML's names and units.

A Model is built from a dict with the structure of a config file (docs/config.md), loaded from
TOML, or made by the built-in networks; its values are read and set by their key paths through
the library (the same readers, bounds and messages as a config file). Quantities are strings
with their unit ("20 ms") or (value, unit) pairs; plain numbers only where the TOML takes them
(dimensionless values, counts). Values read back are numbers in the internal units: ms, mV, nS,
pF, pA, Hz, degC.
"""

import numbers
import os
from collections.abc import Mapping

from . import _core
from ._toml import dumps, quantity_text

UserError = _core.UserError


def quantity(value, dimension, name):
    """`value` ("20 ms", (20, "ms")) in the internal unit of `dimension` ("time", "voltage",
    "conductance", "capacitance", "current", "rate", "temperature", "dimensionless"); UserError
    naming `name` if it is not one."""
    try:
        return _core.parse_quantity(quantity_text(value), dimension)
    except (_core.UserError, TypeError) as error:
        raise UserError(f"{name}: {error}") from None


def quantities(values, dimension, name):
    """A list of quantities: each as quantity() takes it, or (numbers, unit) for all at once."""
    if isinstance(values, tuple) and len(values) == 2 and isinstance(values[1], str) and not isinstance(
        values[0], (int, float, str)
    ):
        numbers, unit = values
        values = [(v, unit) for v in numbers]
    return [quantity(v, dimension, f"{name}[{k}]") for k, v in enumerate(values)]


class Table:
    """One table of a model ([populations.E], [populations.E.neuron], [projections.EE.stdp], ...).

    Its settable values are attributes with the TOML's names: reading one gives its value in the
    internal unit (None where the model has none: no drive yet, a value drawn from a
    distribution); setting one takes a quantity and is checked by the library. Its sub-tables are
    attributes too; what cannot be set one value at a time (names, distributions, lists) is read
    from the library's description of the table.
    """

    def __init__(self, model, path, name, view):
        object.__setattr__(self, "_model", model)
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_view", view)

    def _keys(self):
        prefix = self._path + "."
        return {path[len(prefix):].split(".")[0] for path in self._model.settings() if path.startswith(prefix)}

    def __getattr__(self, key):
        if key.startswith("_"):
            raise AttributeError(key)
        path = f"{self._path}.{key}"
        settings = self._model.settings()
        if path in settings:
            return settings[path].value
        if any(p.startswith(path + ".") for p in settings):
            view = self._view
            return Table(self._model, path, f"{self._name}.{key}", lambda: getattr(view(), key, None))
        view = self._view()
        if view is not None and not key.startswith("_") and hasattr(view, key):
            return getattr(view, key)
        raise AttributeError(f"{self._name} has no value {key!r} (it has: {', '.join(sorted(dir(self)))})")

    def __setattr__(self, key, value):
        self._model._set(f"{self._path}.{key}", value, f"{self._name}.{key}")

    def __dir__(self):
        view = self._view()
        described = [k for k in dir(view) if not k.startswith("_")] if view is not None else []
        return sorted(self._keys() | set(described))

    def __repr__(self):
        prefix = self._path + "."
        values = ", ".join(
            f"{path[len(prefix):]}={s.value!r}"
            for path, s in self._model.settings().items()
            if path.startswith(prefix) and "." not in path[len(prefix):]
        )
        return f"<{self._name}: {values}>"


class Tables(Mapping):
    """The named tables of a model ([populations.*] or [projections.*]), by name, in order."""

    def __init__(self, model, key):
        self._model = model
        self._key = key

    def _views(self):
        return {v.name: v for v in getattr(self._model._core, self._key)}

    def __getitem__(self, name):
        views = self._views()
        if name not in views:
            raise KeyError(f"no {self._key[:-1]} {name!r} (known: {', '.join(views)})")
        return Table(self._model, f"{self._key}.{name}", f'{self._key}["{name}"]',
                     lambda: self._views().get(name))

    def __iter__(self):
        return iter(self._views())

    def __len__(self):
        return len(getattr(self._model._core, self._key))

    def __repr__(self):
        return f"<{self._key}: {', '.join(self)}>"


class Model:
    """A network description.

    Model(config, name="model"): from a dict with the structure of a TOML config file
    (docs/config.md), e.g. {"run": {"duration": "1 s"}, "populations": {"E": {"size": 100}}};
    quantities as "20 ms" or (20, "ms"). Bad values raise UserError (a ValueError) with the
    config reader's message, naming `name` and the key path.
    """

    def __init__(self, config, *, name="model"):
        if not isinstance(config, Mapping):
            raise TypeError(
                "Model(config): expected a dict with the structure of a config file; "
                "load_config(path) reads a TOML file, parse_config(text) TOML text"
            )
        self._core = _core.parse_generated_config(dumps(dict(config)), name)

    @classmethod
    def _wrap(cls, core):
        model = cls.__new__(cls)
        model._core = core
        return model

    # ---- values by key path ----------------------------------------------------------------

    def settings(self):
        """Every value set() can change: {path: Setting(path, value, unit, dimension, expectation)}."""
        return {s.path: s for s in self._core.settings()}

    def get(self, path):
        """The value at `path` ("populations.E.temperature") in the internal unit, or None."""
        settings = self.settings()
        if path not in settings:
            raise KeyError(f"{path}: not a setting of this model (see Model.settings())")
        return settings[path].value

    def set(self, path, value=None):
        """Sets one value by its key path, as `metabosim run --set` does:
        set("populations.E.temperature", "41 degC"), set("run.seed", 3),
        set("populations.E.temperature=41 degC"), or several: set({path: value, ...}).
        The model is validated again; a refused value leaves it unchanged (UserError)."""
        if isinstance(path, Mapping):
            for key, v in path.items():
                self._set(key, v, key)
            return
        if value is None:
            key, equals, text = path.partition("=")
            if not equals:
                raise UserError(f"{path}: expected key.path=value or set(path, value)")
            self._set(key.strip(), text.strip(), key.strip())
            return
        self._set(path, value, path)

    def _set(self, path, value, name):
        try:
            text = quantity_text(value)
        except TypeError as error:
            raise UserError(f"{name} = {value!r}: {error}") from None
        self._core.set(path, text, name)

    # ---- the tables ------------------------------------------------------------------------

    @property
    def run(self):
        """[run]: duration, seed."""
        return Table(self, "run", "run", lambda: None)

    @property
    def populations(self):
        """[populations.<name>] by name: populations["E"].temperature, .neuron.tau_e, ..."""
        return Tables(self, "populations")

    @property
    def projections(self):
        """[projections.<name>] by name: projections["EE"].weight, .stdp.w_max, ..."""
        return Tables(self, "projections")

    @property
    def generators(self):
        return list(self._core.generators)

    @property
    def metabolism(self):
        """The metabolic steps (ms, degC), ramps as their steps."""
        return list(self._core.metabolism)

    @property
    def recording(self):
        return self._core.recording

    @property
    def neuron_count(self):
        return self._core.neuron_count

    # ---- additions -------------------------------------------------------------------------

    def add_metabolic_step(self, time, temperature, population=None):
        """At `time` ("1 s") `population` (None: every population) moves to `temperature`."""
        step = _core.MetabolicStep(
            quantity(time, "time", "time"), quantity(temperature, "temperature", "temperature"), population or ""
        )
        self._core.add_metabolic_steps([step])

    def add_metabolic_ramp(self, start, stop, from_temperature, to_temperature, steps, population=None):
        """A ramp from `from_temperature` at `start` to `to_temperature` at `stop` in `steps` steps."""
        ramp = _core.metabolic_ramp(
            quantity(start, "time", "start"),
            quantity(stop, "time", "stop"),
            quantity(from_temperature, "temperature", "from_temperature"),
            quantity(to_temperature, "temperature", "to_temperature"),
            steps,
            population or "",
        )
        self._core.add_metabolic_steps(ramp)

    def record_states(self, population, neurons, variables=("V",), interval="1 ms"):
        """Samples `variables` (V, ge, gi) of `neurons` (local indices) every `interval`."""
        self._core.add_state_recording(
            population, [int(n) for n in neurons], list(variables), quantity(interval, "time", "interval")
        )

    def record_weights(self, projection, interval="100 ms", bins=50, final=True):
        """Weight statistics of `projection` every `interval`, and every weight at the end."""
        self._core.add_weight_recording(projection, quantity(interval, "time", "interval"), bins, final)

    # ---- whole models ----------------------------------------------------------------------

    def validate(self):
        """Checks the model as a run would (UserError)."""
        self._core.validate()

    def copy(self):
        return Model._wrap(self._core.copy())

    __copy__ = copy

    def __deepcopy__(self, memo):
        return self.copy()

    def resize(self, neurons):
        """This model with `neurons` neurons in all, each keeping its expected inputs."""
        return resize(self, neurons)

    def export_brian2(self, directory):
        """network.h5 and run_brian2.py: this model as Brian2 runs it (docs/comparison.md)."""
        _core.export_brian2(self._core, os.fspath(directory))

    def __repr__(self):
        pops = ", ".join(f"{p.name}: {self.get(f'populations.{p.name}.size')}" for p in self._core.populations)
        return (
            f"Model({pops}; {len(self._core.projections)} projections; "
            f"{self._core.duration:g} ms, seed {self._core.seed})"
        )


def load_config(path, overrides=None):
    """The model of a TOML config file, with overrides as `--set` takes them: a dict
    {"populations.E.temperature": "41 degC"} or a list of "key.path=value" strings."""
    model = Model._wrap(_core.load_config(os.fspath(path)))
    _override(model, overrides)
    return model


def parse_config(text, name="<string>", base_dir=".", overrides=None):
    """The model of TOML text; `name` is shown in messages, `base_dir` resolves relative paths."""
    model = Model._wrap(_core.parse_config(text, name, os.fspath(base_dir)))
    _override(model, overrides)
    return model


def _override(model, overrides):
    if overrides is None:
        return
    if isinstance(overrides, Mapping):
        model.set(overrides)
        return
    if isinstance(overrides, str):
        overrides = [overrides]
    for assignment in overrides:
        model.set(assignment)


def microcircuit(temperature="37 degC", duration="1 s"):
    """The metaboplastic microcircuit (4000 E + 1000 I, plastic E->E) at `temperature`."""
    model = Model._wrap(
        _core.microcircuit(quantity(temperature, "temperature", "temperature"), quantity(duration, "time", "duration"))
    )
    model.validate()
    return model


def coba(duration="1 s"):
    """Brette et al. (2007) COBA benchmark with the microcircuit's Poisson drive."""
    model = Model._wrap(_core.coba(quantity(duration, "time", "duration")))
    model.validate()
    return model


def resize(model, neurons):
    """`model` with `neurons` neurons in all, populations in proportion, each neuron keeping its
    expected number of inputs (docs/model.md, "Resizing")."""
    if isinstance(neurons, bool) or not isinstance(neurons, numbers.Integral) or not 1 <= neurons < 2**32:
        raise UserError(f"neurons = {neurons!r}: expected a positive integer below 2^32")
    resized = Model._wrap(_core.resize(model._core, int(neurons)))
    resized.validate()
    return resized
