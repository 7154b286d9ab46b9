from .glossary import GlossaryTerm
from .pages import HomePage, StandardPage
from .scorm import ScormPackage, ScormVersion

__all__ = ["GlossaryTerm", "HomePage", "ScormPackage", "ScormVersion", "StandardPage"]
