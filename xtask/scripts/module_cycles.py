#!/usr/bin/env python3
"""Lists module cycles in every crate of the workspace: module A uses module B, which uses A.

A reader following one module should never be sent back to where they started. Paths are read from
`use crate::…`, `use super::…` and inline `crate::a::b` / `super::x` paths. Each edge goes to the
deepest module file that exists; edges between a module and its own ancestors or descendants are
structure (a folder module and its parts), not circles, and are left out. Edges are checked at every
level: `intake` using `http::cookies` while `http::leads` uses `intake` is a circle between the
siblings `intake` and `http`, though no single file uses a file that uses it.

Usage: python3 xtask/scripts/module_cycles.py [ROOT]   (exit 1 when a cycle is found)
"""
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.getcwd()
PATH = re.compile(r"\b(crate|super)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")
USE_GROUP = re.compile(r"\buse\s+(crate|super)((?:::[A-Za-z_][A-Za-z0-9_]*)*)::\{([^;]*)\};", re.S)
COMMENT = re.compile(r"//[^\n]*")


def crate_roots():
    for base, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in ("target", ".git", "node_modules", ".tools", "dist")]
        if "Cargo.toml" in files and os.path.isdir(os.path.join(base, "src")):
            yield base, os.path.join(base, "src")


def modules(src):
    """Maps module path tuples to files, e.g. ('http', 'cookies') -> src/http/cookies.rs."""
    found = {}
    for base, _dirs, files in os.walk(src):
        for name in files:
            if not name.endswith(".rs"):
                continue
            rel = os.path.relpath(os.path.join(base, name), src)[:-3].split(os.sep)
            if rel[-1] == "mod":
                rel = rel[:-1]
            if rel in (["lib"], ["main"]):
                rel = []
            found[tuple(rel)] = os.path.join(base, name)
    return found


def deepest(mods, path):
    for n in range(len(path), -1, -1):
        if tuple(path[:n]) in mods:
            return tuple(path[:n])
    return ()


def edges_of(mods, module, text):
    text = COMMENT.sub("", text)
    targets = set()

    def resolve(kind, segments):
        if kind == "crate":
            return list(segments)
        base = list(module)
        # `super` from a/b.rs is `a`; repeated `super::super` climbs further.
        base = base[:-1]
        while segments and segments[0] == "super":
            base = base[:-1]
            segments = segments[1:]
        return base + list(segments)

    for kind, head, group in USE_GROUP.findall(text):
        head_segments = [s for s in head.split("::") if s]
        for item in re.split(r",", group):
            item = item.strip().split(" as ")[0].strip()
            if not item:
                continue
            segments = head_segments + [s for s in re.split(r"::", item.split("{")[0]) if s]
            targets.add(deepest(mods, resolve(kind, segments)))
    for kind, rest in PATH.findall(text):
        targets.add(deepest(mods, resolve(kind, [s for s in rest.split("::") if s])))
    related = lambda a, b: a[: len(b)] == b or b[: len(a)] == a
    return {t for t in targets if t and not related(t, module)}


def cycles(graph):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                on.discard(w)
                part.append(w)
                if w == v:
                    break
            if len(part) > 1:
                out.append(sorted(part))

    sys.setrecursionlimit(10000)
    for v in list(graph):
        if v not in index:
            visit(v)
    return out


def main():
    found_any = False
    for crate, src in sorted(crate_roots()):
        mods = modules(src)
        # Each file-to-file edge becomes an edge between the two siblings under their common parent;
        # `why` keeps the file edges behind it for the report.
        graph, why = {}, {}
        for module, path in mods.items():
            with open(path, encoding="utf-8") as f:
                for target in edges_of(mods, module, f.read()):
                    common = 0
                    while module[common] == target[common]:
                        common += 1
                    a, b = module[: common + 1], target[: common + 1]
                    graph.setdefault(a, set()).add(b)
                    why.setdefault((a, b), set()).add((module, target))
        for part in cycles(graph):
            found_any = True
            print(f"{os.path.relpath(crate, ROOT) or '.'}: cycle between {', '.join('::'.join(m) for m in part)}")
            members = set(part)
            for a in part:
                for b in sorted(graph[a] & members):
                    for module, target in sorted(why[(a, b)]):
                        print(f"  {os.path.relpath(mods[module], ROOT)} uses {'::'.join(target)}")
    if not found_any:
        print("no module cycles")
    return 1 if found_any else 0


if __name__ == "__main__":
    sys.exit(main())
