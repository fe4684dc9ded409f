"""The catalogue's data model: procedures, phases, steps, drugs, allergies and LAST rules, each with sources.

Plain frozen dataclasses so the engine can hold them and tests can compare them; parsing lives in
:mod:`sonocart.procedures.catalogue`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

STEP_KINDS = frozenset(
    {
        "confirm",
        "yesno",
        "number",
        "choice",
        "team",
        "team_confirm",
        "two_person_stop",
        "side",
        "allergies",
        "antithrombotics",
        "medications",
        "injection",
        "captures",
        "observation",
        "discharge",
        "follow_up",
        "outcome",
    }
)
SHARED_FILES = frozenset({"sources.toml", "drugs.toml", "phases.toml", "last.toml"})


class CatalogueError(ValueError):
    """The catalogue data is malformed or cites an unknown source."""


@dataclass(frozen=True)
class Step:
    id: str
    kind: str
    text: str
    source: tuple[str, ...]
    only_if: tuple[str, ...] = ()
    expect: bool | None = None
    hard_stop: str | None = None
    hard_stop_on: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    multiple: bool = False
    min: float | None = None
    max: float | None = None
    unit: str = ""
    warn_above: float | None = None
    warn_text: str = ""
    measure: str = ""
    weeks: tuple[int, ...] = ()


@dataclass(frozen=True)
class Phase:
    id: str
    title: str
    source: tuple[str, ...]
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class DoseLimit:
    mg_per_kg: float
    max_mg: float


@dataclass(frozen=True)
class LocalAnaesthetic:
    id: str
    name: str
    la_class: str
    plain: DoseLimit
    with_epinephrine: DoseLimit
    source: tuple[str, ...]


@dataclass(frozen=True)
class OtherDrug:
    id: str
    name: str
    tags: tuple[str, ...]
    source: tuple[str, ...]


@dataclass(frozen=True)
class Allergy:
    id: str
    name: str
    forbids_la_class: tuple[str, ...]
    forbids_tags: tuple[str, ...]
    advice: str
    source: tuple[str, ...]


@dataclass(frozen=True)
class Antithrombotic:
    id: str
    name: str
    hold: str
    must_hold_for: tuple[str, ...]
    source: tuple[str, ...]


@dataclass(frozen=True)
class Instruction:
    text: str
    only_if: tuple[str, ...]
    source: tuple[str, ...]


@dataclass(frozen=True)
class InjectionRules:
    aliquot_ml: tuple[float, float]
    pause_s: float
    max_rate_ml_per_min: float
    test_dose_watch_s: float
    typical_total_ml: float
    source: tuple[str, ...]


@dataclass(frozen=True)
class Procedure:
    id: str
    name: str
    flags: frozenset[str]
    sides: tuple[str, ...]
    bleeding_risk: str
    phases: tuple[Phase, ...]
    injection: InjectionRules
    observation_minutes: float
    diagnostic: bool
    post_pain_minutes: tuple[float, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class LipidRules:
    weight_threshold_kg: float
    heavy_bolus_ml: float
    heavy_bolus_minutes: tuple[float, float]
    heavy_infusion_ml: tuple[float, float]
    heavy_infusion_minutes: tuple[float, float]
    light_bolus_ml_per_kg: float
    light_bolus_minutes: tuple[float, float]
    light_infusion_ml_per_kg_per_min: float
    upper_limit_ml_per_kg: float
    repeat_bolus_after_min: float
    source: tuple[str, ...]


@dataclass(frozen=True)
class LastStep:
    id: str
    text: str
    starts_timer: str | None
    source: tuple[str, ...]


@dataclass(frozen=True)
class LastRules:
    onset_min: tuple[float, float]
    tail_min: float
    watch_text: str
    lipid: LipidRules
    steps: tuple[LastStep, ...]


@dataclass(frozen=True)
class Catalogue:
    sources: dict[str, str]
    procedures: dict[str, Procedure]
    local_anaesthetics: dict[str, LocalAnaesthetic]
    other_drugs: dict[str, OtherDrug]
    allergies: dict[str, Allergy]
    antithrombotics: dict[str, Antithrombotic]
    discharge: tuple[Instruction, ...]
    last: LastRules
    cited: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def procedure(self, procedure_id: str) -> Procedure:
        try:
            return self.procedures[procedure_id]
        except KeyError:
            known = ", ".join(sorted(self.procedures))
            raise CatalogueError(f"unknown procedure {procedure_id!r}; known: {known}") from None
