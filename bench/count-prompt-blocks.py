#!/usr/bin/env python3
"""How many of a site's fenced code blocks that show shell prompts `gen snippets` finds.

    bench/count-prompt-blocks.py SITE                 # SITE: a gen site (content/posts/*.md)
    bench/count-prompt-blocks.py SITE --missing       # also list the blocks not found
    GEN=target/release/gen bench/count-prompt-blocks.py SITE

A block "shows a prompt" when one of its lines (leading blanks removed) starts with
`$ ` or with `user@host...$ ` / `[user@host dir]$ `. This reading of the Markdown is
deliberately independent of gen's own rules: fences are found line by line (``` or ~~~,
closed by the same character, at least as long), and a block is matched with the
snippet index by post file and fence line. Standard library only.
"""

import argparse
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^(\s*(?:>\s?)*)(`{3,}|~{3,})(.*)$")
USER_HOST_PROMPT = re.compile(r"^(\[[^\]\s]+@[^\]]+\]|[\w.-]+@[\w.-]+(:\S*)?)\s?\$( |$)")


def prompt_line(line):
    text = line.lstrip()
    return text == "$" or text.startswith("$ ") or USER_HOST_PROMPT.match(text) is not None


def fenced_blocks(text):
    """(fence line, language, lines) of each fenced block, lines numbered from 1."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m or (m.group(2)[0] == "`" and "`" in m.group(3)):
            i += 1
            continue
        fence, info, start = m.group(2), m.group(3).strip(), i
        body = []
        i += 1
        while i < len(lines):
            close = FENCE.match(lines[i])
            if close and close.group(2)[0] == fence[0] and len(close.group(2)) >= len(fence) and not close.group(3).strip():
                break
            body.append(lines[i])
            i += 1
        i += 1
        lang = info.split()[0].strip("{").lower() if info.split() else ""
        yield start + 1, lang, body


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("site")
    ap.add_argument("--missing", action="store_true", help="list the prompt blocks gen does not index")
    a = ap.parse_args()
    site = Path(a.site)
    prompt_blocks = {}
    total = 0
    for path in sorted((site / "content" / "posts").glob("*.md")):
        rel = path.relative_to(site).as_posix()
        for line, lang, body in fenced_blocks(path.read_text(encoding="utf-8", errors="replace")):
            total += 1
            if any(prompt_line(l) for l in body):
                prompt_blocks[(rel, line)] = lang or "(none)"
    gen = os.environ.get("GEN", str(REPO / "target" / "debug" / "gen"))
    out = subprocess.run([gen, "--root", str(site), "snippets", "--json"], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"gen snippets failed:\n{out.stderr}")
    indexed = {(s["file"], s["line"]) for s in json.loads(out.stdout)["snippets"]}
    found = [k for k in prompt_blocks if k in indexed]
    missing = sorted(k for k in prompt_blocks if k not in indexed)
    n = len(prompt_blocks)
    print(f"{total} fenced blocks, {n} with a prompt line")
    print(f"indexed by gen snippets: {len(found)} of {n} ({100 * len(found) / max(n, 1):.1f}%)")
    print(f"snippets in the index: {len(indexed)} ({len(indexed - set(prompt_blocks))} without a prompt line)")
    by_lang = Counter(prompt_blocks.values())
    missing_by_lang = Counter(prompt_blocks[k] for k in missing)
    print("by fence language (prompt blocks / not indexed):")
    for lang, count in by_lang.most_common():
        print(f"  {lang:<12} {count:>4} / {missing_by_lang.get(lang, 0)}")
    if a.missing:
        for file, line in missing:
            print(f"missing {file}:{line} ({prompt_blocks[(file, line)]})")


if __name__ == "__main__":
    main()
