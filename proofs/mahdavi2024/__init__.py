"""Mahdavi, Liao & Thrampoulidis, ICLR 2024: the proof's blueprint, checkers and Coq sources."""
