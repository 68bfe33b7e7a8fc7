#!/usr/bin/python3
"""Clickstream events for benchmarks, from a generator that is not Exania's (standard library only).

Writes the canonical event CSV (user_id, session_id, timestamp, action, page, category, scroll_depth,
campaign_id, ad_type, placement, cost, revenue) for --sessions sessions. Each session is a walk over the nine
interaction actions with per-action next-action weights, exponential gaps (mean 6 s, longer after a wait or a
blur), scroll depth that grows with scrolling, a page and category per page view, and an ad click with its
campaign, ad type, placement and cost now and then. Rows are written session by session, in time order within a
session. Seeded: the same --seed gives the same file.

    /usr/bin/python3 scripts/bench/generate_sessions.py --sessions 20000 --seed 7 --out events.csv
"""
import argparse
import csv
import random

ACTIONS = ["scroll_down", "scroll_up", "click", "hover", "wait", "focus_window", "blur_window", "close_tab", "click_ad"]
# next-action weights after each action (same order as ACTIONS)
NEXT = {
    "scroll_down": [40, 8, 14, 14, 8, 2, 4, 1, 1.2],
    "scroll_up": [30, 10, 14, 16, 10, 2, 5, 1, 1.0],
    "click": [30, 6, 10, 16, 12, 2, 5, 2, 1.5],
    "hover": [28, 6, 22, 14, 10, 2, 4, 1, 2.0],
    "wait": [26, 8, 12, 12, 10, 4, 10, 3, 0.8],
    "focus_window": [30, 6, 16, 14, 10, 1, 3, 1, 1.0],
    "blur_window": [2, 1, 2, 2, 10, 70, 2, 8, 0.2],
    "close_tab": [],
    "click_ad": [30, 6, 12, 14, 12, 2, 8, 6, 0.5],
}
CATEGORIES = ["news", "sport", "tech", "health", "travel", "food", "finance", "culture"]
AD_TYPES = ["banner", "video", "native"]
PLACEMENTS = ["top", "sidebar", "inline", "footer"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=20000)
    parser.add_argument("--users", type=int, default=0, help="default: sessions / 3")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    users = args.users or max(1, args.sessions // 3)
    start = 1767225600.0  # 2026-01-01T00:00:00Z
    events = 0
    with open(args.out, "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["user_id", "session_id", "timestamp", "action", "page", "category", "scroll_depth",
                      "campaign_id", "ad_type", "placement", "cost", "revenue"])
        for s in range(args.sessions):
            user = f"user{rng.randrange(users):06d}"
            session = f"sess{s:07d}"
            t = start + rng.uniform(0, 30 * 86400)
            category = rng.choice(CATEGORIES)
            page = f"/{category}/{rng.randrange(400)}"
            depth = 0.0
            action = "focus_window"
            length = max(2, int(rng.expovariate(1 / 45.0)))
            for _ in range(length):
                weights = NEXT[action]
                if not weights:
                    break
                action = rng.choices(ACTIONS, weights)[0]
                mean_gap = 20.0 if action in ("wait", "focus_window") else 6.0
                t += rng.expovariate(1 / mean_gap)
                if action == "scroll_down":
                    depth = min(1.0, depth + rng.uniform(0.01, 0.12))
                elif action == "scroll_up":
                    depth = max(0.0, depth - rng.uniform(0.01, 0.08))
                elif action == "click" and rng.random() < 0.3:
                    category = rng.choice(CATEGORIES) if rng.random() < 0.2 else category
                    page = f"/{category}/{rng.randrange(400)}"
                    depth = 0.0
                row = [user, session, f"{t:.3f}", action, page, category,
                       f"{depth:.3f}" if action in ("scroll_down", "scroll_up") else "", "", "", "", "", ""]
                if action == "click_ad":
                    row[7] = f"cmp{rng.randrange(40):03d}"
                    row[8] = rng.choice(AD_TYPES)
                    row[9] = rng.choice(PLACEMENTS)
                    row[10] = f"{rng.uniform(0.05, 2.5):.4f}"
                    row[11] = f"{rng.uniform(5, 120):.2f}" if rng.random() < 0.05 else ""
                out.writerow(row)
                events += 1
    print(f'{{"sessions": {args.sessions}, "events": {events}, "out": "{args.out}"}}')


if __name__ == "__main__":
    main()
