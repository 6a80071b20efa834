#!/usr/bin/env python3
"""A synthetic Bitbucket Data Center scenario for scripts/bench (the fake Data Center server).

N repositories in projects of 100, every repository alike: a default branch with a recent
commit, a pull-request-only branch permission, pull-request settings that require approvals
and reset them, one required-builds check and one dated access key, so that a scan makes the
same seven reads of each and every read succeeds. Prints a JSON line: the repository and project
counts and the exact requests a default scan makes.
"""
import argparse
import json

parser = argparse.ArgumentParser()
parser.add_argument("--repos", type=int, required=True)
parser.add_argument("--out", required=True)
parser.add_argument("--rate-limit", nargs=2, type=float, metavar=("CAPACITY", "PER_SECOND"))
args = parser.parse_args()

per_project = 100
projects = []
for p in range((args.repos + per_project - 1) // per_project):
    key = f"P{p:04d}"
    repos = []
    for r in range(min(per_project, args.repos - p * per_project)):
        n = p * per_project + r
        repos.append({
            "slug": f"repo-{n:05d}", "id": 1000 + n, "name": f"Repo {n}",
            "default_branch": "main",
            "last_commit": {"id": f"{n:040x}", "committer_timestamp": 1790812800000},
            "restrictions": [{"id": 10 * n + 1, "type": "pull-request-only",
                              "matcher": {"type": "BRANCH", "id": "refs/heads/main"}}],
            "pull_request_settings": {"requiredApprovers": {"enabled": True, "count": 2},
                                      "unapproveOnUpdate": True},
            "required_builds": [{"id": n + 1, "buildParentKeys": ["ci"],
                                 "refMatcher": {"id": "ANY_REF_MATCHER_ID",
                                                "type": {"id": "ANY_REF"}}}],
            "access_keys": [{"id": 100000 + n, "label": f"deploy-{n}",
                             "created": "2026-10-01T00:00:00Z",
                             "text": f"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBench{n:08d} d@h"}],
        })
    projects.append({"key": key, "id": p + 1, "name": f"Project {p}", "repos": repos})

scenario = {
    "version": "9.2.3",
    "users": [{"name": "bench", "admin": True, "tokens": ["bench-dc-token"]}],
    "projects": projects,
}
if args.rate_limit:
    scenario["rate_limit"] = {"capacity": int(args.rate_limit[0]),
                              "refill_per_second": args.rate_limit[1]}
with open(args.out, "w") as f:
    json.dump(scenario, f)
pages = max(1, (args.repos + 999) // 1000)
# application-properties, users, the listing's pages, 2 per project, 7 per repository, SSH keys
print(json.dumps({"repos": args.repos, "projects": len(projects),
                  "expected_requests": 2 + pages + 2 * len(projects) + 7 * args.repos + 1,
                  "listing_pages": pages}))
