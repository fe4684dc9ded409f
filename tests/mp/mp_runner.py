"""Run every ``test_*`` function of the named modules; works under MicroPython and CPython.

Usage: micropython mp_runner.py MODULE [MODULE ...]
Prints one ``PASS name`` / ``FAIL name: error`` line per test and a final
``N passed, M failed`` line; exits 1 when anything failed.
"""

import sys


def run(names):
    passed = 0
    failed = 0
    for name in names:
        mod = __import__(name)
        for attr in sorted(dir(mod)):
            if not attr.startswith("test_"):
                continue
            fn = getattr(mod, attr)
            try:
                fn()
            except Exception as e:  # report and go on: one line per test
                failed += 1
                print("FAIL %s.%s: %s %s" % (name, attr, type(e).__name__, e))
            else:
                passed += 1
                print("PASS %s.%s" % (name, attr))
    print("%d passed, %d failed" % (passed, failed))
    return failed


if __name__ == "__main__":
    sys.exit(1 if run(sys.argv[1:]) else 0)
