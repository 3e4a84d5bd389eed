from retrieval.errors import PlanbotError


class EmbeddingError(PlanbotError):
    """A model could not be loaded or used; the message says which and why. A PlanbotError, so
    every surface reports it as one clear message (a model path that does not exist, or
    sentence-transformers not installed for a non-default model) rather than a traceback."""
