"""One theme for the four Qt apps (device_kit/theme.py): readable text, and no colour of their own.

Plain Python: the apps' style sheets are read from their source files (no Qt, no import of the
apps), so these tests run in well under a second.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from dataclasses import fields
from pathlib import Path
from string import Template

import pytest

from hallcall.device_kit.theme import (
    INACTIVE_TEXT_ON,
    METRICS,
    PALETTE,
    TEXT_ON,
    Palette,
    contrast_ratio,
    qss,
)

ROOT = Path(__file__).resolve().parents[2]
#: The widget files of the four apps: every colour they draw comes from the palette.
WIDGET_FILES = [
    ROOT / "kiosk/src/hallcall/kiosk/widgets.py",
    ROOT / "window_terminal/src/hallcall/window_terminal/window.py",
    ROOT / "rating_pad/src/hallcall/rating_pad/widgets.py",
    ROOT / "display/src/hallcall/display/widgets.py",
]
#: Each app's style sheet template (a module-level STYLE string), with what it fills besides.
STYLE_SHEETS = {
    "kiosk": (WIDGET_FILES[0], {}),
    "terminal": (WIDGET_FILES[1], {"arrow": "/tmp/arrow.png"}),
    "pad": (WIDGET_FILES[2], {}),
}
ROLES = PALETTE.roles()
AA = 4.5  # WCAG 2.x AA for body text; the halls' visitors read from a distance, often elderly


def style_template(path: Path) -> str:
    """The module-level `STYLE = "..."` of a source file, read without importing it."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if (
            isinstance(node, ast.Assign)
            and [getattr(t, "id", None) for t in node.targets] == ["STYLE"]
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            return node.value.value
    raise AssertionError(f"{path} has no STYLE string")


def rules(sheet: str) -> list[tuple[str, dict[str, str]]]:
    """(selector, {property: value}) of each rule of a filled style sheet."""
    out = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", sheet):
        props = {}
        for decl in body.split(";"):
            if ":" in decl:
                name, value = decl.split(":", 1)
                props[name.strip()] = value.strip()
        out.append((" ".join(selector.split()), props))
    return out


# ------------------------------------------------------------------------------ the palette
def test_every_role_is_a_hex_colour_and_a_bad_one_is_refused():
    assert all(re.fullmatch(r"#[0-9A-F]{6}", v) for v in ROLES.values()), ROLES
    with pytest.raises(ValueError, match="text"):
        Palette(text="white")
    with pytest.raises(ValueError, match="surface"):
        Palette(surface="#fff")


def test_qss_fills_roles_and_sizes_and_refuses_an_unknown_name():
    sheet = qss(
        "QLabel { color: $text; min-height: ${touch_min}px; image: url($arrow); }", arrow="a"
    )
    assert (
        sheet
        == f"QLabel {{ color: {PALETTE.text}; min-height: {METRICS.touch_min}px; image: url(a); }}"
    )
    with pytest.raises(KeyError, match="txet"):
        qss("QLabel { color: $txet; }")


def test_the_palette_is_plain_python():
    """A Pi without Qt (a keypad-only terminal, a sign) can read the palette."""
    code = "import sys, hallcall.device_kit.theme; print('PySide6' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"


@pytest.mark.parametrize("app", STYLE_SHEETS)
def test_each_style_sheet_names_only_roles_and_sizes(app):
    path, extra = STYLE_SHEETS[app]
    template = style_template(path)
    names = {m["named"] or m["braced"] for m in Template.pattern.finditer(template)} - {None}
    assert names, f"{app}: its STYLE uses no palette role"
    assert names <= set(ROLES) | set(METRICS.values()) | set(extra), names - set(ROLES)
    qss(template, **extra)  # fills without a KeyError


def test_every_role_is_drawn_by_some_app():
    sources = "\n".join(p.read_text(encoding="utf-8") for p in WIDGET_FILES)
    unused = [
        name for name in ROLES if not re.search(rf"(\$\{{?|\bP\.|PALETTE\.){name}\b", sources)
    ]
    assert unused == [], f"roles no app uses (delete them): {unused}"


# ------------------------------------------------------------------------------ contrast
def test_contrast_ratio_is_wcags():
    assert contrast_ratio("#FFFFFF", "#000000") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#123456", "#123456") == pytest.approx(1.0)
    assert contrast_ratio("#ffffff", "#1F2937") == contrast_ratio("#1F2937", "#FFFFFF")


PAIRS = [(text, bg) for text, bgs in TEXT_ON.items() for bg in bgs]


@pytest.mark.parametrize(("text", "background"), PAIRS, ids=[f"{t}-on-{b}" for t, b in PAIRS])
def test_text_is_readable_on_each_background_it_is_drawn_on(text, background):
    ratio = contrast_ratio(ROLES[text], ROLES[background])
    assert ratio >= AA, f"{text} {ROLES[text]} on {background} {ROLES[background]}: {ratio:.2f}:1"


def test_the_pairs_name_roles():
    for table in (TEXT_ON, INACTIVE_TEXT_ON):
        for text, backgrounds in table.items():
            assert text in ROLES and set(backgrounds) <= set(ROLES), (text, backgrounds)


def test_every_text_and_background_set_together_in_a_style_sheet_is_readable():
    """A rule giving both a text colour and a background: an AA pair unless it is disabled."""
    by_value: dict[str, set[str]] = {}
    for name, value in ROLES.items():
        by_value.setdefault(value, set()).add(name)
    inactive = {(t, b) for t, bgs in INACTIVE_TEXT_ON.items() for b in bgs}
    checked = 0
    for app, (path, extra) in STYLE_SHEETS.items():
        for selector, props in rules(qss(style_template(path), **extra)):
            color, background = props.get("color"), props.get("background")
            if not (color and background and background.startswith("#")):
                continue
            checked += 1
            ratio = contrast_ratio(color, background)
            if ":disabled" in selector:
                pairs = {(t, b) for t in by_value[color] for b in by_value[background]}
                assert pairs & inactive, f"{app} {selector}: list it in INACTIVE_TEXT_ON"
                continue
            assert ratio >= AA, f"{app} {selector}: {color} on {background} is {ratio:.2f}:1"
    assert checked > 30


def test_the_pads_faces_read_on_every_level():
    """The pad draws each face and label in whichever of its two inks reads best."""
    inks = (PALETTE.on_primary, PALETTE.pad_ink_on_light)
    levels = [f.name for f in fields(Palette) if f.name.startswith("pad_level_")] + ["success"]
    for level in levels:
        best = max(contrast_ratio(ink, ROLES[level]) for ink in inks)
        assert best >= AA, (level, best)


# ------------------------------------------------------------------------------ no literals
#: Colour literals an app must not write: hex, rgb()/rgba(), QColor from a literal or from
#: numbers, QColor.fromRgb & co, Qt's named colours, named colours in a style sheet.
LITERALS = [
    re.compile(r"#[0-9A-Fa-f]{3}(?:[0-9A-Fa-f]{3})?(?:[0-9A-Fa-f]{2})?\b"),
    re.compile(r"\brgba?\s*\("),
    re.compile(r"\bhsla?\s*\("),
    re.compile(r"\bQColor\s*\(\s*(?:[\"'\d]|Qt\.)"),
    re.compile(r"\bQColor\.from\w+\("),
    re.compile(
        r"\bQt\.(?:GlobalColor\.)?(?:white|black|red|green|blue|cyan|magenta|yellow|gray|dark\w+|light\w+)\b"
    ),
    re.compile(
        r"(?:color|background|border[\w-]*)\s*:[^;}\"]*\b(?:white|black|red|green|blue|gray|grey|"
        r"yellow|orange|navy|silver|maroon|purple|teal|olive|lime|aqua|fuchsia)\b"
    ),
]
#: Allowed anyway, each for a reason: a see-through fill has no colour to take from a palette.
ALLOWED = {"Qt.GlobalColor.transparent", "transparent"}


@pytest.mark.parametrize("path", WIDGET_FILES, ids=lambda p: p.parent.name)
def test_no_colour_literal_is_left_in_an_apps_widgets(path):
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        for pattern in LITERALS:
            found += [
                f"{path.name}:{number}: {m.group(0)!r}  {line.strip()}"
                for m in pattern.finditer(line)
                if m.group(0) not in ALLOWED
            ]
    assert found == [], "take these from hallcall.device_kit.theme.PALETTE:\n" + "\n".join(found)


def test_the_literal_check_finds_literals():
    samples = [
        'QColor("#0a1020")',
        "QColor(10, 16, 32, 215)",
        'QColor("white")',
        "QLabel { color: #fff; }",
        "QLabel { background: rgb(1, 2, 3); }",
        "QLabel { border: 2px solid white; }",
        "p.setPen(Qt.GlobalColor.black)",
        "QColor.fromRgb(1, 2, 3)",
    ]
    for sample in samples:
        assert any(p.search(sample) for p in LITERALS), sample
    clean = ["QLabel#pad { background: transparent; }", "qcolor(P.text)", "#promptBox { }"]
    for sample in clean:
        assert not any(p.search(sample) for p in LITERALS), sample
