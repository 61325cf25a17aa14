"""thresholds.yaml as a typed, validated ruleset. A bad file is refused with messages that name the line.

    ruleset = load_rules(text, source="thresholds.yaml")     # raises RulesError listing every problem
    ruleset.level(3).name_zh                                  # 较重
    ruleset.risk("unemployment").name_zh                      # 规模性失业风险

The file has four parts: `levels` (the graded response: I-IV with lead unit, response plan, deadlines), `risks`
(what an alert is about; one alert per region and risk), `rules` (service/alerting/kinds.py) and
`lookback_months` (how far back each evaluation replays the rules' for/hysteresis/hold).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from service.alerting.errors import RulesError
from service.alerting.kinds import BreadthRule, CompositeRule, Grade, Rule

__all__ = ["Level", "Risk", "RulesError", "Ruleset", "load_rules", "load_rules_file"]


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
    report_to_zh: str = ""
    report_to_en: str = ""
    report_within_hours: float = Field(gt=0)
    # An unacknowledged alert passes to the parent region's department after this long (county -> city -> province).
    ack_within_hours: float = Field(gt=0)
    # While an alert is in force and unacknowledged, its subscribers are reminded this often.
    remind_every_hours: float = Field(default=24, gt=0)
    source: str


class Risk(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name_zh: str
    name_en: str
    # Alertmanager-style inhibition (inhibit.py): a region's alert of this risk sends no notices while the same
    # region has an alert of another risk at a more severe grade. Data gaps should say so whatever else fires.
    inhibited_by_higher_grades: bool = True


class Ruleset(_Strict):
    version: Literal[1]
    lookback_months: int = Field(default=36, ge=13, le=240)
    levels: list[Level]
    risks: list[Risk] = Field(min_length=1)
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
        risks = {r.code for r in self.risks}
        problems = [
            f"rule {r.id}: unknown risk {r.risk!r} (risks: {', '.join(sorted(risks))})"
            for r in self.rules
            if r.risk not in risks
        ]
        by_id = {r.id: r for r in self.rules}
        for r in self.rules:
            for g in r.only_when:
                if g not in by_id or g == r.id:
                    problems.append(f"rule {r.id}: only_when {g!r} is not another rule's id")
                elif by_id[g].only_when:
                    problems.append(f"rule {r.id}: only_when {g!r} has only_when rules of its own (one level only)")
            members = r.members if isinstance(r, CompositeRule) else [r.member] if isinstance(r, BreadthRule) else []
            for m in members:
                if m not in by_id:
                    problems.append(f"rule {r.id}: member {m!r} is not a rule id")
                elif isinstance(by_id[m], CompositeRule | BreadthRule) and not (
                    isinstance(r, CompositeRule) and isinstance(by_id[m], BreadthRule)
                ):
                    problems.append(
                        f"rule {r.id}: member {m!r} must be a plain rule (or a breadth rule in a composite)"
                    )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def level(self, grade: int) -> Level:
        return next(level for level in self.levels if level.grade == grade)

    def risk(self, code: str) -> Risk:
        return next(r for r in self.risks if r.code == code)

    def rule(self, rule_id: str):
        return next(r for r in self.rules if r.id == rule_id)

    @property
    def indicators(self) -> set[str]:
        """Every observed indicator some rule reads."""
        return set().union(*(r.needs for r in self.rules)) if self.rules else set()


def load_rules_file(path: Path) -> Ruleset:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesError([f"{path}: cannot read: {exc.strerror}"]) from exc
    return load_rules(text, source=str(path))


def load_rules(text: str, *, source: str = "thresholds.yaml") -> Ruleset:
    """Parse and validate; every problem is reported at once, each with the line it points to."""
    try:
        node = yaml.compose(text)
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise RulesError([f"{source}{line}: not valid YAML: {getattr(exc, 'problem', exc)}"]) from exc
    if not isinstance(doc, dict):
        raise RulesError([f"{source}:1: expected a mapping with version, levels, risks and rules"])
    try:
        ruleset = Ruleset.model_validate(doc)
    except ValidationError as exc:
        problems = []
        for e in exc.errors():
            loc = _without_tags(node, e["loc"])
            problems.append(f"{source}:{_line(node, loc)}: {_where(loc)}{e['msg'].removeprefix('Value error, ')}")
        raise RulesError(problems) from exc
    return ruleset.model_copy(update={"sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()})


def _where(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc) + ": " if loc else ""


def _without_tags(node: yaml.Node | None, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop the discriminator tags pydantic puts in a location ('rules', 0, 'threshold', 'for')."""
    out: list[Any] = []
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if str(k.value) == str(part)), None)
            if match is None:
                kind = next((v.value for k, v in node.value if k.value == "kind"), None)
                if part == kind:
                    continue
                out.append(part)
                node = None
                continue
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            node = None
        out.append(part)
    return tuple(out)


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
