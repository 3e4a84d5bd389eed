"""The index directory: generations, manifest, vectors, lexical postings, region positions."""
