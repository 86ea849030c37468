"""Make the first DOCX templates of a form version from its builder in tools/docx_templates/.

    python tools/build_docx.py FORM [--version 1] [--force]

Existing templates are kept unless --force: once made, the .docx files are edited in Word or
LibreOffice, and they, not the builders, are the templates.
"""
from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("forms", nargs="+")
    parser.add_argument("--version", default="1")
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()
    for form_id in args.forms:
        spec = importlib.util.spec_from_file_location(form_id, HERE / "docx_templates" / f"{form_id}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for lang in ("kk", "ru"):
            target = ROOT / "templates" / lang / form_id / f"{args.version}.docx"
            if target.exists() and not args.force:
                print(f"kept {target.relative_to(ROOT)} (use --force to rebuild)")
                continue
            module.build(lang).save(target)
            print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
