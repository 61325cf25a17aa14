"""thresholds.yaml as a typed, validated ruleset. A bad file is refused with messages that name the line.

ruleset = load_rules(text, source="thresholds.yaml")     # raises RulesError listing every problem
ruleset.level(3).name_zh                                  # 较重
"""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

__all__ = ["Level", "RulesError", "Ruleset", "ThresholdRule", "load_rules", "load_rules_file"]

Grade = Annotated[int, Field(ge=1, le=4)]


class RulesError(ValueError):
    """thresholds.yaml is not valid; `problems` lists each as 'file:line: message'."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Level(_Strict):
    grade: Grade
    code: Literal["I", "II", "III", "IV"]
    name_zh: str
    name_en: str
    colour: str
    lead_unit_zh: str
    lead_unit_en: str
    response_zh: str
    response_en: str
    report_within_hours: float = Field(gt=0)
    ack_within_hours: float = Field(gt=0)
    source: str


class ThresholdRule(_Strict):
    """Level threshold: the (transformed) indicator crosses a grade's bound for `for` consecutive periods."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    risk: str
    kind: Literal["threshold"]
    name_zh: str
    name_en: str
    indicator: str
    transform: Literal["value", "mean3"] = "value"
    op: Literal[">=", "<="] = ">="
    grades: dict[Grade, float]
    for_periods: int = Field(default=1, ge=1, alias="for")
    region_level: Literal["province", "city", "county"] = "city"
    source: str

    @field_validator("grades")
    @classmethod
    def _monotonic(cls, grades: dict[int, float], info) -> dict[int, float]:
        ordered = [grades[g] for g in sorted(grades, reverse=True)]  # IV, III, II, I
        op = info.data.get("op", ">=")
        ok = (
            all(a <= b for a, b in itertools.pairwise(ordered))
            if op == ">="
            else all(a >= b for a, b in itertools.pairwise(ordered))
        )
        if not ok:
            raise ValueError("a more severe grade (lower number) must need a more extreme value")
        return grades


Rule = ThresholdRule


class Ruleset(_Strict):
    version: Literal[1]
    levels: list[Level]
    rules: list[Rule]
    sha256: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> Ruleset:
        grades = sorted(level.grade for level in self.levels)
        if grades != [1, 2, 3, 4]:
            raise ValueError(f"levels must define grades 1-4 exactly once, got {grades}")
        ids = [r.id for r in self.rules]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"rule ids must be unique; repeated: {', '.join(dupes)}")
        return self

    def level(self, grade: int) -> Level:
        return next(level for level in self.levels if level.grade == grade)


def load_rules_file(path: Path) -> Ruleset:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesError([f"{path}: cannot read: {exc.strerror}"]) from exc
    return load_rules(text, source=str(path))


def load_rules(text: str, *, source: str = "thresholds.yaml") -> Ruleset:
    try:
        node = yaml.compose(text)
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise RulesError([f"{source}{line}: not valid YAML: {getattr(exc, 'problem', exc)}"]) from exc
    if not isinstance(doc, dict):
        raise RulesError([f"{source}:1: expected a mapping with version, levels and rules"])
    try:
        ruleset = Ruleset.model_validate(doc)
    except ValidationError as exc:
        raise RulesError(
            [f"{source}:{_line(node, e['loc'])}: {_where(e['loc'])}{e['msg']}" for e in exc.errors()]
        ) from exc
    return ruleset.model_copy(update={"sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()})


def _where(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc) + ": " if loc else ""


def _line(node: yaml.Node | None, loc: tuple[Any, ...]) -> int:
    """The 1-based line of the deepest YAML node on the error's path (the closest we can point to)."""
    line = node.start_mark.line + 1 if node is not None else 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if str(k.value) == str(part)), None)
            if match is None:
                break
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
        line = node.start_mark.line + 1
    return line
