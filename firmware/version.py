"""Firmware identity. The build (sonocart firmware build) writes a stamped copy of this file."""

FIRMWARE_VERSION = "0.0.0+unversioned"
BUILD_HASH = "unversioned"
