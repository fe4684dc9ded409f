"""The simulator's scenes, one per catalogue procedure whose sonoanatomy differs.

Each scene paints :class:`~sonocart.sim.anatomy.Maps` in anatomical coordinates
(X lateral, D below the skin, mm) and names its moving parts. Views and
orientation follow the usual block-room views (screen left is the probe
marker's side):

* ``femoral`` — transverse at the inguinal crease, right leg, lateral on the left:
  nerve–artery–vein from lateral to medial; the femoral artery pulsates, the vein
  medial to it is compressed by the probe every 10 s; the femoral nerve is a
  hyperechoic honeycomb oval under the curved fascia iliaca, on the iliopsoas; the
  femoral head deep.
* ``knee`` — longitudinal, suprapatellar, proximal on the left: the fibrillar
  quadriceps–patellar tendon over the patella (bone, shadow), a suprapatellar
  effusion (anechoic, enhancement below), the fat pads, the hypoechoic femoral
  cartilage over the femoral cortex.
* ``caudal`` — transverse at the sacral hiatus: two sacral cornua (bright bone
  with shadow), the sacrococcygeal ligament between them, the hiatus below it
  and the sacrum's dorsal surface as its floor; breathing moves the tissue.
* ``muscle`` — a trigger-point view: superficial fascia, two muscle layers with
  irregular, interrupted perimysium, a focal hypoechoic elliptical trigger point
  (Sikdar et al., *Arch Phys Med Rehabil* 2009;90:1829–38), deep fascia and bone;
  breathing moves the tissue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sonocart.sim.anatomy import Maps, Vessel, fat_lobules, honeycomb_nerve, perimysium, smooth_noise, trough


def _skin(m: Maps, fat_bottom: np.ndarray) -> None:
    """Epidermis/dermis (bright, 1.5 mm) over subcutaneous fat with lobules."""
    m.fill(m.D < 1.5, 1.5, "skin")
    m.interface(np.full(m.D.shape, 0.15), 1.8, 0.2)
    fat = (m.D >= 1.5) & (fat_bottom > m.D)
    m.fill(fat, 0.45, "fat")
    fat_lobules(m, fat)


def femoral(m: Maps) -> None:
    X, D = m.X, m.D
    fascia_lata = 8.5 + 0.7 * np.sin(X / 9.0) + 0.3 * smooth_noise(X, D * 0, m.rng, 7.0)
    _skin(m, fascia_lata)
    m.interface(fascia_lata, 2.4)
    # fascia iliaca: curves deeper laterally, over the nerve, then runs under the vessels
    fascia_iliaca = np.where(X < 3.0, 20.5 + 3.5 * np.tanh((3.0 - X) / 12.0), 20.5 + 0.04 * (X - 3.0))
    sheath = (fascia_lata < D) & (fascia_iliaca > D)
    m.fill(sheath, 0.55, "fat")  # loose fatty tissue of the femoral triangle
    fat_lobules(m, sheath, lobule_mm=3.0, septum_b=0.9)
    below = fascia_iliaca <= D
    m.fill(below, 0.75, "muscle")
    perimysium(m, below & (X < 4.0), spacing_mm=1.6, slope=0.1)  # iliopsoas
    perimysium(m, below & (X >= 4.0), spacing_mm=1.3, slope=-0.15)  # pectineus
    m.interface(fascia_iliaca, 2.6, 0.3)
    tendon = ((X + 7.0) / 4.0) ** 2 + ((D - 33.0) / 1.6) ** 2 < 1.0
    m.fill(tendon, 1.5, "tendon")  # iliopsoas tendon
    honeycomb_nerve(m, (-13.0, 26.3), (5.5, 2.3))
    m.bone(trough(X, 37.5, 0.006, -3.0))  # femoral head
    m.vessels += [Vessel((-1.0, 15.0), (4.2, 4.0), "artery"), Vessel((11.0, 16.0), (6.5, 3.6), "vein")]


def knee(m: Maps) -> None:
    X, D = m.X, m.D
    _skin(m, np.full(D.shape, 3.2))
    patella = (
        6.0 + 0.6 * np.maximum(12.5 - X, 0.0) ** 1.6 - 0.1 * np.maximum(X - 12.5, 0.0)
    )  # its proximal pole
    tendon_top = 3.4 + 0.02 * X
    tendon_bottom = np.minimum(7.6 + 0.03 * X, patella - 0.4)
    tendon = (tendon_top <= D) & (tendon_bottom > D)
    m.fill(tendon, 0.9, "tendon")
    fibres = np.cos(2 * np.pi * (D - tendon_top) / 0.42 + 2.0 * smooth_noise(X, D, m.rng, 12.0)) > 0.35
    m.b[tendon & fibres] = 1.9  # the fibrillar pattern
    m.interface(tendon_top, 1.6, 0.2)
    m.interface(tendon_bottom, 1.4, 0.2)
    recess_top = trough(X, 9.8, 0.012, -2.0)
    recess_bottom = trough(X, 16.0, -0.018, -2.0)
    fat_pad = (tendon_bottom <= D) & (recess_top > D)
    m.fill(fat_pad, 0.95, "fat")  # quadriceps (suprapatellar) fat pad, hyperechoic
    fat_lobules(m, fat_pad, lobule_mm=2.5, septum_b=1.4)
    effusion = (recess_top <= D) & (recess_bottom > D)
    m.fill(effusion, 0.012, "fluid")
    debris = effusion & (smooth_noise(X, D, m.rng, 0.8) > 0.82)
    m.b[debris] = 0.25  # a few floating echoes in the effusion
    m.interface(recess_top, 0.9, 0.2)
    cortex = 21.5 - 0.05 * X + 0.006 * X**2
    prefemoral = (np.maximum(recess_bottom, tendon_bottom) <= D) & (cortex - 2.4 > D)
    m.fill(prefemoral, 0.9, "fat")
    fat_lobules(m, prefemoral, lobule_mm=2.5, septum_b=1.4)
    cartilage = (cortex - 2.4 <= D) & (cortex > D)
    m.fill(cartilage, 0.1, "cartilage")
    m.interface(cortex - 2.4, 1.3, 0.15)  # the cartilage surface: a thin bright line
    m.bone(cortex)
    m.bone(patella)


def caudal(m: Maps) -> None:
    X, D = m.X, m.D
    _skin(m, np.full(D.shape, 5.0) + 0.6 * smooth_noise(X, D * 0, m.rng, 8.0))
    ax = np.abs(X)
    cornu = 6.3 + 0.28 * (ax - 8.5) ** 2
    floor = 13.5 - 0.02 * X**2  # the sacrum's dorsal surface: the floor of the hiatus
    lateral = 8.8 + 0.12 * (ax - 12.0)
    bone = np.where(ax < 6.8, floor, np.minimum(cornu, np.where(ax > 10.5, lateral, 99.0)))
    ligament_top = 7.0 + 0.02 * X**2
    ligament = (ax < 7.5) & (ligament_top <= D) & (ligament_top + 1.6 > D) & (bone > D)
    m.fill(ligament, 1.45, "tendon")  # sacrococcygeal ligament, fibrillar
    m.interface(ligament_top, 2.2, 0.22)
    hiatus = (ax < 7.5) & (ligament_top + 1.6 <= D) & (bone > D)
    m.fill(hiatus, 0.22, "fat")  # epidural fat of the hiatus: hypoechoic
    muscle = (ax >= 7.5) & (D >= 5.0) & (bone > D)
    perimysium(m, muscle, spacing_mm=1.4, slope=0.0)
    m.bone(bone)


def muscle(m: Maps) -> None:
    X, D = m.X, m.D
    superficial = 5.0 + 0.8 * np.sin(X / 13.0 + 0.5) + 0.4 * smooth_noise(X, D * 0, m.rng, 6.0)
    _skin(m, superficial)
    m.interface(superficial, 2.2, 0.25)
    between = 17.0 + 1.4 * np.sin(X / 11.0) + 0.5 * smooth_noise(X, D * 0, m.rng, 5.0)
    upper = (superficial <= D) & (between > D)
    lower = (between + 0.6 <= D) & (D < 31.0)
    m.fill(upper, 0.75, "muscle")
    m.fill(lower, 0.7, "muscle")
    perimysium(m, upper, spacing_mm=1.5, slope=0.12, broken=0.05)
    perimysium(m, lower, spacing_mm=1.3, slope=-0.08, broken=0.2)
    m.interface(between, 2.0, 0.3)
    spot = ((X - 4.0) / 3.2) ** 2 + ((D - 11.0) / 1.5) ** 2 < 1.0
    m.fill(spot, 0.22, "muscle")  # the trigger point: focal hypoechoic ellipse
    m.interface(np.full(D.shape, 31.0) + 0.6 * smooth_noise(X, D * 0, m.rng, 9.0), 2.4, 0.3)
    m.bone(trough(X, 35.0, 0.004, 6.0))


@dataclass(frozen=True)
class Scene:
    name: str
    title: str
    paint: Callable[[Maps], None]
    breathing_mm: float  # peak-to-peak tissue excursion along the beams (0: none)
    needle_target_mm: tuple[float, float]  # where the block's needle tip goes (x, depth)


SCENES = {
    s.name: s
    for s in (
        # the needle goes under the fascia iliaca beside the nerve, into the effusion, into the
        # hiatus under the ligament, and into the trigger point
        Scene("femoral", "Femoral nerve block (transverse, right groin)", femoral, 0.0, (-7.5, 24.5)),
        Scene("knee", "Knee joint (longitudinal, suprapatellar)", knee, 0.0, (-3.0, 13.0)),
        Scene("caudal", "Caudal epidural (transverse, sacral hiatus)", caudal, 0.5, (1.0, 10.5)),
        Scene("muscle", "Trigger point (muscle, longitudinal)", muscle, 0.6, (4.0, 11.0)),
    )
}
DEFAULT_SCENE = "femoral"

#: catalogue procedure id → scene. Procedures without a scene of their own get the closest one
#: (said here, not hidden): the occipital, intercostal and stellate views are muscle layers over
#: bone in this simulator; the sacroiliac joint is bone with shadow next to the sacrum.
PROCEDURE_SCENES = {
    "femoral_nerve_block": "femoral",
    "knee_joint_injection": "knee",
    "caudal_epidural": "caudal",
    "trigger_point_injection": "muscle",
    "sacroiliac_joint_injection": "caudal",
    "greater_occipital_nerve_block": "muscle",
    "intercostal_nerve_block": "muscle",
    "stellate_ganglion_block": "muscle",
}


def scene_for_procedure(procedure_id: str) -> str:
    """The scene to show for a catalogue procedure (the default scene for one it does not know)."""
    return PROCEDURE_SCENES.get(procedure_id, DEFAULT_SCENE)


def scene(name: str) -> Scene:
    try:
        return SCENES[name]
    except KeyError:
        raise ValueError(f"scene must be one of {sorted(SCENES)}, got {name!r}") from None
