"""Answering a question: the pipeline (pipeline.py) and one module per part of it.

question   validating the request        query      analysing the question (regions, period, metric, kind)
names      names asked about, unknown ones   bridge  the question's dictionary translations
search     dense + lexical retrieval     fusion     weighted RRF
candidates candidate sentences           evidence   what a sentence says about the question
coverage   lexical coverage              scoring    sentence scores from spec.py (the declared weights)
compose    quotes, sources, renderings   digest     region digests
meaning    indicators asked for by meaning (encoder similarity to the vocabulary's names)
"""
