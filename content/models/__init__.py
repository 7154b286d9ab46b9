from .glossary import GlossaryTerm
from .pages import HomePage, StandardPage

__all__ = ["GlossaryTerm", "HomePage", "StandardPage"]
