"""Tracks 1–4 (complaints, user surveys, case-handling spot checks, delivery and effect data)
and the scoring rules that colour all five tracks. Built on `tilsyn` and `leverandoer`."""
