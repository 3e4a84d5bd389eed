"""From a question to an Answer: analysis, retrieval, fusion, sentence scoring, composing."""
