from retrieval.errors import PlanbotError


class EmbeddingError(PlanbotError):
    """A model could not be loaded or used; the message says which and why."""
