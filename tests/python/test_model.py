"""Models from Python: the TOML's names and units, values set through the library's readers with
its messages naming the field as Python code names it, dicts, configs, overrides, the built-in
networks, resizing and additions."""

import copy

import pytest

import metabosim as ms
from conftest import TINY


def message(call):
    with pytest.raises(ms.UserError) as error:
        call()
    return str(error.value)


def test_user_error_is_a_value_error():
    assert issubclass(ms.UserError, ValueError)
    assert issubclass(ms.InternalError, RuntimeError)


def test_builtin_networks_take_quantities_with_units():
    m = ms.microcircuit("41 degC", "2 s")
    assert m.populations["E"].temperature == 41
    assert m.run.duration == 2000
    assert m.neuron_count == 5000
    assert ms.microcircuit((32, "degC"), (0.5, "s")).run.duration == 500
    assert ms.coba("1 s").populations["E"].size == 3200
    # A bare number is not a temperature: the library says what it expected.
    assert message(lambda: ms.microcircuit(41)) == \
        'temperature: "41" has no unit, expected a temperature (e.g. "37 degC")'
    assert "temperature in [0, 50] degC" in message(lambda: ms.microcircuit("99 degC"))


def test_values_read_in_internal_units_and_set_with_units():
    m = ms.microcircuit()
    e = m.populations["E"]
    assert e.neuron.tau_e == 5
    e.neuron.tau_e = "4 ms"
    assert m.populations["E"].neuron.tau_e == 4
    e.neuron.C = (0.25, "nF")
    assert e.neuron.C == 250
    e.q10.gL = 2.5                       # dimensionless: a plain number, as in TOML
    assert e.q10.gL == 2.5
    m.projections["EE"].stdp.w_max = "10 nS"
    assert m.get("projections.EE.stdp.w_max") == 10
    m.run.seed = 7
    assert m.run.seed == 7
    e.size = 800
    assert e.size == 800
    # A drawn value has none of its own; its description says what it is.
    assert m.projections["EE"].delay is None
    assert m.projections["EE"]._view().delay.kind == "uniform"
    assert m.projections["EE"].pre == "E" and m.projections["IE"].receptor == "inhibitory"
    assert m.projections["EE"].stdp.pairing == "all_to_all"


def test_bad_values_raise_with_the_library_message_and_the_python_name():
    m = ms.microcircuit()
    assert message(lambda: setattr(m.populations["E"].neuron, "tau_e", "-5 ms")) == \
        'populations["E"].neuron.tau_e = "-5 ms": expected a positive time (e.g. "5 ms")'
    assert message(lambda: setattr(m.populations["E"], "temperature", "41 mV")) == \
        'populations["E"].temperature: "41 mV" is a voltage, expected a temperature (e.g. "37 degC")'
    assert message(lambda: setattr(m.run, "duration", 5)) == \
        'run.duration: "5" has no unit, expected a time (e.g. "20 ms")'
    assert message(lambda: m.set("populations.E.neuron.tau_e", "-5 ms")) == \
        'populations.E.neuron.tau_e = "-5 ms": expected a positive time (e.g. "5 ms")'
    assert message(lambda: setattr(m.populations["E"].neuron, "tau", "5 ms")).startswith(
        'populations["E"].neuron.tau = "5 ms": unknown setting; settable are run.duration')
    # Valid alone, not with the rest: validate()'s message after the field's name.
    assert message(lambda: setattr(m.populations["E"], "size", 3)).startswith(
        'populations["E"].size = "3": recording: states[0].neurons[3] = 3')
    for call in (lambda: setattr(m.populations["E"].neuron, "tau_e", "-5 ms"),
                 lambda: m.set("run.length=5 s"), lambda: setattr(m.run, "seed", -1)):
        assert "--set" not in message(call)
    with pytest.raises(ms.UserError, match=r"run.seed = True: .*not a bool"):
        m.run.seed = True
    # Refused changes leave the model as it was.
    assert m.populations["E"].neuron.tau_e == 5 and m.populations["E"].size == 4000
    with pytest.raises(KeyError, match="no population 'X'"):
        m.populations["X"]
    with pytest.raises(AttributeError, match="has no value 'tau'"):
        m.populations["E"].neuron.tau


def test_model_from_a_dict_is_read_by_the_config_reader():
    config = {
        "run": {"duration": "200 ms", "seed": 3},
        "populations": {
            "E": {"size": 40, "drive": {"rate": (600, "Hz"), "weight": "2 nS"},
                  "initial_V": {"distribution": "uniform", "low": "-60 mV", "high": "-50 mV"}},
            "I": {"size": 10, "neuron": {"tau_i": "8 ms"}},
        },
        "projections": {"EI": {"pre": "E", "post": "I", "connectivity": {"rule": "probability", "p": 0.2},
                               "weight": "4 nS"}},
        "generators": [{"name": "kick", "target": "I", "times": (range(10, 50, 10), "ms")}],
        "metabolism": {"steps": [{"time": "100 ms", "temperature": "41 degC"}]},
    }
    m = ms.Model(config)
    assert list(m.populations) == ["E", "I"]  # the dict's order is the neuron order
    assert m.populations["I"].neuron.tau_i == 8
    assert m.run.seed == 3
    assert list(m.generators[0].times) == [10, 20, 30, 40]
    assert m.metabolism[0].temperature == 41
    config["populations"]["E"]["neuron"] = {"C": "-200 pF"}
    assert message(lambda: ms.Model(config)) == \
        'model: populations.E.neuron.C = "-200 pF": expected a positive capacitance (e.g. "200 pF")'
    assert message(lambda: ms.Model({"populations": {"E": {"size": 4, "sise": 4}}}, name="net")) == \
        'net: populations.E.sise: unknown key; did you mean "size"?'
    assert message(lambda: ms.Model({"populations": {"E": {"sise": 4}}}, name="net")) == \
        'net: populations.E.size: missing, expected a positive integer (e.g. 4000) (is "sise" a misspelling of it?)'

    with pytest.raises(TypeError):
        ms.Model("[populations.E]")


def test_config_files_with_overrides():
    m = ms.load_config(TINY, overrides={"populations.E.temperature": "41 degC", "run.seed": 9})
    assert m.populations["E"].temperature == 41 and m.run.seed == 9
    m = ms.load_config(TINY, overrides=["run.duration=1 s"])
    assert m.run.duration == 1000
    assert "tiny.toml" not in message(lambda: ms.load_config(TINY, overrides={"run.duration": "-1 s"}))
    assert message(lambda: ms.load_config("/nonexistent.toml")) == 'cannot open config file "/nonexistent.toml"'
    text = TINY.read_text()
    assert ms.parse_config(text).populations["E"].size == 200
    assert message(lambda: ms.parse_config(text.replace('"4 nS"', '"-4 nS"', 1), name="t.toml")).startswith(
        "t.toml:18: projections.EE.weight")


def test_settings_list_paths_units_and_values():
    s = ms.microcircuit().settings()
    assert s["populations.E.neuron.tau_e"].unit == "ms"
    assert s["populations.E.neuron.tau_e"].dimension == "time"
    assert s["populations.E.neuron.tau_e"].expectation == 'a positive time (e.g. "5 ms")'
    assert s["run.seed"].dimension == "integer" and s["run.seed"].value == 1
    assert s["populations.E.energy.capacity"].value is None


def test_resize_copy_and_additions():
    m = ms.microcircuit()
    small = m.resize(1000)
    assert small.neuron_count == 1000 and m.neuron_count == 5000
    assert small.projections["EE"].connectivity.p == pytest.approx(0.1)
    twin = copy.deepcopy(small)
    twin.run.seed = 2
    assert small.run.seed == 1
    small.add_metabolic_step("500 ms", "41 degC", population="E")
    small.add_metabolic_ramp("600 ms", "800 ms", "41 degC", "32 degC", 4)
    assert [(s.time, s.population, s.temperature) for s in small.metabolism] == [
        (500, "E", 41), (600, "", 41), (650, "", 38.75), (700, "", 36.5), (750, "", 34.25), (800, "", 32)]
    assert "time = 2000 ms" in message(lambda: small.add_metabolic_step("2 s", "41 degC"))
    assert len(small.metabolism) == 6
    small.record_states("I", range(3), ["V", "gi"], "0.5 ms")
    assert small.recording.states[-1].interval == 0.5
    assert "an index below" in message(lambda: small.record_states("I", [10**6]))
    assert "each projection recorded once" in message(lambda: small.record_weights("EE"))
    assert message(lambda: ms.resize(m, 0)) == "neurons = 0: expected a positive integer below 2^32"


def test_spike_sources_from_a_dict():
    m = ms.Model({
        "run": {"duration": "500 ms", "seed": 4},
        "populations": {
            "In": {"size": 50, "source": {"kind": "poisson", "rate": "20 Hz",
                                          "steps": [{"time": "250 ms", "rate": "40 Hz"}]}},
            "Probe": {"size": 2, "source": {"kind": "array", "times": [([1, 7], "ms"), ["3 ms"]]}},
            "E": {"size": 5},
        },
        "projections": {"InE": {"pre": "In", "post": "E", "connectivity": {"rule": "all_to_all"},
                                "weight": "2 nS", "stdp": {"w_max": "4 nS"}}},
    })
    source = m.populations["In"].source
    assert source.kind == "poisson" and not source.temperature_scaled
    assert [(s.time, s.rate) for s in source.steps] == [(250, 40)]
    assert m.populations["Probe"].source.times == [[1, 7], [3]]
    assert m.populations["E"].source is None
    m.populations["In"].source.rate = "30 Hz"  # through the library's reader, as --set does
    assert m.populations["In"].source.rate == 30
    results = ms.run(m)
    # 50 sources at 30 Hz for 250 ms, then 40 Hz: 875 spikes expected
    assert abs(len(results.spikes["In"].times) - 875) < 5 * 875 ** 0.5
    assert list(results.spikes["Probe"].times) == [1, 3, 7]
    assert len(results.spikes["E"].times) > 0
    assert "is a spike source (source = ...), which has no membrane, drive" in message(lambda: ms.Model(
        {"populations": {"In": {"size": 1, "source": {"kind": "poisson"}, "drive": {"rate": "1 Hz"}}}}))
