"""Boot entry of the rig board: serve the rig protocol on USB serial (stdio)."""

import sys

import board_rig

import rig

rig.serve(board_rig.RigBoard(), sys.stdin, sys.stdout)
