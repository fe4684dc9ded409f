"""The catalogue's data model: procedures, phases, steps, drugs, allergies and LAST rules, each with sources.

Plain frozen dataclasses so the engine can hold them and tests can compare them; parsing lives in
:mod:`sonocart.procedures.catalogue`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
SHARED_FILES = frozenset({"sources.toml", "drugs.toml", "phases.toml", "last.toml", "alarms.toml"})
#: Events that may escalate the observation (last.toml [escalation]); State.escalation_reasons reads them.
ESCALATION_TRIGGERS = ("dose_over_max", "blood_aspirated", "suspected_last", "last_mode")
#: The class name a procedure's ``[medications] offered`` uses for every local anaesthetic.
LOCAL_ANAESTHETIC = "local_anaesthetic"
#: Procedure bleeding-risk classes (ASRA pain guidelines, Narouze et al. 2018).
BLEEDING_RISKS = ("low", "intermediate", "high")
#: The hard stop of the hours-since-the-last-dose step: fewer hours than a held drug's hold time.
HOLD_TIME_RULE = "anticoagulant_hold_too_short"


class CatalogueError(ValueError):
    """The catalogue data is malformed or cites an unknown source."""


@dataclass(frozen=True)
class FunctionTest:
    """One functional outcome measure a ``measure = "function"`` step accepts."""

    id: str
    name: str
    unit: str
    max: float | None = None

    @property
    def label(self) -> str:
        return f"{self.name} ({self.unit})"


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
    tests: tuple[FunctionTest, ...] = ()
    #: A short name for the chart note ("Capillary glucose"); default: the text's first clause.
    title: str = ""
    #: What a yes / a no means in words, for the chart note ("No prior reaction to an injection").
    said_yes: str = ""
    said_no: str = ""
    #: Option id -> the words the screen and the chart note show (the catalogue names every option).
    option_names: tuple[tuple[str, str], ...] = ()
    #: Options that exclude every other ("none" and "suspected LAST" cannot both be ticked).
    exclusive: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """What staff call this step in a sentence: its title, else its text's first clause (whole:
        never cut to a length; the catalogue's longest is 39 characters)."""
        return self.title or self.text.split(":")[0].split(" (")[0].rstrip(".?")

    def option_name(self, option: str) -> str:
        """The catalogue's words for ``option``; an id the step does not offer is named as not one of its
        options (never shown as the id itself: a stored answer from another catalogue version)."""
        return dict(self.option_names).get(option, "an option this catalogue does not list")

    def yes_no_words(self, value: bool) -> str:
        """A yes/no answer as what it means: the catalogue's words, else the step's text and the answer."""
        said = self.said_yes if value else self.said_no
        return said or f"{self.text.rstrip('?.')}: {'yes' if value else 'no'}"


@dataclass(frozen=True)
class Phase:
    id: str
    title: str
    source: tuple[str, ...]
    steps: tuple[Step, ...]
    #: The operator is scrubbed: pedals drive the cart and the screen never locks.
    sterile: bool


@dataclass(frozen=True)
class DoseLimit:
    mg_per_kg: float
    max_mg: float


@dataclass(frozen=True)
class Strength:
    """One presentation the site stocks: a button on the medications step and a strength the engine accepts.

    ``unit`` is ``%`` for a local anaesthetic (1 % = 10 mg/mL), else the drug's own (``mg/mL``...);
    ``epinephrine`` is the premixed ratio (``1:200,000``), empty when plain.
    """

    drug: str
    value: float
    unit: str
    epinephrine: str = ""

    @property
    def label(self) -> str:
        epi = f" with epinephrine {self.epinephrine}" if self.epinephrine else ""
        return f"{self.value:g} {self.unit}{epi}"

    def part(self) -> dict[str, Any]:
        """This strength as one entry of a syringe's ``contents`` in the medications answer."""
        if self.unit == "%":
            return {"drug": self.drug, "percent": self.value, "epinephrine": bool(self.epinephrine)}
        return {"drug": self.drug, "mg_per_ml": self.value}


@dataclass(frozen=True)
class LocalAnaesthetic:
    id: str
    name: str
    la_class: str
    plain: DoseLimit
    with_epinephrine: DoseLimit
    source: tuple[str, ...]
    #: Stocked strengths (%), plain and premixed with epinephrine (at ``epinephrine_ratio``).
    percent: tuple[float, ...]
    percent_with_epinephrine: tuple[float, ...]
    epinephrine_ratio: str
    #: The name as screens show it (tall-man letters for look-alikes, ismp_tallman); "" = ``name``.
    display_name: str = ""

    def strengths(self) -> tuple[Strength, ...]:
        plain = (Strength(self.id, p, "%") for p in self.percent)
        epi = (Strength(self.id, p, "%", self.epinephrine_ratio) for p in self.percent_with_epinephrine)
        return (*plain, *epi)


@dataclass(frozen=True)
class OtherDrug:
    id: str
    name: str
    tags: tuple[str, ...]
    source: tuple[str, ...]
    #: Stocked strengths in ``unit``; none for what is not drawn into a syringe (skin preparations).
    mg_per_ml: tuple[float, ...]
    unit: str
    #: The name as screens show it (tall-man letters for look-alikes, ismp_tallman); "" = ``name``.
    display_name: str = ""

    def strengths(self) -> tuple[Strength, ...]:
        return tuple(Strength(self.id, v, self.unit) for v in self.mg_per_ml)


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
    #: Bleeding-risk class -> the hours the last dose must be before the procedure (cited figures only;
    #: a class the guideline gives no figure for is absent, and that drug's hours are not checked there).
    hold_hours: tuple[tuple[str, float], ...] = ()

    def hours_needed(self, risk: str) -> float | None:
        return dict(self.hold_hours).get(risk)


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
    #: Drug classes the medications step offers: ``local_anaesthetic`` or an other drug's tag.
    offered: frozenset[str]


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
class AlarmRule:
    """One row of the alarm and prompt table (catalogue/alarms.toml): priority and when the prompt ends."""

    key: str
    priority: str  # HIGH / MEDIUM / LOW (IEC 60601-1-8)
    holds_while: str  # a state condition keeping the prompt shown while it holds ("" none)
    expires: str  # "step" / "phase": ends with the step or phase it was raised in ("" acknowledged)
    source: tuple[str, ...]
    #: A hard stop whose override needs a second operator's PIN besides the one who overrides.
    second_person: bool = False
    #: Written words shown for the prompt once acknowledged while it still holds (the whole text is on the
    #: Alarms list); "" none. Never a cut of the text.
    short: str = ""


@dataclass(frozen=True)
class LastRules:
    onset_min: tuple[float, float]
    tail_min: float
    watch_text: str
    lipid: LipidRules
    steps: tuple[LastStep, ...]
    #: What escalates the observation to the whole LAST watch and needs a clinician's clearance.
    escalate_on: tuple[str, ...] = ()
    #: The reasons a clearing clinician chooses from on the touchscreen.
    clear_reasons: tuple[str, ...] = ()


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
    alarms: dict[str, AlarmRule] = field(default_factory=dict)
    #: A prompt is acknowledged only once its text has been on screen this long.
    ack_min_shown_s: float = 1.0
    #: How long the live image must be gone during needle work before the HIGH image-lost alarm.
    image_lost_after_s: float = 1.0

    def alarm_rule(self, prompt_id: str) -> AlarmRule | None:
        """The table row for ``prompt_id``: the exact id, else the longest key it starts with."""
        if prompt_id in self.alarms:
            return self.alarms[prompt_id]
        keys = [k for k in self.alarms if prompt_id.startswith(k) and prompt_id[len(k)] in ":_"]
        return self.alarms[max(keys, key=len)] if keys else None

    def short_form(self, prompt_id: str) -> str:
        """The table's short form for ``prompt_id`` ("" when its row has none or it has no row)."""
        rule = self.alarm_rule(prompt_id)
        return rule.short if rule is not None else ""

    @property
    def sterile_phases(self) -> frozenset[str]:
        """Ids of the phases in which the operator is sterile (pedals drive, the screen never locks)."""
        return frozenset(ph.id for p in self.procedures.values() for ph in p.phases if ph.sterile)

    def drug_name(self, drug: str) -> str:
        if drug in self.local_anaesthetics:
            return self.local_anaesthetics[drug].name
        if drug in self.other_drugs:
            return self.other_drugs[drug].name
        raise CatalogueError(f"unknown drug {drug!r}")

    def drug_display_name(self, drug: str) -> str:
        """The drug's name as screens show it: tall-man letters for look-alikes (ismp_tallman)."""
        d = self.local_anaesthetics.get(drug) or self.other_drugs.get(drug)
        if d is None:
            raise CatalogueError(f"unknown drug {drug!r}")
        return d.display_name or d.name

    def strengths(self, drug: str) -> tuple[Strength, ...]:
        """What the site stocks of ``drug`` (empty: not drawn into a syringe, or no longer stocked)."""
        if drug in self.local_anaesthetics:
            return self.local_anaesthetics[drug].strengths()
        if drug in self.other_drugs:
            return self.other_drugs[drug].strengths()
        raise CatalogueError(f"unknown drug {drug!r}")

    def offered_drugs(self, procedure: Procedure) -> tuple[str, ...]:
        """Drugs the medications step offers for ``procedure``, in catalogue order, each with a stock."""
        las = [d for d in self.local_anaesthetics if LOCAL_ANAESTHETIC in procedure.offered]
        others = [d for d, o in self.other_drugs.items() if procedure.offered.intersection(o.tags)]
        return tuple(d for d in (*las, *others) if self.strengths(d))

    def procedure(self, procedure_id: str) -> Procedure:
        try:
            return self.procedures[procedure_id]
        except KeyError:
            known = ", ".join(sorted(self.procedures))
            raise CatalogueError(f"unknown procedure {procedure_id!r}; known: {known}") from None
