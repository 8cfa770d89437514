"""De-identification: text/, tabular/, dicom, pseudonyms, date shifting, PHI scanning."""
