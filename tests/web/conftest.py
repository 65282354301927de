"""Fixtures of the web part's tests: one Chromium for every test of a module."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import sync_playwright

from tests.web.browser import CHROMIUM


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail("chromium is needed for this test (scripts/setup.sh --test installs it)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()
