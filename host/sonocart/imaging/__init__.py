"""B-mode imaging: geometry, frame files, log compression, scan conversion."""
