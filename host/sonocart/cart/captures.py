"""Store what is on screen into the procedure record: a still (journaled capture) or a short clip.

The still goes through ``ProcedureRecord.add_capture`` (lossless PNG, journaled, exported as DICOM); the
clip through the imaging package's ``save_clip`` (MP4/H.264 via PyAV) from its cine ring."""

from __future__ import annotations

import hashlib
import os

from sonocart.cart.live import LiveImaging
from sonocart.cart.session import CartSession
from sonocart.imaging.capture import save_clip
from sonocart.journal.private_fs import FILE_MODE, private_dir
from sonocart.journal.store import JournalError
from sonocart.procedures.inputs import Note
from sonocart.records.record import CaptureError


def capture_still(session: CartSession, live: LiveImaging, via: str) -> bool:
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


def capture_clip(session: CartSession, live: LiveImaging, via: str, seconds: float = 3.0) -> bool:
    """Encode the last ``seconds`` of cine as MP4/H.264 in the record; a journaled note names file and hash.

    The clip counts only once its note is committed: a refused note is shown, and the file is left for
    the record's integrity check to flag rather than silently deleted."""
    record = session.record
    frames, fps = live.clip(seconds) if record is not None else ([], 0.0)
    if record is None or not frames:
        session.say("clip not captured: " + ("no procedure open" if record is None else "no image"), ok=False)
        return False
    clips = private_dir(record.path / "clips")
    number = len(list(clips.glob("*.mp4"))) + 1
    rel = f"clips/{number:03d}.mp4"
    try:
        count = save_clip(frames, fps, record.path / rel)
        os.chmod(record.path / rel, FILE_MODE)
        sha = hashlib.sha256((record.path / rel).read_bytes()).hexdigest()
    except (OSError, ValueError) as exc:
        session.say(f"clip NOT captured — {exc}", ok=False)
        return False
    text = f"clip {rel}: {count} frames at {fps:.0f} fps (H.264), sha256 {sha}"
    what = f"clip #{number} captured ({count} frames, {via})"
    return session.submit(lambda op: Note(text, op), what)
