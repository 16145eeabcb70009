"""Rendering: the only place that imports copier (render), its worker, release publishing and export."""
