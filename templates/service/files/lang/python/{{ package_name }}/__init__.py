"""{{ description | replace(from='"', to="'") }}"""

__version__ = "0.1.0"
