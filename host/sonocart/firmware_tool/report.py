"""A technician's report: one line per check, PASS or FAIL, and an exit code."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    expected: str = ""
    actual: str = ""


@dataclass
class Report:
    title: str
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def check(self, name: str, ok: bool, expected: object = "", actual: object = "") -> bool:
        self.checks.append(Check(name, ok, str(expected), str(actual)))
        return ok

    def fail(self, name: str, why: str) -> None:
        self.checks.append(Check(name, False, "", why))

    def note(self, text: str) -> None:
        self.notes.append(text)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def render(self) -> str:
        lines = [self.title, "=" * len(self.title)]
        lines += [f"  {n}" for n in self.notes]
        for c in self.checks:
            mark = "PASS" if c.ok else "FAIL"
            detail = c.actual if c.ok or not c.expected else f"expected {c.expected}, board has {c.actual}"
            lines.append(f"  [{mark}] {c.name}" + (f": {detail}" if detail else ""))
        lines.append(f"RESULT: {'OK' if self.ok else 'FAILED'}")
        return "\n".join(lines)

    def exit_code(self) -> int:
        return 0 if self.ok else 1
