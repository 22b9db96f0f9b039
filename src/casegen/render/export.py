"""`casegen templates export DIR`: the default templates and configuration, copied into a folder the
programme office owns, edits in Word or Writer and points casegen at (`--config DIR/programme.toml`)."""
from __future__ import annotations

import os
import re
from pathlib import Path

from casegen.config import default_text
from casegen.errors import CasegenError
from casegen.fileio import os_error_message, write_bytes_atomic
from casegen.templating.folder import package_templates

CONFIG_NAME = "programme.toml"
_FIRST_SETTING = re.compile(r"^(?=programme\s*=)", re.M)


def exported_config() -> str:
    """The default configuration, reading its templates from the folder it sits in."""
    setting = ('# The Word templates: this folder (a path relative to this file, or absolute).\n'
               'templates = "."\n\n')
    return _FIRST_SETTING.sub(setting, default_text(), count=1)


def export_templates(folder: Path, force: bool = False) -> list[Path]:
    """Write the default templates and programme.toml into `folder`; the paths written.

    They are the office's to edit, so any file of their names (even a link) is replaced only with `force`,
    and then the link itself, never the file it points at."""
    files = {p.name: p.read_bytes() for p in sorted(package_templates().glob("*.docx"))}
    files[CONFIG_NAME] = exported_config().encode("utf-8")
    targets = [folder / name for name in files]
    present = [str(t) for t in targets if os.path.lexists(t)]
    if present and not force:
        raise CasegenError(f"{', '.join(present)} already {'exists' if len(present) == 1 else 'exist'}; "
                           "export into an empty folder, or add --force to replace them (edits made to them are lost)")
    try:
        for target in targets:
            write_bytes_atomic(target, files[target.name])
    except OSError as exc:
        raise CasegenError(f"cannot write the templates: {os_error_message(exc)}") from None
    return targets
