"""Store what is on screen into the procedure record: a still (journaled capture) or a short clip."""

from __future__ import annotations

import hashlib
import io

import numpy as np

from sonocart.procedures.inputs import Note
from sonocart.records.journal import JournalError
from sonocart.records.private_fs import write_private
from sonocart.records.record import CaptureError
from sonocart_ui.viewmodels.live import LiveViewModel
from sonocart_ui.viewmodels.session import CartSession


def capture_still(session: CartSession, live: LiveViewModel, via: str) -> bool:
    """Save the displayed frame losslessly with its calibration; it counts once journaled."""
    record, shown = session.record, live.displayed()
    if record is None or shown is None:
        session.say(
            "still not captured: " + ("no procedure open" if record is None else "no image"), ok=False
        )
        return False
    image, cal = shown
    label = f"{'frozen' if live.frozen else 'live'} still ({via})"
    try:
        cap = record.add_capture(image, cal.mm_per_px, cal.origin_px, session.operator, label)
    except (CaptureError, JournalError) as exc:
        session.say(f"still NOT captured — {exc}", ok=False)
        return False
    session.say(f"still #{cap['number']} captured ({via})")
    return True


def capture_clip(session: CartSession, live: LiveViewModel, via: str, seconds: float = 3.0) -> bool:
    """Save the last ``seconds`` of rendered frames (lossless .npz) and journal a note naming its hash."""
    record, frames = session.record, live.clip(seconds)
    if record is None or not frames:
        session.say("clip not captured: " + ("no procedure open" if record is None else "no image"), ok=False)
        return False
    shape = frames[-1][0].shape
    stack = np.stack([f for f, _ in frames if f.shape == shape])
    buf = io.BytesIO()
    np.savez_compressed(buf, frames=stack, mm_per_px=frames[-1][1].mm_per_px)
    data = buf.getvalue()
    number = len(list(record.path.glob("clips/*.npz"))) + 1
    rel = f"clips/{number:03d}.npz"
    write_private(record.path / rel, data)
    sha = hashlib.sha256(data).hexdigest()
    text = f"clip {rel}: {len(stack)} frames, sha256 {sha}"
    what = f"clip #{number} captured ({len(stack)} frames, {via})"
    return session.submit(lambda op: Note(text, op), what)
