"""20 % lipid emulsion doses for LAST, from the ASRA 2020 checklist numbers held in ``last.toml``."""

from __future__ import annotations

from dataclasses import dataclass

from sonocart.procedures.catalogue import LipidRules


@dataclass(frozen=True)
class LipidPlan:
    weight_kg: float
    bolus_ml: float
    bolus_minutes: tuple[float, float]
    #: Over 70 kg the infusion is a volume over a time; at 70 kg or less it is a rate.
    infusion_ml: tuple[float, float] | None
    infusion_minutes: tuple[float, float] | None
    infusion_ml_per_min: float | None
    upper_limit_ml: float

    def describe(self) -> str:
        bolus = f"bolus {self.bolus_ml:g} mL over {self.bolus_minutes[0]:g}-{self.bolus_minutes[1]:g} min"
        if self.infusion_ml and self.infusion_minutes:
            inf = (
                f"infusion {self.infusion_ml[0]:g}-{self.infusion_ml[1]:g} mL over "
                f"{self.infusion_minutes[0]:g}-{self.infusion_minutes[1]:g} min"
            )
        else:
            inf = f"infusion {self.infusion_ml_per_min:g} mL/min"
        return f"20% lipid: {bolus}; {inf}; upper limit about {self.upper_limit_ml:g} mL"


def lipid_plan(rules: LipidRules, weight_kg: float) -> LipidPlan:
    if not 1 <= weight_kg <= 400:
        raise ValueError(f"weight {weight_kg} kg is out of range")
    upper = round(rules.upper_limit_ml_per_kg * weight_kg, 1)
    if weight_kg > rules.weight_threshold_kg:
        return LipidPlan(
            weight_kg,
            rules.heavy_bolus_ml,
            rules.heavy_bolus_minutes,
            rules.heavy_infusion_ml,
            rules.heavy_infusion_minutes,
            None,
            upper,
        )
    return LipidPlan(
        weight_kg,
        round(rules.light_bolus_ml_per_kg * weight_kg, 1),
        rules.light_bolus_minutes,
        None,
        None,
        round(rules.light_infusion_ml_per_kg_per_min * weight_kg, 2),
        upper,
    )
