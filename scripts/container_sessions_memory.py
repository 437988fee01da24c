"""Memory of the app server as students connect: the numbers behind the sizing advice.

Usage: python scripts/container_sessions_memory.py URL PID [--sessions 1,10,20,30]

Opens browser tabs on URL one after another in headless Chromium (each tab is one
Streamlit session, kept open), waits for each first run to finish, and at each count in
--sessions prints the server process's memory (PID as the host sees it: resident set,
and its anonymous part, which is what each session adds) and the seconds the last page
took. Run it against a container started by scripts/container_test.sh's recipe, or any
server (`make run`). The browser costs CPU here too, so the times are upper bounds.
"""

import argparse
import sys
import time

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from container_page_check import CHROMIUM, CHROMIUM_ARGS, wait_rendered


def memory_mib(pid: int) -> dict[str, float]:
    """VmRSS and RssAnon of pid, in MiB."""
    values = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile"):
                values[key] = int(rest.split()[0]) / 1024
    return values


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("pid", type=int)
    parser.add_argument("--sessions", default="1,10,20,30")
    args = parser.parse_args()
    marks = sorted({int(n) for n in args.sessions.split(",")})

    from playwright.sync_api import sync_playwright

    before = memory_mib(args.pid)
    rss, anon = before["VmRSS"], before["RssAnon"]
    print(f"sessions  0: RSS {rss:6.0f} MiB  anon {anon:6.0f} MiB")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pages = []
        try:
            for n in range(1, marks[-1] + 1):
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                seconds = wait_rendered(page, args.url, 180)
                pages.append(page)
                if n in marks:
                    time.sleep(1)
                    m = memory_mib(args.pid)
                    per = (m["RssAnon"] - before["RssAnon"]) / n
                    print(
                        f"sessions {n:2d}: RSS {m['VmRSS']:6.0f} MiB  "
                        f"anon {m['RssAnon']:6.0f} MiB  ({per:.1f} MiB a session "
                        f"over idle)  last page {seconds:.1f} s",
                        flush=True,
                    )
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
