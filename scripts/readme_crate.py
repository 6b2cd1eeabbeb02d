#!/usr/bin/env python3
"""Makes a scratch crate from the README's quick start: its ```toml block becomes the
[dependencies] of the crate (permkit's `version = ...` replaced by a path to this checkout, nothing
else added) and its ```rust block becomes src/main.rs. CI builds it, so the quick start compiles
for a new user with exactly the dependencies it shows.

    python3 scripts/readme_crate.py DIR
"""
import os
import re
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    out = sys.argv[1]
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    toml = re.search(r"```toml\n(.*?)```", section, re.S).group(1)
    rust = re.search(r"```rust[^\n]*\n(.*?)```", section, re.S).group(1)
    if "[dependencies]" not in toml or "permkit" not in toml:
        sys.exit("the quick start's toml block has no [dependencies] with permkit")
    deps, n = re.subn(r'(permkit\s*=\s*\{\s*)version\s*=\s*"[^"]*"', r'\1path = "%s"' % ROOT, toml)
    if n != 1:
        sys.exit("the quick start's permkit dependency has no version to replace")
    os.makedirs(os.path.join(out, "src"), exist_ok=True)
    with open(os.path.join(out, "Cargo.toml"), "w", encoding="utf-8") as f:
        f.write('[package]\nname = "readme-quick-start"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n\n')
        f.write('[workspace]\n\n')
        f.write(deps)
    with open(os.path.join(out, "src", "main.rs"), "w", encoding="utf-8") as f:
        f.write(rust)
    # The checkout's lock pins what the crate was tested with.
    shutil.copy(os.path.join(ROOT, "Cargo.lock"), os.path.join(out, "Cargo.lock"))
    print("quick start crate in %s" % out)


if __name__ == "__main__":
    main()
