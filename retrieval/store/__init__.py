"""The index directory: generations and manifest (index.py), the vector-store interface
(vectors.py) with its FAISS backend (faiss_store.py), BM25 postings (lexical.py)."""
