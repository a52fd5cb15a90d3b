#!/usr/bin/python3
"""Brian2 reference statistics for the plastic E/I microcircuit (metabosim's default model).
Usage: tools/brian2_microcircuit.py [--dts 0.1,0.025] [--seeds 1,2,3]"""
import sys, time, argparse, warnings
import numpy as np
warnings.filterwarnings('ignore')
import brian2
from brian2 import *

ap = argparse.ArgumentParser()
ap.add_argument('--dts', default='0.1,0.025')
ap.add_argument('--seeds', default='1,2,3')
ap.add_argument('--T', type=float, default=2.0)
ap.add_argument('--diag', action='store_true')
args = ap.parse_args()

import Cython  # noqa  -- Cython is required (no numpy fallback)
prefs.codegen.target = 'cython'
prefs.codegen.runtime.cython.cache_dir = '/tmp/brian2-cython-cache'

NE, NI = 4000, 1000
T = args.T * second

def run_one(dt_ms, s):
    start_scope()
    defaultclock.dt = dt_ms * ms
    seed(s); np.random.seed(s)
    C, gL, EL = 200*pF, 10*nS, -60*mV
    Ee, Ei, taue, taui = 0*mV, -80*mV, 5*ms, 10*ms
    taupre, taupost, wmax = 16.8*ms, 33.7*ms, 12*nS
    Aplus = 0.01*wmax
    Aminus = -1.05*Aplus*taupre/taupost
    eqs = '''dv/dt = (gL*(EL-v) + ge*(Ee-v) + gi*(Ei-v))/C : volt (unless refractory)
             dge/dt = -ge/taue : siemens
             dgi/dt = -gi/taui : siemens'''
    P = NeuronGroup(NE+NI, eqs, threshold='v>-50*mV', reset='v=-60*mV',
                    refractory=5*ms, method='exponential_euler')
    P.v = '-60*mV + 10*mV*rand()'; P.ge = 0*nS; P.gi = 0*nS
    E, I = P[:NE], P[NE:]
    # E->E plastic (pair-based all-to-all STDP, additive, hard bounds [0, wmax])
    See = Synapses(E, E, model='''w : siemens
                 dapre/dt = -apre/taupre : siemens (event-driven)
                 dapost/dt = -apost/taupost : siemens (event-driven)''',
                   on_pre='''ge_post += w
                 apre += Aplus
                 w = clip(w + apost, 0*nS, wmax)''',
                   on_post='''apost += Aminus
                 w = clip(w + apre, 0*nS, wmax)''')
    See.connect(condition='i != j', p=0.02)
    See.w = 4*nS
    See.delay = '1*ms + rand()*1*ms'
    syn = [See]
    for src, tgt, var, w in [(E, I, 'ge', '4*nS'), (I, E, 'gi', '51*nS'), (I, I, 'gi', '51*nS')]:
        S = Synapses(src, tgt, on_pre=f'{var}_post += {w}')
        if src is tgt: S.connect(condition='i != j', p=0.02)
        else: S.connect(p=0.02)
        S.delay = '1*ms + rand()*1*ms'
        syn.append(S)
    PI = PoissonInput(P, 'ge', N=1, rate=600*Hz, weight=2*nS)
    M = SpikeMonitor(P)
    net = Network(P, *syn, PI, M)
    t0 = time.time()
    net.run(T/2)
    w_half = np.asarray(See.w / nS).copy()
    net.run(T/2)
    wall = time.time() - t0
    w_end = np.asarray(See.w / nS)
    i = np.asarray(M.i); t = np.asarray(M.t / second)
    res = {'wall': wall, 'nEE': len(w_end)}
    for name, lo, hi in [('E', 0, NE), ('I', NE, NE+NI)]:
        sel = (i >= lo) & (i < hi)
        res['rate'+name] = sel.sum() / ((hi-lo) * float(T))
        if name == 'E':
            order = np.lexsort((t[sel], i[sel])); ii, tt = i[sel][order], t[sel][order]
            cvs = []
            for n in np.unique(ii):
                ts = tt[ii == n]
                if len(ts) >= 3:
                    isi = np.diff(ts); cvs.append(isi.std() / isi.mean())  # population sd (ddof=0)
            res['cvE'] = np.mean(cvs) if cvs else np.nan
            res['nCV'] = len(cvs)
    if args.diag:  # E population rate (Hz) in 100 ms bins
        res['hist'] = np.histogram(t[i < NE], bins=np.arange(0, float(T) + 1e-9, 0.1))[0] / (NE * 0.1)
        res['hist5'] = np.histogram(t[i < NE], bins=np.arange(0, float(T) + 1e-9, 0.005))[0] / (NE * 0.005)
    res['wEE_1s'] = w_half.mean()
    res['wEE_end'] = w_end.mean()
    res['fracMax'] = np.mean(w_end >= 12.0 - 1e-9)
    res['fracZero'] = np.mean(w_end <= 1e-9)
    return res

keys = ['rateE', 'rateI', 'cvE', 'wEE_1s', 'wEE_end', 'fracMax', 'fracZero', 'wall']
print(f'codegen target: {prefs.codegen.target}, brian2 {brian2.__version__}, T={float(T)} s', flush=True)
for dt_ms in [float(x) for x in args.dts.split(',')]:
    rows = []
    for s in [int(x) for x in args.seeds.split(',')]:
        r = run_one(dt_ms, s); rows.append(r)
        print(f'dt={dt_ms}ms seed={s} nEE={r["nEE"]} nCV={r["nCV"]} ' + ' '.join(f'{k}={r[k]:.6g}' for k in keys), flush=True)
        if args.diag:
            print('  E rate per 100 ms bin:', np.round(r['hist'], 1))
            h = r['hist5']; print(f'  5 ms bins: max {h.max():.0f} Hz, frac of bins > 100 Hz {np.mean(h > 100):.3f}, Fano {h.var()/h.mean()*NE*0.005:.1f}')
    print(f'--- dt={dt_ms} ms, {len(rows)} seeds: mean [min, max]')
    for k in keys:
        vals = np.array([r[k] for r in rows])
        print(f'  {k:8s} {vals.mean():11.6g}  [{vals.min():11.6g}, {vals.max():11.6g}]', flush=True)
