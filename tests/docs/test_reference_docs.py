"""Documentation that is generated from code or must name every extension point stays current."""

from __future__ import annotations

import re
import subprocess
import sys

from connectors import families
from harvester.settings import REPOSITORY_ROOT, Settings

DOCS = REPOSITORY_ROOT / "docs"


def test_configuration_reference_current() -> None:
    script = REPOSITORY_ROOT / "scripts" / "config_reference.py"
    result = subprocess.run([sys.executable, str(script), "--check"], cwd=REPOSITORY_ROOT, check=False)
    assert result.returncode == 0, "docs/configuration.md is stale: run scripts/config_reference.py"


def test_every_setting_has_description() -> None:
    missing = [name for name, field in Settings.model_fields.items() if not field.description]
    assert missing == []


def test_every_connector_family_documented() -> None:
    text = (DOCS / "connectors.md").read_text(encoding="utf-8") + (DOCS / "connectors-families.md").read_text(
        encoding="utf-8")
    undocumented = [family for family in families(shipped_only=True) if not re.search(rf"`{re.escape(family)}`", text)]
    assert undocumented == []


def test_every_cli_command_in_readme() -> None:
    from typer.main import get_command

    from cli.main import app

    readme = (REPOSITORY_ROOT / "README.md").read_text(encoding="utf-8")
    command = get_command(app)
    missing = []
    for name, sub in command.commands.items():
        names = [f"himpun {name}"]
        if hasattr(sub, "commands"):
            names = [f"himpun {name} {child}" for child in sub.commands]
        missing += [entry for entry in names if entry not in readme]
    assert missing == []
