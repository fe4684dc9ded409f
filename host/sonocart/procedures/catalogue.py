"""Load the procedure catalogue (TOML data, one file per procedure) and check every rule cites a source.

Clinical content lives in ``catalogue/*.toml`` so a clinician can review it without reading code; this module
only parses and validates it. A site file may change local defaults (observation time, pause between
aliquots), may lower, never raise, a maximum dose, and may stock fewer strengths of a drug, never others.
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

from sonocart.procedures.catalogue_alarms import alarm_table
from sonocart.procedures.catalogue_drugs import antithrombotic, local_anaesthetic, narrow_stock, other_drug
from sonocart.procedures.catalogue_model import (
    ESCALATION_TRIGGERS,
    HOLD_TIME_RULE,
    LOCAL_ANAESTHETIC,
    SHARED_FILES,
    STEP_KINDS,
    Allergy,
    Antithrombotic,
    Catalogue,
    CatalogueError,
    DoseLimit,
    FunctionTest,
    InjectionRules,
    Instruction,
    LastRules,
    LastStep,
    LipidRules,
    LocalAnaesthetic,
    OtherDrug,
    Phase,
    Procedure,
    Step,
    Strength,
)
from sonocart.validation.catalogue import check_catalogue
from sonocart.validation.site import check_site
from sonocart.validation.values import Refused

__all__ = [
    "SHARED_FILES",
    "STEP_KINDS",
    "Allergy",
    "Antithrombotic",
    "Catalogue",
    "CatalogueError",
    "DoseLimit",
    "FunctionTest",
    "InjectionRules",
    "Instruction",
    "LastRules",
    "LastStep",
    "LipidRules",
    "LocalAnaesthetic",
    "OtherDrug",
    "Phase",
    "Procedure",
    "Step",
    "Strength",
    "default_catalogue_dir",
    "load_catalogue",
]


class _Reader:
    """Collects every citation as it parses so unknown source ids are reported together."""

    def __init__(self, sources: dict[str, str]) -> None:
        self.sources = sources
        self.cited: dict[str, tuple[str, ...]] = {}

    def cite(self, where: str, table: dict[str, Any]) -> tuple[str, ...]:
        ids = tuple(table.get("source", ()))
        if not ids:
            raise CatalogueError(f"{where}: no source cited")
        unknown = [s for s in ids if s not in self.sources]
        if unknown:
            raise CatalogueError(f"{where}: unknown source(s) {unknown}")
        self.cited[where] = ids
        return ids


def _pair(value: Any, where: str) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) != 2:
        raise CatalogueError(f"{where}: expected [low, high]")
    return float(value[0]), float(value[1])


def _step(reader: _Reader, where: str, raw: dict[str, Any]) -> Step:
    kind = raw.get("kind", "")
    if kind not in STEP_KINDS:
        raise CatalogueError(f"{where}: unknown step kind {kind!r}")
    if "id" not in raw or "text" not in raw:
        raise CatalogueError(f"{where}: a step needs id and text")
    if kind == "number" and raw.get("hard_stop") not in (None, HOLD_TIME_RULE):
        raise CatalogueError(f"{where}.{raw['id']}: a number step's only hard stop is {HOLD_TIME_RULE}")
    return Step(
        id=raw["id"],
        kind=kind,
        text=raw["text"],
        source=reader.cite(f"{where}.{raw['id']}", raw),
        only_if=tuple(raw.get("only_if", ())),
        expect=raw.get("expect"),
        hard_stop=raw.get("hard_stop"),
        hard_stop_on=tuple(raw.get("hard_stop_on", ())),
        options=tuple(raw.get("options", ())),
        multiple=bool(raw.get("multiple", False)),
        min=raw.get("min"),
        max=raw.get("max"),
        unit=raw.get("unit", ""),
        warn_above=raw.get("warn_above"),
        warn_text=raw.get("warn_text", ""),
        measure=raw.get("measure", ""),
        weeks=tuple(int(w) for w in raw.get("weeks", ())),
        tests=_function_tests(f"{where}.{raw['id']}", raw),
        title=str(raw.get("title", "")),
        said_yes=str(raw.get("said_yes", "")),
        said_no=str(raw.get("said_no", "")),
        option_names=_option_names(f"{where}.{raw['id']}", raw),
        exclusive=_exclusive(f"{where}.{raw['id']}", raw),
    )


def _option_names(where: str, raw: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """Every option of a choice in the words staff read: an option id is never shown (issue #14)."""
    names = raw.get("option_names", {})
    options = [str(o) for o in raw.get("options", ())]
    if not isinstance(names, dict) or set(names) != set(options):
        missing = sorted(set(options) - set(names)) if isinstance(names, dict) else options
        raise CatalogueError(f"{where}: option_names must name each option, no more (missing: {missing})")
    if any(not isinstance(v, str) or not v.strip() for v in names.values()):
        raise CatalogueError(f"{where}: an option's name is words, never empty")
    return tuple((o, str(names[o])) for o in options)


def _exclusive(where: str, raw: dict[str, Any]) -> tuple[str, ...]:
    out = tuple(str(o) for o in raw.get("exclusive", ()))
    if out and (not raw.get("multiple") or not set(out) <= set(raw.get("options", ()))):
        raise CatalogueError(f"{where}: exclusive options must be options of a multiple choice")
    return out


def _function_tests(where: str, raw: dict[str, Any]) -> tuple[FunctionTest, ...]:
    if raw.get("measure") != "function":
        return ()
    tests = raw.get("tests", ())
    if not tests or any(not isinstance(t, dict) or not {"id", "name", "unit"} <= t.keys() for t in tests):
        raise CatalogueError(f"{where}: a function measure lists its tests, each with id, name and unit")
    return tuple(FunctionTest(t["id"], t["name"], t["unit"], t.get("max")) for t in tests)


def _sterile(where: str, raw: dict[str, Any]) -> bool:
    value = raw.get("sterile")
    if not isinstance(value, bool):
        raise CatalogueError(f"{where}: say whether the phase is sterile (sterile = true or false)")
    return value


def _offered(reader: _Reader, where: str, raw: dict[str, Any], tags: set[str]) -> frozenset[str]:
    meds = raw.get("medications")
    if not isinstance(meds, dict) or not meds.get("offered"):
        raise CatalogueError(f"{where}: missing [medications] offered = [...] (what the step offers)")
    offered = frozenset(meds["offered"])
    unknown = offered - tags - {LOCAL_ANAESTHETIC}
    if unknown:
        raise CatalogueError(f"{where}: medications.offered {sorted(unknown)} is no drug class or tag")
    reader.cite(f"{where}.medications", meds)
    return offered


def _procedure(
    reader: _Reader, raw: dict[str, Any], phases: dict[str, Phase], name: str, tags: set[str]
) -> Procedure:
    pid = raw.get("id", name)
    where = f"procedure {pid}"
    try:
        inj = raw["injection"]
        obs = raw["observation"]
        out = raw["outcomes"]
        risk = raw["bleeding_risk"]
        phase_ids = raw["phases"]
    except KeyError as exc:
        raise CatalogueError(f"{where}: missing table {exc}") from None
    unknown = [p for p in phase_ids if p not in phases]
    if unknown:
        raise CatalogueError(f"{where}: unknown phase(s) {unknown}")
    flags = frozenset(raw.get("flags", ()))
    reader.cite(f"{where}.flags", {"source": raw.get("flags_source", ())})
    if "local_anaesthetic" in raw.get("medications", {}).get("offered", ()):
        flags |= {"local_anaesthetic"}  # steps for every local-anaesthetic procedure (the lipid check)
    if risk.get("class") not in {"low", "intermediate", "high"}:
        raise CatalogueError(f"{where}: bleeding_risk.class must be low, intermediate or high")
    chosen = []
    for pid_ in phase_ids:
        phase = phases[pid_]
        steps = tuple(s for s in phase.steps if not s.only_if or flags.intersection(s.only_if))
        chosen.append(replace(phase, steps=steps))
    return Procedure(
        id=pid,
        name=raw["name"],
        flags=flags,
        sides=tuple(raw["sides"]),
        bleeding_risk=risk["class"],
        phases=tuple(chosen),
        injection=InjectionRules(
            aliquot_ml=_pair(inj["aliquot_ml"], f"{where}.injection.aliquot_ml"),
            pause_s=float(inj["pause_s"]),
            max_rate_ml_per_min=float(inj["max_rate_ml_per_min"]),
            test_dose_watch_s=float(inj["test_dose_watch_s"]),
            typical_total_ml=float(inj["typical_total_ml"]),
            source=reader.cite(f"{where}.injection", inj),
        ),
        observation_minutes=float(obs["minutes"]),
        diagnostic=bool(out["diagnostic"]),
        post_pain_minutes=tuple(float(m) for m in out["post_pain_minutes"]),
        sources=reader.cite(f"{where}.bleeding_risk", risk)
        + reader.cite(f"{where}.observation", obs)
        + reader.cite(f"{where}.outcomes", out),
        offered=_offered(reader, where, raw, tags),
    )


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{path.name}: {exc}") from exc
    except (OSError, UnicodeDecodeError, RecursionError) as exc:
        raise CatalogueError(f"{path.name}: cannot be read as TOML ({type(exc).__name__}: {exc})") from exc


def default_catalogue_dir() -> Path:
    return Path(str(resources.files("sonocart.procedures") / "catalogue"))


def load_catalogue(directory: Path | None = None, site_file: Path | None = None) -> Catalogue:
    """Parse and validate the catalogue; ``site_file`` applies local defaults (see module doc)."""
    directory = directory or default_catalogue_dir()
    try:  # the boundary: the shipped files are the reviewed ones, the limits at most the cited ceilings
        check_catalogue(directory, shipped=directory == default_catalogue_dir())
    except Refused as exc:
        raise CatalogueError(str(exc)) from exc
    sources = {k: v["citation"] for k, v in _load_toml(directory / "sources.toml")["sources"].items()}
    reader = _Reader(sources)
    phases_raw = _load_toml(directory / "phases.toml")
    phases: dict[str, Phase] = {}
    for raw in phases_raw["phases"]:
        where = f"phase {raw['id']}"
        steps = tuple(_step(reader, where, s) for s in raw.get("steps", ()))
        phases[raw["id"]] = Phase(
            raw["id"], raw["title"], reader.cite(where, raw), steps, sterile=_sterile(where, raw)
        )
    discharge = tuple(
        Instruction(d["text"], tuple(d.get("only_if", ())), reader.cite(f"discharge[{i}]", d))
        for i, d in enumerate(phases_raw.get("discharge", ()))
    )
    drugs = _load_toml(directory / "drugs.toml")
    las = {k: local_anaesthetic(reader.cite, k, v) for k, v in drugs["local_anaesthetics"].items()}
    others = {k: other_drug(reader.cite, k, v) for k, v in drugs["other"].items()}
    tags = {t for o in others.values() for t in o.tags}
    allergies = {
        k: Allergy(
            k,
            v["name"],
            tuple(v.get("forbids_la_class", ())),
            tuple(v.get("forbids_tags", ())),
            v.get("advice", ""),
            reader.cite(f"allergy {k}", v),
        )
        for k, v in drugs["allergies"].items()
    }
    antithrombotics = {k: antithrombotic(reader.cite, k, v) for k, v in drugs["antithrombotics"].items()}
    last = _last(reader, _load_toml(directory / "last.toml"))
    procedures: dict[str, Procedure] = {}
    for path in sorted(directory.glob("*.toml")):
        if path.name in SHARED_FILES:
            continue
        proc = _procedure(reader, _load_toml(path), phases, path.stem, tags)
        procedures[proc.id] = proc
    alarms, ack_min_shown_s, image_lost_after_s = alarm_table(
        reader.cite, _load_toml(directory / "alarms.toml")
    )
    catalogue = Catalogue(
        sources,
        procedures,
        las,
        others,
        allergies,
        antithrombotics,
        discharge,
        last,
        alarms=alarms,
        ack_min_shown_s=ack_min_shown_s,
        image_lost_after_s=image_lost_after_s,
    )
    catalogue.cited.update(reader.cited)
    if site_file is not None:
        try:
            site = check_site(_load_toml(site_file))  # the validation boundary: shape, types, ranges
        except Refused as exc:
            raise CatalogueError(str(exc)) from exc
        catalogue = _apply_site(catalogue, site)
    return catalogue


def _last(reader: _Reader, raw: dict[str, Any]) -> LastRules:
    lip = raw["lipid"]
    watch = raw["watch"]
    reader.cite("last", raw)
    esc = raw.get("escalation", {})
    reader.cite("last.escalation", esc)
    unknown = sorted(set(esc.get("escalate_on", ())) - set(ESCALATION_TRIGGERS))
    if unknown:
        raise CatalogueError(
            f"last.escalation: unknown trigger(s) {unknown}; known: {list(ESCALATION_TRIGGERS)}"
        )
    return LastRules(
        onset_min=_pair(watch["usual_onset_min"], "last.watch"),
        tail_min=float(watch["tail_min"]),
        watch_text=watch["text"],
        lipid=LipidRules(
            weight_threshold_kg=float(lip["weight_threshold_kg"]),
            heavy_bolus_ml=float(lip["heavy_bolus_ml"]),
            heavy_bolus_minutes=_pair(lip["heavy_bolus_minutes"], "lipid"),
            heavy_infusion_ml=_pair(lip["heavy_infusion_ml"], "lipid"),
            heavy_infusion_minutes=_pair(lip["heavy_infusion_minutes"], "lipid"),
            light_bolus_ml_per_kg=float(lip["light_bolus_ml_per_kg"]),
            light_bolus_minutes=_pair(lip["light_bolus_minutes"], "lipid"),
            light_infusion_ml_per_kg_per_min=float(lip["light_infusion_ml_per_kg_per_min"]),
            upper_limit_ml_per_kg=float(lip["upper_limit_ml_per_kg"]),
            repeat_bolus_after_min=float(lip["repeat_bolus_after_min"]),
            source=reader.cite("last.lipid", lip),
        ),
        steps=tuple(
            LastStep(s["id"], s["text"], s.get("starts_timer"), reader.cite(f"last.{s['id']}", s))
            for s in raw["steps"]
        ),
        escalate_on=tuple(esc.get("escalate_on", ())),
        clear_reasons=tuple(str(r) for r in esc.get("clear_reasons", ())),
    )


SITE_TABLES = ("dose_limits", "procedures", "stock")
SITE_PROCEDURE_KEYS = ("observation_minutes", "pause_s")


def _apply_site(cat: Catalogue, site: dict[str, Any]) -> Catalogue:
    """Local defaults per site; a maximum dose may only go down (a raise is an error, never silent).

    An unknown table or key is refused too: a misspelt setting must not leave the cited default in force.
    """
    unknown = sorted(set(site) - set(SITE_TABLES))
    if unknown:
        raise CatalogueError(f"site file: unknown table(s) {unknown}; known: {list(SITE_TABLES)}")
    las, others = narrow_stock(cat.local_anaesthetics, cat.other_drugs, site.get("stock", {}))
    for drug, limits in site.get("dose_limits", {}).items():
        if drug not in las:
            raise CatalogueError(f"site file: unknown local anaesthetic {drug!r}")
        la = las[drug]
        new: dict[str, DoseLimit] = {}
        for key in ("plain", "with_epinephrine"):
            base: DoseLimit = getattr(la, key)
            got = limits.get(key, {})
            lim = DoseLimit(
                float(got.get("mg_per_kg", base.mg_per_kg)), float(got.get("max_mg", base.max_mg))
            )
            if lim.mg_per_kg > base.mg_per_kg or lim.max_mg > base.max_mg:
                raise CatalogueError(
                    f"site file: {drug} {key} limit {lim} is above the cited maximum {base}; "
                    "a site may lower a maximum dose, not raise it"
                )
            new[key] = lim
        las[drug] = replace(la, plain=new["plain"], with_epinephrine=new["with_epinephrine"])
    procs = dict(cat.procedures)
    for pid, changes in site.get("procedures", {}).items():
        proc = cat.procedure(pid)
        if bad := sorted(set(changes) - set(SITE_PROCEDURE_KEYS)):
            raise CatalogueError(
                f"site file: procedures.{pid}: unknown key(s) {bad}; known: {list(SITE_PROCEDURE_KEYS)}"
            )
        if "observation_minutes" in changes:
            proc = replace(proc, observation_minutes=float(changes["observation_minutes"]))
        if "pause_s" in changes:
            proc = replace(proc, injection=replace(proc.injection, pause_s=float(changes["pause_s"])))
        procs[pid] = proc
    return replace(cat, local_anaesthetics=las, other_drugs=others, procedures=procs)
