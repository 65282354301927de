"""Lists the packages: each top-level part folder is installed as `hallcall.<part>`.

The mapping itself is in pyproject.toml ([tool.setuptools.package-dir]); setuptools' automatic
discovery cannot follow a remapped folder's subpackages, so they are listed here.
"""

from setuptools import find_packages, setup

PARTS = ["broker", "kiosk", "display", "window_terminal", "rating_pad", "hardware", "config"]

packages = ["hallcall", *(f"hallcall.{sub}" for sub in find_packages("hallcall"))]
for part in PARTS:
    packages += [f"hallcall.{part}", *(f"hallcall.{part}.{sub}" for sub in find_packages(part))]

setup(packages=packages)
