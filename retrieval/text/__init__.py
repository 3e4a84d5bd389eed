"""Text work shared by ingest and answering: scripts, folding, tokens, sentences."""
