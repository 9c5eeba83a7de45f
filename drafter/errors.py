"""The small exception tree. Every error carries a message a user can act on."""

from __future__ import annotations


class DrafterError(Exception):
    """Base class: the CLI prints ``str(err)`` as one line and exits 2."""


class InputError(DrafterError):
    """A file the user gave cannot be used (missing, empty, binary, corrupt, too large…)."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class RuleError(DrafterError):
    """A rule, template or accept-list data file is malformed."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")
