"""Ingestion: FHIR R4 bundles, tabular extracts, clinical notes and DICOM studies → the raw zone.

fhir.py (bundles → tables), tabular.py (CSV/Parquet + column roles), notes.py (JSONL notes),
dicom.py (de-identified DICOM + index), zone.py (the raw zone: publish, scan, erase),
linkage.py (patient_key), service.py (ingest runs in the database, audit events).
"""
