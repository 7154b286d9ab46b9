from .organisations import Grade, Organisation, Profession
from .users import User

__all__ = ["Grade", "Organisation", "Profession", "User"]
