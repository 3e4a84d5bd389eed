class EmbeddingError(Exception):
    """A model could not be loaded or used; the message says which and why."""
