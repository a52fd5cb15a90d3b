#!/usr/bin/python3
"""A bounded run of each fuzz target from its seeds (make_seeds.py): fails when a target finds a
crash, a leak, an uncaught exception or a hang, and leaves the input that did it (crash-*,
timeout-*, ...) in the current directory (meson test: build-fuzz/meson-logs/.. ). Prints, per
target, the executions, the time and the coverage libFuzzer reports.

Usage: run_fuzzers.py [--seconds N] METABOSIM_EXECUTABLE SOURCE_DIR FUZZ_TARGET...
"""
import argparse
import os
import pathlib
import re
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import make_seeds  # noqa: E402

SEEDS = {"fuzz_config": "config", "fuzz_override": "override", "fuzz_results": "results",
         "fuzz_checkpoint": "checkpoint"}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("metabosim")
    parser.add_argument("source")
    parser.add_argument("targets", nargs="+")
    args = parser.parse_args()
    failed = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        make_seeds.main(args.metabosim, args.source, tmp / "seeds")
        for target in args.targets:
            name = pathlib.Path(target).name
            corpus = tmp / "corpus" / name
            corpus.mkdir(parents=True)
            run = subprocess.run([target, f"-max_total_time={args.seconds}", "-timeout=30", "-rss_limit_mb=4096",
                                  "-print_final_stats=1", f"-artifact_prefix={pathlib.Path.cwd()}/{name}-",
                                  str(corpus), str(tmp / "seeds" / SEEDS[name])],
                                 capture_output=True, text=True,
                                 # A corrupted HDF5 file makes libhdf5 ask malloc for exabytes: an
                                 # error it reports (UserError here), not a crash.
                                 env={**os.environ, "ASAN_OPTIONS": "allocator_may_return_null=1:detect_leaks=0"})
            done = re.search(r"Done (\d+) runs in (\d+) second", run.stderr)
            cov = re.findall(r"cov: (\d+) ft: (\d+)", run.stderr)
            print(f"{name}: {done.group(1) if done else '?'} executions in {done.group(2) if done else '?'} s, "
                  f"coverage {cov[-1][0] if cov else '?'} edges, {cov[-1][1] if cov else '?'} features, "
                  f"{len(list(corpus.iterdir()))} inputs in the corpus, status {run.returncode}")
            if run.returncode != 0:
                failed.append(name)
                print(run.stderr[-4000:])
    if failed:
        sys.exit(f"fuzz targets that failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
