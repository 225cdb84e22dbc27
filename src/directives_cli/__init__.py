"""directives: query the directives issued at a government work conference."""

__version__ = "0.1.0"
