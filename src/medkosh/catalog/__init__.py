"""The catalog: datasets with immutable, content-addressed versions, data cards, Croissant/DCAT
metadata and faceted search."""
