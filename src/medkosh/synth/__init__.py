"""Synthetic Indian health data: FHIR bundles, HIS extracts, notes with gold PHI spans, DICOM, signed
consent artefacts, a labelled outcome and canaries — deterministic by seed (see docs/reference/synth-layout.md)."""
