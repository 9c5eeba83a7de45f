"""Where the package's data files are: rules, templates, prompts, the injector's pools."""

from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
RULES_DIR = DATA / "rules"
TEMPLATES_DIR = DATA / "templates"
