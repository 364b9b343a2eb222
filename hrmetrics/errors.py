"""The refusal of a whole file, with a machine-readable code and a bilingual message.

A refusal is not a crash: intake catches it, writes a ledger row with status ``refused`` and a
rejects row with severity ``refused``, and goes on with the next file. So it carries everything
the ledger needs (code, file, details) and renders its text only when asked, in the run's
language.
"""

from __future__ import annotations

from typing import Any

from hrmetrics.messages import message as _message


class Refusal(Exception):
    """A file that cannot be taken in at all (empty, binary, unknown dataset, missing columns...).

    ``code`` is a key of ``hrmetrics.messages.MESSAGES``; ``details`` are the template fields
    (and any extra facts useful to a program, e.g. ``missing`` as a list).
    """

    def __init__(self, code: str, file: str | None = None, details: dict[str, Any] | None = None):
        self.code = code
        self.file = file
        self.details: dict[str, Any] = dict(details or {})
        super().__init__(self.message("ja"))

    def message(self, lang: str = "ja") -> str:
        """The user-facing text in `lang` ("ja" or "en")."""
        fields = {"file": self.file or "", **{k: _in_lang(v, lang) for k, v in self.details.items()}}
        return _message(self.code, lang, **fields)

    def __repr__(self) -> str:
        return f"Refusal(code={self.code!r}, file={self.file!r}, details={self.details!r})"


def _in_lang(value: Any, lang: str) -> Any:
    """A detail given in both languages (`{"ja": ..., "en": ...}`) as the text in `lang`."""
    if isinstance(value, dict) and "ja" in value:
        return value.get(lang) or value["ja"]
    return value


class UserError(ValueError):
    """An expected failure that the user fixes (a missing file, a bad option, an empty folder...).

    Like a refusal it carries a code of the message registry and the template fields, and is
    rendered in the run's language only when shown: the CLI prints `message(lang)` and exits
    non-zero, a notebook sees the Japanese text as `str(exc)`. A ValueError, so code that
    caught the plain ValueError it replaces still does.
    """

    prefix = ""
    """Registry keys of a family of errors share a prefix (`plan.` for PlanError), so `code`
    stays the short name a program tests for."""

    def __init__(self, code: str, **fields: Any):
        self.code = code
        self.fields = fields
        super().__init__(self.message("ja"))

    def message(self, lang: str = "ja") -> str:
        """The user-facing text in `lang` ("ja" or "en")."""
        fields = {k: _in_lang(v, lang) for k, v in self.fields.items()}
        return _message(self.prefix + self.code, lang, **fields)


class MissingPath(UserError, FileNotFoundError):
    """A file or folder the user named does not exist (also a FileNotFoundError)."""


class SpecError(ValueError):
    """A malformed pipeline spec: names the file and the key so the editor knows where to look."""

    def __init__(self, file: str, key: str, reason: str):
        self.file, self.key, self.reason = file, key, reason
        super().__init__(_message("bad_spec", "ja", file=file, key=key, reason=reason))
