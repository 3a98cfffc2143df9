"""The card reader (payment terminal): codec (pure), payment outcomes and driver, on our framed
protocol (docs/protocols/card-reader.md)."""
