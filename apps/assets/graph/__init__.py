"""The asset graph: assets, their relations in the hierarchies, participants, business objects."""
