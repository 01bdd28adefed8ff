"""Real-browser helpers: Playwright for Python driving Debian's Chromium, axe-core injected into
each page (the page's Content-Security-Policy bypassed for the test only), screenshots for people
to look at, and keyboard-only navigation.

Chromium comes from apt (`.ci/sysdeps.sh`), axe-core from npm (`npm ci`); nothing is downloaded by
Playwright itself. Without them the tests fail in CI and skip elsewhere, like the `services` tests.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("TILSYN_CHROMIUM", "/usr/bin/chromium"))
AXE = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = BASE_DIR / "var" / "screenshots"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def missing_tools() -> list[str]:
    problems = []
    if not CHROMIUM.exists():
        problems.append(f"{CHROMIUM} is missing (apt-get install chromium; `make setup` does it)")
    if not AXE.exists():
        problems.append("node_modules/axe-core is missing (npm ci; `make setup` does it)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        problems.append("the playwright package is missing (pip install -r requirements.txt)")
    return problems


def require_tools() -> None:
    if problems := missing_tools():
        message = "Browser tests need: " + "; ".join(problems)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


# axe-core does not check WCAG 1.4.11 (non-text contrast): the edge of a text field, select,
# checkbox or radio against a white page must reach 3:1. The fields here sit on white.
EDGES_JS = """() => {
    const lum = rgb => {
        const [r, g, b] = rgb.match(/[\\d.]+/g).slice(0, 3).map(Number).map(v => {
            v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const fields = document.querySelectorAll(
        "input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea");
    return [...fields].filter(f => f.offsetParent !== null && !f.closest("[aria-hidden=true]")).map(f => {
        const edge = getComputedStyle(f).borderTopColor;
        const ratio = 1.05 / (lum(edge) + 0.05);
        return ratio < 3 ? `${f.name || f.id} ${edge} ${ratio.toFixed(2)}:1` : null;
    }).filter(Boolean);
}"""


class Axe:
    """Runs axe-core in a page and fails with a readable list of WCAG 2.1 A/AA violations; checks
    the edges of form fields (1.4.11), which axe-core leaves out, too."""

    def __init__(self) -> None:
        self.source = AXE.read_text()
        self.checked: list[str] = []

    def check(self, page) -> None:
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.add_script_tag(content=self.source)
        result = page.evaluate(
            "async tags => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            WCAG_TAGS,
        )
        self.checked.append(page.url)
        edges = page.evaluate(EDGES_JS)
        assert not edges, f"Form fields with an edge under 3:1 (WCAG 1.4.11) on {page.url}: {edges}"
        violations = [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(f"{node['target']} {node.get('failureSummary', '')!r}" for node in v["nodes"][:5])
            for v in result["violations"]
        ]
        assert not violations, f"axe-core on {page.url}:\n" + "\n".join(violations)


def screenshot(page, name: str) -> Path:
    """A full-page PNG in var/screenshots/ (git-ignored) for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


class Keys:
    """Keyboard-only use of a page: Tab to an element, then Enter, Space, arrows or typing. No
    mouse events are sent; `tab_to` fails when the element cannot be reached with Tab."""

    def __init__(self, page) -> None:
        self.page = page

    def focused(self, selector: str) -> bool:
        return self.page.evaluate("sel => !!document.activeElement && document.activeElement.matches(sel)", selector)

    def tab_to(self, selector: str, *, limit: int = 250, backwards: bool = False) -> None:
        assert self.page.locator(selector).count() >= 1, f"No element {selector} on {self.page.url}"
        for _ in range(limit):
            if self.focused(selector):
                self.assert_focus_visible()
                return
            self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
        active = self.page.evaluate("() => document.activeElement && document.activeElement.outerHTML.slice(0, 200)")
        raise AssertionError(f"Tab never reached {selector} on {self.page.url}; focus is on {active}")

    def assert_focus_visible(self) -> None:
        """WCAG 2.4.7: the element reached with Tab shows that it has the focus (an outline or a
        focus ring drawn as a shadow), which axe-core does not check."""
        style = self.page.evaluate(
            """() => {
                const s = getComputedStyle(document.activeElement);
                return {outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0,
                        shadow: s.boxShadow !== 'none', html: document.activeElement.outerHTML.slice(0, 120)};
            }"""
        )
        assert style["outline"] or style["shadow"], f"No visible focus on {style['html']} ({self.page.url})"

    def press(self, selector: str, key: str = "Enter") -> None:
        self.tab_to(selector)
        self.page.keyboard.press(key)

    def type_into(self, selector: str, text: str) -> None:
        self.tab_to(selector)
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(text)

    def choose(self, selector: str, value: str) -> None:
        """A <select>: focus it and press ArrowDown (or ArrowUp) until the wanted option is selected."""
        self.tab_to(selector)
        index = self.page.evaluate(
            "([sel, value]) => [...document.querySelector(sel).options].findIndex(o => o.value === value)",
            [selector, value],
        )
        assert index >= 0, f"No option {value!r} in {selector}"
        for _ in range(500):
            current = self.page.evaluate("sel => document.querySelector(sel).selectedIndex", selector)
            if current == index:
                return
            self.page.keyboard.press("ArrowDown" if current < index else "ArrowUp")
        raise AssertionError(f"Could not reach option {value!r} in {selector}")

    def date(self, selector: str, day) -> None:
        """A date input, typed segment by segment (Debian's headless Chromium orders them month,
        day, year whatever the page's language)."""
        self.tab_to(selector)
        self.page.keyboard.type(day.strftime("%m%d%Y"))
        assert self.page.input_value(selector) == day.isoformat(), "the date input orders its fields otherwise"

    def choose_file(self, selector: str, path) -> None:
        """A file input: Space opens the system's file chooser, which the test answers. Chromium
        now and then lets a key press go by without opening it; press again then."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        self.tab_to(selector)
        for _attempt in range(3):
            try:
                with self.page.expect_file_chooser(timeout=5_000) as chooser:
                    self.page.keyboard.press("Space")
            except PlaywrightTimeout:
                continue
            chooser.value.set_files(str(path))
            return
        raise AssertionError(f"Space on {selector} never opened the file chooser")

    def radio(self, name: str, value: str) -> None:
        """A radio group: Tab into it (focus lands on the checked or first radio), then arrows."""
        self.tab_to(f'input[type=radio][name="{name}"]')
        for _ in range(20):
            if self.focused(f'input[type=radio][name="{name}"][value="{value}"]'):
                # Arrow keys move and check together; Space checks the first radio when none is.
                self.page.keyboard.press("Space")
                return
            self.page.keyboard.press("ArrowDown")
        raise AssertionError(f"No radio {name}={value}")


def page_text(page) -> str:
    return page.locator("body").inner_text()


def dump(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1)
