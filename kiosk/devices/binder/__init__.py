"""The binder-stapler and presenter: codec (pure) and driver, on our framed protocol
(docs/protocols/binder.md)."""
