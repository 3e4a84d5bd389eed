"""Retrieval: documents, chunking, index, search, figures, answers, regions."""
