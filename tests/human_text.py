"""What words shown to staff must not look like: the shared pattern of machine text (#14 item 3).

snake_case identifiers, DICOM ``^`` name carets, ISO dates and stamps, paths, and Python's ``None`` /
``True`` / ``False`` (a capitalised word starting a sentence, "None of ...", is allowed). Used by the UI
end-to-end scan of every screen and by the core's feedback scan (tests/cart/test_human_feedback.py).
"""

from __future__ import annotations

import re

MACHINE_TEXT = re.compile(
    r"\b[a-z0-9]+_[a-z0-9_]+\b|\^|\b\d{4}-\d\d-\d\d\b|\d{8}T\d{6}|(^|[\s(])/[\w.-]+/"
    r"|(?<![A-Za-z])(None|True|False)(?!\s+[a-z])"
)
