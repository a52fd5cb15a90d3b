#!/usr/bin/python3
"""An installed metabosim as a user or another project meets it. `meson install` into a staging
directory (DESTDIR), then, from the installed tree only:
  - the program runs without LD_LIBRARY_PATH (its install rpath), also after the tree is moved;
  - `metabosim run coba` finds the installed config by name, the installed scripts run;
  - small programs are built against the installed library with pkg-config (which brings
    -std=c++20), with CMake (find_package(metabosim CONFIG), skipped without cmake) and with
    Meson (dependency('metabosim') through pkg-config).
With --subproject, Meson builds metabosim itself as a subproject of the small program (slow).

Usage: test_install.py MESON BUILD_DIR SOURCE_DIR [--subproject]
"""
import ast
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest

MESON, BUILD, SOURCE = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
SUBPROJECT = "--subproject" in sys.argv[4:]
CONSUMER = SOURCE / "tests" / "data" / "consumer"


def run(args, **kwargs):
    r = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=1800, **kwargs)
    if r.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, args))} exited with {r.returncode}:\n{r.stdout}\n{r.stderr}")
    return r


def clean_environment(**extra):
    """The environment without anything that would find the build tree's library for the program."""
    env = {k: v for k, v in os.environ.items() if k not in ("LD_LIBRARY_PATH", "DESTDIR", "PKG_CONFIG_PATH",
                                                            "METABOSIM_PYTHON")}
    env.update(extra)
    return env


@unittest.skipIf(SUBPROJECT, "without --subproject only")
class Installed(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.stage = pathlib.Path(cls.tmp.name) / "stage"
        run([MESON, "install", "-C", BUILD, "--destdir", cls.stage, "--no-rebuild", "--quiet"], env=clean_environment())
        [program] = cls.stage.rglob("bin/metabosim")
        cls.prefix = program.parent.parent
        [cls.pc] = cls.stage.rglob("pkgconfig/metabosim.pc")
        [cls.cmake_config] = cls.stage.rglob("cmake/metabosim/metabosimConfig.cmake")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def work_dir(self, name):
        d = pathlib.Path(self.tmp.name) / name
        d.mkdir()
        return d

    def metabosim(self, *args, prefix=None, cwd=None):
        return subprocess.run([(prefix or self.prefix) / "bin" / "metabosim", *map(str, args)], capture_output=True,
                              text=True, timeout=600, env=clean_environment(), cwd=cwd)

    def test_the_program_finds_the_installed_library(self):
        program = self.prefix / "bin" / "metabosim"
        dynamic = run(["readelf", "-d", program]).stdout
        self.assertIn("RUNPATH", dynamic)
        self.assertIn("[$ORIGIN/../lib", dynamic)
        libraries = run(["ldd", program], env=clean_environment()).stdout
        [line] = [line for line in libraries.splitlines() if "libmetabosim" in line]
        self.assertIn(str(self.prefix), line)
        r = self.metabosim("--version")
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_run_coba_by_name_and_the_installed_scripts(self):
        cwd = self.work_dir("user")  # an empty directory: nothing of the source tree at hand
        r = self.metabosim("run", "coba", "--set", "run.duration=50 ms", "-o", "out", "-q", cwd=cwd)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue((cwd / "out" / "spikes.h5").is_file())
        # An unknown name lists the installed configs, where they are.
        r = self.metabosim("run", "cobra", cwd=cwd)
        self.assertEqual(r.returncode, 2)
        self.assertIn(f"nor one of metabosim's configs in {self.prefix / 'share' / 'metabosim' / 'configs'} "
                      "(billion, coba, microcircuit, song_abbott)", r.stderr)
        data = self.prefix / "share" / "metabosim"
        run([data / "check_spikes.py", cwd / "out" / "spikes.h5"], env=clean_environment())
        run([data / "plot_run.py", cwd / "out"], env=clean_environment())
        self.assertTrue((cwd / "out" / "overview.png").is_file())

    def test_every_module_an_installed_script_imports_is_installed(self):
        # A module of tools/ left out of the installation breaks the report scripts only when the
        # program runs them, after the simulation, on an installed copy.
        data = self.prefix / "share" / "metabosim"
        for script in data.glob("*.py"):
            for node in ast.walk(ast.parse(script.read_text())):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                        [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
                for name in names:
                    if (SOURCE / "tools" / f"{name}.py").is_file():
                        self.assertTrue((data / f"{name}.py").is_file(), f"{script.name} imports {name}")

    def test_the_installed_tree_can_be_moved(self):
        moved = pathlib.Path(self.tmp.name) / "moved"
        shutil.copytree(self.prefix, moved, symlinks=True)
        cwd = self.work_dir("moved-user")
        r = self.metabosim("validate", "microcircuit", prefix=moved, cwd=cwd)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.metabosim("run", "nothing", prefix=moved, cwd=cwd)
        self.assertIn(str(moved / "share" / "metabosim" / "configs"), r.stderr)

    def pkg_config_environment(self):
        # The .pc file says prefix=/usr/local (or as configured); the sysroot puts the staging
        # directory in front of its paths.
        return clean_environment(PKG_CONFIG_PATH=str(self.pc.parent), PKG_CONFIG_SYSROOT_DIR=str(self.stage))

    def check_consumer(self, program):
        r = run([program], env=clean_environment())
        self.assertRegex(r.stdout, r"consumer: 2 populations, [1-9]\d* spikes")

    def test_pkg_config(self):
        env = self.pkg_config_environment()
        cflags = run(["pkg-config", "--cflags", "metabosim"], env=env).stdout.split()
        libs = run(["pkg-config", "--libs", "metabosim"], env=env).stdout.split()
        self.assertIn("-std=c++20", cflags)
        self.assertIn(f"-I{self.prefix / 'include'}", cflags)
        out = self.work_dir("pkg-config") / "consumer"
        libdir = next(flag[2:] for flag in libs if flag.startswith("-L"))
        # No -std of its own: C++20 (consteval) comes from pkg-config.
        run(["c++", CONSUMER / "consumer.cpp", *cflags, *libs, f"-Wl,-rpath,{libdir}", "-o", out])
        self.check_consumer(out)

    def test_cmake(self):
        if shutil.which("cmake") is None:
            self.skipTest("cmake is not installed (tools/install-deps installs it)")
        build = self.work_dir("cmake")
        run(["cmake", "-S", CONSUMER, "-B", build, f"-DCMAKE_PREFIX_PATH={self.prefix}"], env=clean_environment())
        run(["cmake", "--build", build], env=clean_environment())
        self.check_consumer(build / "consumer")

    def test_meson_with_pkg_config(self):
        build = self.work_dir("meson")
        run([MESON, "setup", build, CONSUMER, "--wrap-mode=nofallback"], env=self.pkg_config_environment())
        run([MESON, "compile", "-C", build], env=self.pkg_config_environment())
        self.check_consumer(build / "consumer")


@unittest.skipUnless(SUBPROJECT, "with --subproject only (suite slow)")
class Subproject(unittest.TestCase):
    def test_meson_subproject(self):
        with tempfile.TemporaryDirectory() as tmp:
            project = pathlib.Path(tmp) / "consumer"
            shutil.copytree(CONSUMER, project)
            (project / "subprojects").mkdir()
            (project / "subprojects" / "metabosim").symlink_to(SOURCE)
            build = project / "build"
            run([MESON, "setup", build, project, "--force-fallback-for=metabosim", "--buildtype=release"],
                env=clean_environment())
            run([MESON, "compile", "-C", build, "consumer"], env=clean_environment())
            r = run([build / "consumer"], env=clean_environment())
            self.assertRegex(r.stdout, r"consumer: 2 populations, [1-9]\d* spikes")


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
