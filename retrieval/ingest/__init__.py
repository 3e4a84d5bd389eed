"""From files on disk to documents, chunks and an index generation."""
