#!/usr/bin/env python3
"""Lists every question of content/questions.toml with its answer next to its
citation, for review against the sources in ../shared/directive.

  scripts/bank-review.py              # all questions, as Markdown
  scripts/bank-review.py co-so        # one topic
"""
import sys
import tomllib
from pathlib import Path

root = Path(__file__).resolve().parent.parent
bank = tomllib.loads((root / "content" / "questions.toml").read_text(encoding="utf-8"))["question"]
topic = sys.argv[1] if len(sys.argv) > 1 else None
print("| key | question | answer | source | passage (summary) |")
print("|---|---|---|---|---|")
for q in bank:
    if topic and q["topic"] != topic:
        continue
    cell = lambda s: s.replace("|", "\\|").replace("\n", " ")
    print(f"| {q['key']} | {cell(q['stem'])} | {cell(q['options'][q['answer'] - 1])} | {q['source']} | {cell(q['passage'])} |")
