#!/usr/bin/python3
"""Brian2 COBA reference statistics (the network of configs/coba.toml). Usage: tools/brian2_coba.py [--dts 0.1,0.025] [--seeds 1,2,3,4,5]"""
import sys, time, argparse, warnings
import numpy as np
warnings.filterwarnings('ignore')
import brian2
from brian2 import *

ap = argparse.ArgumentParser()
ap.add_argument('--dts', default='0.1,0.025')
ap.add_argument('--seeds', default='1,2,3,4,5')
args = ap.parse_args()

try:
    import Cython  # noqa
    prefs.codegen.target = 'cython'
    prefs.codegen.runtime.cython.cache_dir = '/tmp/brian2-cython-cache'
except ImportError:
    prefs.codegen.target = 'numpy'

NE, NI, T = 3200, 800, 1.0 * second

def run_one(dt_ms, s):
    start_scope()
    defaultclock.dt = dt_ms * ms
    seed(s); np.random.seed(s)
    C, gL, EL = 200*pF, 10*nS, -60*mV
    Ee, Ei, taue, taui = 0*mV, -80*mV, 5*ms, 10*ms
    eqs = '''dv/dt = (gL*(EL-v) + ge*(Ee-v) + gi*(Ei-v))/C : volt (unless refractory)
             dge/dt = -ge/taue : siemens
             dgi/dt = -gi/taui : siemens'''
    P = NeuronGroup(NE+NI, eqs, threshold='v>-50*mV', reset='v=-60*mV',
                    refractory=5*ms, method='exponential_euler')
    P.v = '-60*mV + 10*mV*rand()'; P.ge = 0*nS; P.gi = 0*nS
    E, I = P[:NE], P[NE:]
    syn = []
    for src, tgt, var, w in [(E, E, 'ge', '6*nS'), (E, I, 'ge', '6*nS'),
                             (I, E, 'gi', '67*nS'), (I, I, 'gi', '67*nS')]:
        S = Synapses(src, tgt, on_pre=f'{var}_post += {w}', delay=1*ms)
        if src is tgt: S.connect(condition='i != j', p=0.02)
        else: S.connect(p=0.02)
        syn.append(S)
    PI = PoissonInput(P, 'ge', N=1, rate=600*Hz, weight=2*nS)
    M = SpikeMonitor(P)
    net = Network(P, *syn, PI, M)
    t0 = time.time(); net.run(T); wall = time.time() - t0
    i = np.asarray(M.i); t = np.asarray(M.t / second)
    res = {'wall': wall}
    for name, lo, hi in [('E', 0, NE), ('I', NE, NE+NI)]:
        sel = (i >= lo) & (i < hi)
        res['rate'+name] = sel.sum() / ((hi-lo) * float(T))
        order = np.lexsort((t[sel], i[sel])); ii, tt = i[sel][order], t[sel][order]
        cvs = []
        for n in np.unique(ii):
            ts = tt[ii == n]
            if len(ts) >= 3:
                isi = np.diff(ts); cvs.append(isi.std() / isi.mean())
        res['cv'+name] = np.mean(cvs) if cvs else np.nan
    te = t[(i < NE) & (t >= 0.1)]
    counts, _ = np.histogram(te, bins=np.arange(0.1, float(T) + 1e-9, 0.005))
    res['fanoE'] = counts.var() / counts.mean() if counts.mean() > 0 else np.nan
    return res

keys = ['rateE', 'rateI', 'cvE', 'cvI', 'fanoE', 'wall']
print(f'codegen target: {prefs.codegen.target}, brian2 {brian2.__version__}')
for dt_ms in [float(x) for x in args.dts.split(',')]:
    rows = []
    for s in [int(x) for x in args.seeds.split(',')]:
        r = run_one(dt_ms, s); rows.append(r)
        print(f'dt={dt_ms}ms seed={s} ' + ' '.join(f'{k}={r[k]:.3f}' for k in keys), flush=True)
    print(f'--- dt={dt_ms} ms, {len(rows)} seeds: mean [min, max]')
    for k in keys:
        v = np.array([r[k] for r in rows])
        print(f'  {k:6s} {v.mean():8.3f}  [{v.min():8.3f}, {v.max():8.3f}]')
