"""Builds the qutibench wheel: the pybind11 extension through CMake (the project's own build,
Python target only), the pure-Python package from bindings/python, and the shipped data as
qutibench/data, which the installed extension reads first. pyproject.toml holds the metadata.

QUTIBENCH_CMAKE_BUILD_DIR names a build directory that already holds the built extension
(build/python/qutibench/_core*.so) to pack instead of building one; otherwise the extension
is built in build-pip/ with CMake and the Debian packages the README's build needs.
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


def version() -> str:
    text = (ROOT / "include" / "qutibench" / "version.hpp").read_text(encoding="utf-8")
    return re.search(r'version = "([0-9]+\.[0-9]+\.[0-9]+)"', text).group(1)


class CMakeExtension(build_ext):
    """The extension `qutibench._core` from the CMake target qutibench_python."""

    def build_extension(self, ext: Extension) -> None:
        given = os.environ.get("QUTIBENCH_CMAKE_BUILD_DIR")
        build = Path(given) if given else ROOT / "build-pip"
        if not given:
            subprocess.run(["cmake", "-S", str(ROOT), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release",
                            f"-DPython_EXECUTABLE={sys.executable}", "-DQUTIBENCH_BUILD_TESTS=OFF",
                            "-DQUTIBENCH_BUILD_CLI=OFF", "-DQUTIBENCH_BUILD_EXAMPLES=OFF",
                            "-DQUTIBENCH_BUILD_BENCHMARKS=OFF", "-DQUTIBENCH_BUILD_HEADER_CHECKS=OFF"], check=True)
            subprocess.run(["cmake", "--build", str(build), "--target", "qutibench_python", "-j", str(os.cpu_count() or 1)],
                           check=True)
        built = sorted((build / "python" / "qutibench").glob("_core*.so"))
        if not built:
            raise RuntimeError(f"no qutibench extension (_core*.so) under {build}/python/qutibench")
        target = Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built[0], target)


class WithData(build_py):
    """The pure-Python package plus the shipped data (platform specs, accuracies, LLM configs)."""

    def run(self) -> None:
        super().run()
        shutil.copytree(ROOT / "data", Path(self.build_lib) / "qutibench" / "data", dirs_exist_ok=True)


(ROOT / "build-pip").mkdir(exist_ok=True)
setup(version=version(), ext_modules=[Extension("qutibench._core", sources=[])],
      cmdclass={"build_ext": CMakeExtension, "build_py": WithData},
      # setuptools' own scratch space under build-pip/, not the CMake build/ of the README.
      options={"build": {"build_base": str(ROOT / "build-pip" / "setuptools")},
               "egg_info": {"egg_base": str(ROOT / "build-pip")}})
