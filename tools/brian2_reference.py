#!/usr/bin/python3
"""Reference statistics from Brian2 (clock-driven) for metabosim's two built-in networks.

  coba          configs/coba.toml: 3200 E + 800 I, 6/67 nS, 1 ms delays, 600 Hz x 2 nS Poisson drive
  microcircuit  the default model: 4000 E + 1000 I, plastic E->E (4 nS, STDP up to 12 nS),
                4/51 nS otherwise, delays uniform in [1, 2] ms, the same drive

Each network is built by Brian2 from its own seed (connectivity, initial V and drive are not
metabosim's draws), so compare statistics over seeds, not spikes.

Usage: tools/brian2_reference.py {coba,microcircuit} [--dts 0.1,0.025] [--seeds 1,2,3] [--duration 1]
"""
import argparse
import time
import warnings

import numpy as np

warnings.filterwarnings('ignore')
import brian2  # noqa: E402
from brian2 import (NeuronGroup, Network, PoissonInput, SpikeMonitor, Synapses, defaultclock, ms, mV, nS,
                    pF, prefs, second, seed)  # noqa: E402

STDP = dict(model='''w : siemens
                     dapre/dt = -apre/taupre : siemens (event-driven)
                     dapost/dt = -apost/taupost : siemens (event-driven)''',
            on_pre='''ge_post += w
                      apre += Aplus
                      w = clip(w + apost, 0*nS, wmax)''',
            on_post='''apost += Aminus
                       w = clip(w + apre, 0*nS, wmax)''')
NETWORKS = {  # sizes, (excitatory, inhibitory) weight in nS, delay
    'coba': dict(NE=3200, NI=800, we=6, wi=67, delay='1*ms', plastic=False),
    'microcircuit': dict(NE=4000, NI=1000, we=4, wi=51, delay='1*ms + rand()*1*ms', plastic=True),
}


def mean_cv(i, t, lo, hi):
    """Mean CV of the interspike intervals of cells in [lo, hi) with >= 3 spikes (population sd)."""
    cvs = []
    for n in range(lo, hi):
        isi = np.diff(np.sort(t[i == n]))
        if len(isi) >= 2:
            cvs.append(isi.std() / isi.mean())
    return np.mean(cvs)


def run(net_spec, dt_ms, s, duration):
    brian2.start_scope()
    defaultclock.dt = dt_ms * ms
    seed(s)
    np.random.seed(s)
    NE, NI = net_spec['NE'], net_spec['NI']
    C, gL, EL, Ee, Ei, taue, taui = 200 * pF, 10 * nS, -60 * mV, 0 * mV, -80 * mV, 5 * ms, 10 * ms
    taupre, taupost, wmax = 16.8 * ms, 33.7 * ms, 12 * nS  # noqa: F841 (used by the STDP strings)
    Aplus = 0.01 * wmax
    Aminus = -1.05 * Aplus * taupre / taupost  # noqa: F841
    P = NeuronGroup(NE + NI, '''dv/dt = (gL*(EL-v) + ge*(Ee-v) + gi*(Ei-v))/C : volt (unless refractory)
                                dge/dt = -ge/taue : siemens
                                dgi/dt = -gi/taui : siemens''',
                    threshold='v > -50*mV', reset='v = -60*mV', refractory=5 * ms, method='exponential_euler')
    P.v = '-60*mV + 10*mV*rand()'
    E, I = P[:NE], P[NE:]
    we, wi = f"{net_spec['we']}*nS", f"{net_spec['wi']}*nS"
    synapses = []
    for src, tgt, var, w in [(E, E, 'ge', we), (E, I, 'ge', we), (I, E, 'gi', wi), (I, I, 'gi', wi)]:
        plastic = net_spec['plastic'] and src is E and tgt is E
        S = Synapses(src, tgt, **STDP) if plastic else Synapses(src, tgt, on_pre=f'{var}_post += {w}')
        S.connect(condition='i != j', p=0.02) if src is tgt else S.connect(p=0.02)
        if plastic:
            S.w = w
        S.delay = net_spec['delay']
        synapses.append(S)
    drive = PoissonInput(P, 'ge', N=1, rate=600 * brian2.Hz, weight=2 * nS)
    M = SpikeMonitor(P)
    net = Network(P, *synapses, drive, M)
    start = time.time()
    net.run(duration * second)
    res = {'wall': time.time() - start}
    i, t = np.asarray(M.i), np.asarray(M.t / second)
    res['rateE'] = np.sum(i < NE) / (NE * duration)
    res['rateI'] = np.sum(i >= NE) / (NI * duration)
    res['cvE'] = mean_cv(i, t, 0, NE)
    if net_spec['plastic']:
        w = np.asarray(synapses[0].w / nS)
        res['wEE'] = w.mean()
        res['at_max'] = np.mean(w >= 12 - 1e-9)
        res['at_zero'] = np.mean(w <= 1e-9)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('network', choices=sorted(NETWORKS))
    ap.add_argument('--dts', default='0.1,0.025', help='time steps in ms, comma-separated')
    ap.add_argument('--seeds', default='1,2,3')
    ap.add_argument('--duration', type=float, default=None, help='seconds (coba 1, microcircuit 2)')
    args = ap.parse_args()
    prefs.codegen.target = 'cython'
    prefs.codegen.runtime.cython.cache_dir = '/tmp/brian2-cython-cache'
    duration = args.duration or (1.0 if args.network == 'coba' else 2.0)
    print(f'brian2 {brian2.__version__}, {args.network}, {duration} s', flush=True)
    for dt in map(float, args.dts.split(',')):
        rows = []
        for s in map(int, args.seeds.split(',')):
            rows.append(run(NETWORKS[args.network], dt, s, duration))
            print(f'dt={dt} ms seed={s} ' + ' '.join(f'{k}={v:.6g}' for k, v in rows[-1].items()), flush=True)
        print(f'--- dt={dt} ms, mean [min, max] over {len(rows)} seeds')
        for k in rows[0]:
            v = np.array([r[k] for r in rows])
            print(f'  {k:8s} {v.mean():11.6g}  [{v.min():11.6g}, {v.max():11.6g}]', flush=True)


if __name__ == '__main__':
    main()
