"""Pipeline specs (`pipelines/<dataset>.toml`): what a dataset's file looks like.

The spec is the only place that knows Japanese header spellings and category vocabularies, so a
municipality can adapt intake to its own HR system by editing TOML, not code. Specs are checked
strictly on load (a typo in a type or key must not silently turn into "column ignored").
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hrmetrics.errors import Refusal, SpecError
from hrmetrics.messages import both

COLUMN_TYPES: frozenset[str] = frozenset(
    {"id", "code", "text", "int", "number", "hours", "month", "date", "year", "fiscal_year",
     "wave", "bool", "category"}
)
"""Column types of docs/architecture.md (each has a parser in normalise/jpformat)."""

_TOP_KEYS = {"dataset", "title_ja", "title_en", "suite", "file_patterns", "grain", "pseudonymise",
             "replace", "reshape", "columns", "exclude_headers"}
_COLUMN_KEYS = {"type", "required", "generated", "aliases", "values", "year_window"}


@dataclass(frozen=True)
class ColumnSpec:
    """One canonical column: its type, whether the file must have it, the headers it may carry."""

    name: str
    type: str
    required: bool = False
    generated: bool = False
    """Produced by the reshape hook rather than read from a header (never "missing")."""
    aliases: tuple[str, ...] = ()
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """category only: canonical value -> accepted spellings (the canonical value is accepted too)."""
    year_window: bool = True
    """month/date/year/fiscal_year/wave: reject values outside the configured plausible years.
    False for columns that are not periods (a unit founded in 1970, `valid_to_fy = 9999`)."""


@dataclass(frozen=True)
class PipelineSpec:
    """A dataset's intake definition (see docs/architecture.md, "Pipeline spec")."""

    dataset: str
    title_ja: str
    title_en: str
    suite: str
    file_patterns: tuple[str, ...]
    grain: tuple[str, ...]
    pseudonymise: tuple[str, ...]
    replace: str
    reshape: str | None
    columns: dict[str, ColumnSpec]
    path: Path | None = None
    exclude_headers: tuple[str, ...] = ()
    """Headers that rule the spec out in header matching (a survey export carries Employee ID
    too, but it is not an attributes file)."""

    @property
    def has_required(self) -> bool:
        """Whether the file must carry some column (a question-text export needs none)."""
        return any(c.required and not c.generated for c in self.columns.values())

    def title(self, lang: str = "ja") -> str:
        """Dataset title in `lang`."""
        return self.title_en if lang == "en" else self.title_ja

    def header_names(self, name: str) -> tuple[str, ...]:
        """Every header accepted for column `name` (canonical name first)."""
        return (name, *self.columns[name].aliases)


_INVISIBLE = re.compile("[\ufeff\u200b-\u200d\u2060]")


def norm_header(text: str) -> str:
    """Header comparison key: NFKC, stripped, case-folded (so `ＳＴＡＦＦ_ID ` = `staff_id`); BOMs
    and zero-width characters (invisible in Excel) are dropped."""
    return unicodedata.normalize("NFKC", _INVISIBLE.sub("", str(text))).strip().casefold()


# ---------------------------------------------------------------------------------------------
# loading


def load_specs(workspace: Path | None = None) -> dict[str, PipelineSpec]:
    """All pipeline specs by dataset name (workspace copies shadow the packaged defaults)."""
    from hrmetrics.resources import list_resources

    specs: dict[str, PipelineSpec] = {}
    for path in list_resources("pipelines", "*.toml", workspace):
        spec = load_spec(path)
        key = spec.dataset if Path(path).stem == spec.dataset else Path(path).stem  # variants: survey_glint
        if key in specs:
            raise SpecError(path.name, "dataset", f"dataset '{spec.dataset}' is defined twice")
        specs[key] = spec
    return specs


def load_spec(path: Path) -> PipelineSpec:
    """Parse and check one spec file; every problem raises SpecError naming file and key."""
    name = Path(path).name
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SpecError(name, "(file)", f"TOML として読めません: {exc}") from exc
    return spec_from_dict(data, name, Path(path))


def spec_from_dict(data: dict[str, Any], name: str = "<dict>", path: Path | None = None) -> PipelineSpec:
    """Build a PipelineSpec from parsed TOML (separate from file reading so tests can use dicts)."""
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise SpecError(name, sorted(unknown)[0], "unknown key")
    for key in ("dataset", "suite"):
        _need_str(data, key, name)
    dataset = data["dataset"]
    columns_raw = data.get("columns")
    if not isinstance(columns_raw, dict) or not columns_raw:
        raise SpecError(name, "columns", "at least one [columns.<name>] table is required")
    columns = {col: _column(col, body, name) for col, body in columns_raw.items()}
    grain = _str_list(data, "grain", name)
    for g in grain:
        if g not in columns:
            raise SpecError(name, "grain", f"'{g}' is not a column")
    pseudo = _str_list(data, "pseudonymise", name)
    for p in pseudo:
        if p not in columns:
            raise SpecError(name, "pseudonymise", f"'{p}' is not a column")
    reshape = data.get("reshape")
    if reshape is not None and not isinstance(reshape, str):
        raise SpecError(name, "reshape", "must be a string")
    replace = data.get("replace", "all")
    if not isinstance(replace, str):
        raise SpecError(name, "replace", "must be a string")
    _check_aliases(columns, name)
    return PipelineSpec(
        dataset=dataset,
        title_ja=str(data.get("title_ja", dataset)),
        title_en=str(data.get("title_en", dataset)),
        suite=data["suite"],
        file_patterns=tuple(_str_list(data, "file_patterns", name)),
        grain=tuple(grain),
        pseudonymise=tuple(pseudo),
        replace=replace,
        reshape=reshape,
        columns=columns,
        path=path,
        exclude_headers=tuple(_str_list(data, "exclude_headers", name)),
    )


def _column(col: str, body: Any, name: str) -> ColumnSpec:
    """One [columns.<col>] table."""
    where = f"columns.{col}"
    if not isinstance(body, dict):
        raise SpecError(name, where, "must be a table")
    unknown = set(body) - _COLUMN_KEYS
    if unknown:
        raise SpecError(name, f"{where}.{sorted(unknown)[0]}", "unknown key")
    ctype = body.get("type")
    if ctype not in COLUMN_TYPES:
        raise SpecError(name, f"{where}.type", f"'{ctype}' is not one of {sorted(COLUMN_TYPES)}")
    for flag in ("required", "generated", "year_window"):
        if not isinstance(body.get(flag, False), bool):
            raise SpecError(name, f"{where}.{flag}", "must be true or false")
    aliases = body.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise SpecError(name, f"{where}.aliases", "must be a list of strings")
    values_raw = body.get("values", {})
    if ctype == "category" and not values_raw:
        raise SpecError(name, f"{where}.values", "a category column needs [values]")
    if ctype != "category" and values_raw:
        raise SpecError(name, f"{where}.values", "only category columns take values")
    values: dict[str, tuple[str, ...]] = {}
    for canon, spellings in values_raw.items():
        if not isinstance(spellings, list) or not all(isinstance(s, (str, int)) for s in spellings):
            raise SpecError(name, f"{where}.values.{canon}", "must be a list of strings")
        values[canon] = tuple(str(s) for s in spellings)
    return ColumnSpec(
        name=col,
        type=ctype,
        required=bool(body.get("required", False)),
        generated=bool(body.get("generated", False)),
        aliases=tuple(aliases),
        values=values,
        year_window=bool(body.get("year_window", True)),
    )


def _check_aliases(columns: dict[str, ColumnSpec], name: str) -> None:
    """A header may map to one column only, otherwise mapping would depend on column order."""
    owner: dict[str, str] = {}
    for col in columns.values():
        for header in (col.name, *col.aliases):
            key = norm_header(header)
            if owner.setdefault(key, col.name) != col.name:
                raise SpecError(name, f"columns.{col.name}.aliases",
                                f"header '{header}' is also used by '{owner[key]}'")
    for col in columns.values():
        seen: dict[str, str] = {}
        for canon, spellings in col.values.items():
            for s in (canon, *spellings):
                key = norm_header(s)
                if seen.setdefault(key, canon) != canon:
                    raise SpecError(name, f"columns.{col.name}.values.{canon}",
                                    f"'{s}' is also a spelling of '{seen[key]}'")


def _need_str(data: dict[str, Any], key: str, name: str) -> None:
    if not isinstance(data.get(key), str) or not data[key]:
        raise SpecError(name, key, "a non-empty string is required")


def _str_list(data: dict[str, Any], key: str, name: str) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SpecError(name, key, "must be a list of strings")
    return value


# ---------------------------------------------------------------------------------------------
# matching a file to a spec


def match_spec(path: Path, headers: list[str], specs: dict[str, PipelineSpec]) -> PipelineSpec:
    """Which dataset a file is: file-name patterns first, else best header-alias overlap.

    Names are compared NFKC + case-folded, so `ＯＶＥＲＴＩＭＥ_2024.CSV` and `時間外勤務_R6.xlsx`
    both match. Header matching counts the spec's non-generated columns found among the headers;
    the spec must have all its required (non-generated) columns, and a tie is ambiguous. An
    ambiguous or missing match is a refusal listing the candidates, never a guess.
    """
    file_name = Path(path).name
    by_name = [s for s in specs.values() if _name_matches(file_name, s.file_patterns)]
    if len({s.dataset for s in by_name}) == 1:  # one dataset by name: its best-fitting variant
        return _best_variant(by_name[0], headers, specs)
    pool = by_name or list(specs.values())
    scored = sorted(((_header_score(s, headers), s.dataset) for s in pool), reverse=True)
    scored = [(score, ds) for score, ds in scored if score > 0]
    if len(scored) == 1:
        return max((s for s in pool if s.dataset == scored[0][1]), key=lambda s: _header_score(s, headers))
    if len({ds for _, ds in scored}) > 1:  # more columns is no proof: a leave file may carry 年月
        candidates = sorted({ds for _, ds in scored})
        examples = [_example_name(specs[c]) for c in candidates if c in specs]
        raise Refusal("ambiguous_dataset", file_name,
                      {"candidates": candidates, "examples": examples, "headers": list(headers)})
    if scored:  # variants of one dataset (survey, survey_glint): the better fit
        return max((s for s in pool if s.dataset == scored[0][1]), key=lambda s: _header_score(s, headers))
    if len(headers) == 1 and any(ch in headers[0] for ch in ";|"):
        raise Refusal("bad_delimiter", file_name, {"header": headers[0]})
    if by_name:
        candidates = [s.dataset for s in by_name]
        reason = both("unknown_dataset.name_only")
    else:
        candidates = sorted(specs)
        reason = both("unknown_dataset.nothing")
    raise Refusal("unknown_dataset", file_name,
                  {"candidates": candidates, "reason": reason, "headers": list(headers)})


def _best_variant(named: PipelineSpec, headers: list[str], specs: dict[str, PipelineSpec]) -> PipelineSpec:
    """Among the specs of `named`'s dataset (survey: canonical, Glint, Forms, question-text),
    the one whose headers fit best; else one that needs no column; else `named` itself (whose
    missing columns the normaliser then names)."""
    variants = [s for s in specs.values() if s.dataset == named.dataset]
    scored = [(score, -i) for i, s in enumerate(variants) if (score := _header_score(s, headers)) > 0]
    if scored and headers:
        return variants[-max(scored)[1]]
    loose = [s for s in variants if not s.has_required]
    return loose[0] if loose and headers else named


def _example_name(spec: PipelineSpec) -> str:
    """A file name that the spec's first pattern recognises (`overtime*` → `overtime_….csv`)."""
    pattern = spec.file_patterns[0] if spec.file_patterns else spec.dataset
    return pattern.replace("*", "_…", 1).replace("*", "") + ".csv" if "*" in pattern else pattern


def _name_matches(file_name: str, patterns: tuple[str, ...]) -> bool:
    key = norm_header(file_name)
    return any(fnmatch.fnmatchcase(key, norm_header(p)) for p in patterns)


def _header_score(spec: PipelineSpec, headers: list[str]) -> int:
    """Columns of `spec` present among `headers`; 0 if a required column is missing."""
    found = {norm_header(h) for h in headers}
    if not spec.has_required or any(norm_header(h) in found for h in spec.exclude_headers):
        return 0  # a spec that needs no column is chosen by its file name only
    score = 0
    for col in spec.columns.values():
        if col.generated:
            continue
        present = any(norm_header(h) in found for h in spec.header_names(col.name))
        if col.required and not present:
            return 0
        score += present
    return score
