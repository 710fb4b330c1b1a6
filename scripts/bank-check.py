#!/usr/bin/env python3
"""Contest-grade checks for the question bank on Directive 24-CT/TU.

Standard library only (Python 3.11+, tomllib). Prints figures and every FAIL;
exits 1 if anything fails, 0 otherwise.

  python3 scripts/bank-check.py               # content/ of this repository
  python3 scripts/bank-check.py --bank content/questions.toml --study content/study.toml \
                                --sources ../shared/directive

Rules (each FAIL names the question key):

 1. Count: at least 170 questions.
 2. Schema: every question has key, topic, difficulty (1-3), stem, options
    (exactly 4 distinct non-empty strings), answer (1-4), explanation, source
    (an existing src-*.txt file), passage and group (kebab-case). Keys unique;
    topic known (if topics.toml is present).
 3. Answer position: counts of positions 1/2/3/4 must each be within +-3 of
    n/4; no run of more than 3 consecutive questions (file order) with the same
    position.
 4. Limiting words (chỉ, riêng, chủ yếu, mọi, toàn bộ, hoàn toàn, duy nhất,
    tuyệt đối, tất cả, hầu hết, luôn luôn, không bao giờ, bất kỳ): counted in
    right and wrong options. FAIL when a wrong option contains a limiting word
    that the key does not contain (so a limiting word can never single out a
    wrong option). "chỉ" is only counted as the adverb "only": not in
    "chỉ thị", "chỉ đạo", "chỉ số", "chỉ tiêu", "chỉ rõ", "chỉ ra", "địa chỉ" ...
 5. Shared opening word: FAIL when the three wrong options start with the same
    word and the key does not.
 6. Key in another stem: the key text of question A must not occur in the stem
    of a question B of a different group. Texts are normalised (NFC, lower
    case, one tone-mark convention, punctuation -> space, leading zeros of
    numbers dropped, so 07/8/2023 = 7-8-2023 = 7/8/2023) and compared on word
    boundaries. A few generic leading words are stripped from the key first
    ("đồng chí", "thứ", "nhóm", "cả", "huyện", "quận", "ngày", "tháng", "năm"),
    so "Đồng chí Đinh Tiến Dũng" is looked for as "đinh tiến dũng". Keys whose
    normalised text is shorter than 6 characters ("6", "25", "thứ 3" -> "3",
    "VI") are ignored: they are too generic to be a giveaway by themselves.
    Dates, document numbers and every longer key are checked. A key that is
    also a whole option of the other question is not a stem giveaway and is
    not checked here.
 7. Own words: no run of 14 or more consecutive syllables shared with any
    source file, in stems, options, explanations, passages and in every text of
    study.toml (titles, summaries, paragraphs, list items). Syllables are the
    whitespace tokens after lower-casing and replacing punctuation by spaces.
    Official titles, names and fixed lists (ALLOWLIST below) are masked first
    in both texts, so a run may not pass through them.
"""
import argparse
import os
import re
import sys
import tomllib
import unicodedata
from collections import Counter
from pathlib import Path

RUN = 14  # syllables

LIMITING = ["chỉ", "riêng", "chủ yếu", "mọi", "toàn bộ", "hoàn toàn", "duy nhất",
            "tuyệt đối", "tất cả", "hầu hết", "luôn luôn", "không bao giờ", "bất kỳ"]
# "chỉ" followed by one of these is not the adverb "only"
CHI_NOT_ONLY = {"thị", "đạo", "số", "tiêu", "rõ", "ra", "huy", "định", "dẫn", "trích",
                "điểm", "báo", "tay", "thi", "trỏ", "nam"}

KEY_LEADING = ["đồng chí", "thứ", "nhóm", "cả", "huyện", "quận", "ngày", "tháng", "năm"]
MIN_KEY_CHARS = 6

# Official titles, names and fixed lists: shared with the sources by necessity.
ALLOWLIST = [
    # the Directive and its appendix, plans, resolutions (titles)
    "về việc tăng cường kỷ cương, kỷ luật và trách nhiệm giải quyết công việc trong hệ thống chính trị thành phố Hà Nội",
    "tăng cường kỷ cương, kỷ luật và trách nhiệm giải quyết công việc trong hệ thống chính trị thành phố Hà Nội",
    "tăng cường kỷ luật, kỷ cương và trách nhiệm giải quyết công việc trong hệ thống chính trị thành phố Hà Nội",
    "tăng cường kỷ luật, kỷ cương và trách nhiệm giải quyết công việc trong hệ thống chính trị quận Tây Hồ",
    "khung gợi ý nhận diện một số biểu hiện vi phạm kỷ cương, kỷ luật và trách nhiệm giải quyết công việc trong hệ thống chính trị thành phố",
    "về phương hướng, nhiệm vụ phát triển Thủ đô Hà Nội đến năm 2030, tầm nhìn đến năm 2045",
    "Nghị quyết số 28-NQ/TW của Hội nghị lần thứ 6, Ban Chấp hành Trung ương khóa 13",
    "Hội nghị lần thứ 16 Ban Chấp hành Đảng bộ thành phố Hà Nội",
    "Quy hoạch Thủ đô thời kỳ 2021-2030, tầm nhìn đến năm 2050",
    "quy hoạch chung xây dựng Thủ đô đến năm 2045 tầm nhìn đến năm 2065",
    "Nghị quyết Đại hội XVII Đảng bộ thành phố nhiệm kỳ 2020-2025",
    "Nghị quyết Đại hội lần thứ XVII Đảng bộ thành phố nhiệm kỳ 2020-2025",
    # names and positions
    "Ủy viên Bộ Chính trị, Bí thư Thành ủy Hà Nội Đinh Tiến Dũng",
    "Đinh Tiến Dũng, Ủy viên Bộ Chính trị, Bí thư Thành ủy, Trưởng đoàn đại biểu Quốc hội TP Hà Nội",
    "Nguyễn Thị Tuyến, Ủy viên Trung ương Đảng, Phó bí thư Thường trực Thành ủy",
    "Trần Sỹ Thanh, Ủy viên Trung ương Đảng, Phó bí thư Thành ủy, Chủ tịch UBND Thành phố",
    "Lê Thị Thu Hằng, thành ủy viên, Bí thư Quận ủy, Chủ tịch HĐND quận Tây Hồ",
    # fixed lists and mottos
    "tăng cường kỷ cương, kỷ luật và trách nhiệm giải quyết công việc",
    "Văn hiến - Văn minh - Hiện đại",
    "Kỷ cương, trách nhiệm, hành động, sáng tạo, phát triển",
    "rõ người, rõ việc, rõ quy trình, rõ trách nhiệm và rõ hiệu quả",
    "gương mẫu, đoàn kết, thống nhất, hợp tác, trách nhiệm, bản lĩnh, trí tuệ",
    "27 biểu hiện suy thoái về tư tưởng chính trị, đạo đức, lối sống, tự diễn biến, tự chuyển hóa",
    "né tránh, đùn đẩy, thiếu trách nhiệm trong thực thi nhiệm vụ",
    "cơ chế bảo vệ, khuyến khích những người dám đấu tranh, khuyến khích cán bộ năng động, sáng tạo",
    "cơ chế bảo vệ, khuyến khích cán bộ năng động, sáng tạo",
    "học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "Chi bộ 4 tốt, Đảng viên 4 tốt",
]

TONE_FIX = {  # old-style tone placement -> new style (both sides)
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}

FAILS = []


def fail(msg):
    FAILS.append(msg)


def base(text):
    t = unicodedata.normalize("NFC", text).lower()
    for a, b in TONE_FIX.items():  # only at the end of a syllable: "hoà" -> "hòa", not "hoàn"
        t = re.sub(a + r"(?!\w)", b, t)
    return t


def tokens(text):
    """Syllables: lower case, punctuation -> space, leading zeros of numbers dropped."""
    t = re.sub(r"[^\w\s]", " ", base(text))
    t = t.replace("_", " ")
    out = []
    for w in t.split():
        if w.isdigit():
            w = str(int(w))
        out.append(w)
    return out


def norm(text):
    return " ".join(tokens(text))


ALLOW_TOK = sorted({tuple(tokens(p)) for p in ALLOWLIST}, key=len, reverse=True)


def mask(toks):
    """Replace allowlisted phrases by a barrier (None) so no run crosses them."""
    out = list(toks)
    i = 0
    n = len(out)
    while i < n:
        hit = 0
        for ph in ALLOW_TOK:
            L = len(ph)
            if L and i + L <= n and tuple(out[i:i + L]) == ph:
                hit = L
                break
        if hit:
            for j in range(i, i + hit):
                out[j] = None
            i += hit
        else:
            i += 1
    return out


def ngrams(toks, k):
    for i in range(len(toks) - k + 1):
        g = toks[i:i + k]
        if None not in g:
            yield i, tuple(g)


def limiting_in(text):
    t = " " + " ".join(re.sub(r"[^\w\s]", " ", base(text)).split()) + " "
    found = set()
    for w in LIMITING:
        if w == "chỉ":
            for m in re.finditer(r"(?<![\w])chỉ(?![\w])(?:\s+(\w+))?", t):
                nxt = m.group(1)
                prev = t[:m.start()].split()[-1:] or [""]
                if nxt in CHI_NOT_ONLY or prev[0] == "địa":
                    continue
                found.add(w)
        elif f" {w} " in t:
            found.add(w)
    return found


def first_word(text):
    toks = re.sub(r"[^\w\s/.-]", " ", base(text)).split()
    return toks[0] if toks else ""


def key_core(text):
    t = norm(text)
    changed = True
    while changed:
        changed = False
        for w in KEY_LEADING:
            if t.startswith(w + " "):
                t = t[len(w) + 1:]
                changed = True
    return t


def study_texts(study):
    for si, sec in enumerate(study.get("section", [])):
        for f in ("title", "summary"):
            if isinstance(sec.get(f), str):
                yield f"study {sec.get('slug', si)}.{f}", sec[f]
        for bi, blk in enumerate(sec.get("block", [])):
            if isinstance(blk.get("text"), str):
                yield f"study {sec.get('slug', si)} block {bi + 1} text", blk["text"]
            for ii, it in enumerate(blk.get("items", []) or []):
                if isinstance(it, str):
                    yield f"study {sec.get('slug', si)} block {bi + 1} item {ii + 1}", it


def main():
    here = Path(__file__).resolve().parent
    ap = argparse.ArgumentParser()
    content = here.parent / "content"
    ap.add_argument("--bank", default=str(content / "questions.toml"))
    ap.add_argument("--study", default=str(content / "study.toml"))
    ap.add_argument("--topics", default=str(content / "topics.toml"))
    ap.add_argument("--sources", default=None)
    a = ap.parse_args()

    src_dir = None
    for cand in [a.sources, os.environ.get("DIRECTIVE_SOURCES"), str(here.parent.parent / "shared" / "directive")]:
        if cand and Path(cand, "src-1-directive-summary.txt").exists():
            src_dir = Path(cand)
            break
    if src_dir is None:
        print("FAIL: source directory not found (use --sources)")
        return 1
    sources = {p.name: p.read_text(encoding="utf-8") for p in sorted(src_dir.glob("src-*.txt"))}

    qs = tomllib.loads(Path(a.bank).read_text(encoding="utf-8")).get("question", [])
    study = {}
    if a.study and Path(a.study).exists():
        study = tomllib.loads(Path(a.study).read_text(encoding="utf-8"))
    topics = None
    if a.topics and Path(a.topics).exists():
        topics = {t["slug"] for t in tomllib.loads(Path(a.topics).read_text(encoding="utf-8")).get("topic", [])}

    n = len(qs)
    print(f"questions: {n}  (sources: {', '.join(sources)})")

    # 1. count
    if n < 170:
        fail(f"count: {n} questions, need at least 170")

    # 2. schema
    need = ["key", "topic", "difficulty", "stem", "options", "answer", "explanation",
            "source", "passage", "group"]
    keys = Counter()
    ok = []
    for i, q in enumerate(qs):
        k = q.get("key", f"#{i + 1}")
        keys[k] += 1
        bad = False
        for f in need:
            v = q.get(f)
            if v is None or (isinstance(v, str) and not v.strip()):
                fail(f"{k}: missing or empty field '{f}'")
                bad = True
        if bad:
            continue
        opts = q["options"]
        if not (isinstance(opts, list) and len(opts) == 4 and all(isinstance(o, str) and o.strip() for o in opts)):
            fail(f"{k}: needs exactly 4 non-empty options")
            continue
        if len({norm(o) for o in opts}) != 4:
            fail(f"{k}: options are not distinct")
        if not (isinstance(q["answer"], int) and 1 <= q["answer"] <= 4):
            fail(f"{k}: answer must be 1-4")
            continue
        if q["difficulty"] not in (1, 2, 3):
            fail(f"{k}: difficulty must be 1, 2 or 3")
        if q["source"] not in sources:
            fail(f"{k}: unknown source '{q['source']}'")
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", q["group"]):
            fail(f"{k}: group '{q['group']}' is not kebab-case")
        if topics is not None and q["topic"] not in topics:
            fail(f"{k}: unknown topic '{q['topic']}'")
        ok.append(q)
    for k, c in keys.items():
        if c > 1:
            fail(f"{k}: key used {c} times")
    groups = Counter(q["group"] for q in ok)
    print(f"groups: {len(groups)}  (groups with 2+ questions: {sum(1 for c in groups.values() if c > 1)}, "
          f"largest: {max(groups.values()) if groups else 0})")
    print("difficulty:", dict(sorted(Counter(q["difficulty"] for q in ok).items())))
    print("topics:", dict(Counter(q["topic"] for q in ok)))
    print("sources:", dict(sorted(Counter(q["source"][:5] for q in ok).items())))

    # 3. answer positions
    pos = Counter(q["answer"] for q in ok)
    want = len(ok) / 4
    print("answer positions 1/2/3/4: " + "/".join(str(pos[p]) for p in (1, 2, 3, 4))
          + f"  (target {want:.1f} +-3)")
    for p in (1, 2, 3, 4):
        if abs(pos[p] - want) > 3:
            fail(f"position {p}: {pos[p]} answers, outside {want:.1f} +-3")
    longest, cur, prev, where = 0, 0, None, ""
    for q in ok:
        cur = cur + 1 if q["answer"] == prev else 1
        prev = q["answer"]
        if cur > longest:
            longest, where = cur, q["key"]
    print(f"longest run of one answer position: {longest} (ending at {where})")
    if longest > 3:
        fail(f"run of {longest} questions with the same answer position ending at {where}")
    longest_opt = sum(1 for q in ok if len(q["options"][q["answer"] - 1]) == max(len(o) for o in q["options"]))
    print(f"key is the (joint) longest option: {longest_opt}/{len(ok)}")

    # 4. limiting words
    lim_right = lim_wrong = 0
    wrong_total = 0
    for q in ok:
        key_words = limiting_in(q["options"][q["answer"] - 1])
        lim_right += bool(key_words)
        for i, o in enumerate(q["options"], 1):
            if i == q["answer"]:
                continue
            wrong_total += 1
            w = limiting_in(o)
            lim_wrong += bool(w)
            extra = w - key_words
            if extra:
                fail(f"{q['key']}: wrong option {i} has limiting word(s) {sorted(extra)} the key lacks: {o!r}")
    print(f"limiting words: in {lim_right}/{len(ok)} right options, in {lim_wrong}/{wrong_total} wrong options")

    # 5. shared opening word
    shared = 0
    for q in ok:
        wrong = [first_word(o) for i, o in enumerate(q["options"], 1) if i != q["answer"]]
        kw = first_word(q["options"][q["answer"] - 1])
        if len(set(wrong)) == 1 and wrong[0] != kw:
            shared += 1
            fail(f"{q['key']}: the three wrong options start with '{wrong[0]}', the key does not")
    print(f"questions whose three wrong options share an opening word the key lacks: {shared}")

    # 6. key text in another group's stem
    stems = [(q, " " + norm(q["stem"]) + " ") for q in ok]
    giveaways = 0
    checked = 0
    for qa in ok:
        kt = key_core(qa["options"][qa["answer"] - 1])
        if len(kt) < MIN_KEY_CHARS:
            continue
        checked += 1
        for qb, st in stems:
            if qb is qa or qb["group"] == qa["group"]:
                continue
            if f" {kt} " in st:
                giveaways += 1
                fail(f"{qa['key']}: key text '{kt}' appears in the stem of {qb['key']} "
                     f"(groups {qa['group']} / {qb['group']})")
    print(f"key-in-other-stem: {checked} keys checked, {giveaways} giveaways across groups")

    # 7. own words
    src_grams = {}
    for name, text in sources.items():
        toks = mask(tokens(text))
        for _, g in ngrams(toks, RUN):
            src_grams.setdefault(g, name)
    texts = []
    for q in ok:
        texts.append((f"{q['key']} stem", q["stem"]))
        for i, o in enumerate(q["options"], 1):
            texts.append((f"{q['key']} option {i}", o))
        texts.append((f"{q['key']} explanation", q["explanation"]))
        texts.append((f"{q['key']} passage", q["passage"]))
    n_bank = len(texts)
    texts.extend(study_texts(study))
    copied = 0
    for where, text in texts:
        toks = mask(tokens(text))
        hits = [(i, src_grams[g]) for i, g in ngrams(toks, RUN) if g in src_grams]
        if not hits:
            continue
        copied += 1
        # merge into maximal runs
        runs = []
        for i, name in hits:
            if runs and i <= runs[-1][1] + 1 and runs[-1][2] == name:
                runs[-1][1] = i
            else:
                runs.append([i, i, name])
        for s, e, name in runs:
            phrase = " ".join(t for t in toks[s:e + RUN] if t)
            fail(f"{where}: {e - s + RUN} syllables shared with {name}: '{phrase}'")
    print(f"own words: {n_bank} bank texts and {len(texts) - n_bank} study texts checked, "
          f"{copied} with a run of {RUN}+ syllables shared with a source")

    print()
    if FAILS:
        for f in FAILS:
            print("FAIL:", f)
        print(f"\n{len(FAILS)} failure(s)")
        return 1
    print("OK: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
