"""Watching a Chromium page for hostile effects: CSP violations, dialogs and script side effects.

`Watch(page)` must be created before the first navigation: its init script runs in every document
and records each `securitypolicyviolation` event; dialogs (alert/confirm/prompt) are recorded and
dismissed; console errors that mention the Content Security Policy are kept too.
"""

from __future__ import annotations

from typing import Any

INIT_SCRIPT = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push({
    directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample,
    source: e.sourceFile, line: e.lineNumber,
  });
});
"""


class Watch:
    def __init__(self, page: Any) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.console: list[str] = []
        self.violations: list[dict[str, Any]] = []
        page.add_init_script(INIT_SCRIPT)
        page.on("dialog", self._dialog)
        page.on("console", self._console)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def collect(self) -> None:
        """Read the current document's violations (call before leaving the page)."""
        self.violations += self.page.evaluate("window.__cspViolations || []")

    def xss_marker(self) -> Any:
        return self.page.evaluate("window.__xss")

    def assert_clean(self, where: str) -> None:
        self.collect()
        assert self.xss_marker() is None, f"{where}: a payload ran (window.__xss set)"
        assert self.dialogs == [], f"{where}: dialogs {self.dialogs}"
        assert self.violations == [], f"{where}: CSP violations {self.violations}"
        assert self.console == [], f"{where}: CSP console errors {self.console}"
