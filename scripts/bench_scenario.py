#!/usr/bin/python3
"""Generates a synthetic fake_bitbucket scenario for scripts/bench.

    bench_scenario.py --repos N --out scenario.json [--workspaces W] [--seed S]
                      [--rate-limit BUDGET --window-ms MS]

Writes the scenario to --out and prints one JSON object on stdout describing it:

    {"repos": N, "workspaces": W, "projects": P, "empty": E, "branching_model": B,
     "repo_pages": sum over workspaces of max(1, ceil(N_w / 100)),
     "expected_requests": ..., "bound": 2N + ceil(N/100) + 2P + W + 5}

The scan of a generated scenario makes exactly `expected_requests` requests (no retries):
1 token + 1 /user + 1 /user/workspaces + repo_pages + (N - E) branch-restriction pages
+ B effective-branching-model reads + N deploy-key pages + P project deploy-key pages
+ 1 SSH key page. Every list stays within one page of 100, and every project holds at least
one repository (the scanner only reads projects that hold a selected repository).

For the extended rules (--rule-set all) every repository also has webhooks and Pipelines
variables, and every tenth two deployment environments; "expected_requests_all" adds their
reads: 3 per repository (webhooks, variables, environments), one per environment, and 5 per
workspace (settings, webhooks, variables, members, owners). They are added without drawing
from the random generator, so the default scenario is the same as before.

Standard library only; deterministic for a given seed.
"""

import argparse
import json
import math
import random
import sys

CLIENT_ID = "bench-client"
CLIENT_SECRET = "bench-secret"
RECENT = "2026-10-01T12:00:00.000000+00:00"
OLD = "2024-03-01T12:00:00.000000+00:00"


def restriction(rid, kind, pattern, value=None, users=None):
    return {
        "id": rid,
        "kind": kind,
        "pattern": pattern,
        "branch_match_kind": "glob",
        "value": value,
        "users": users or [],
        "groups": [],
    }


def model_restriction(rid, kind, branch_type):
    r = restriction(rid, kind, "")
    r["branch_match_kind"] = "branching_model"
    r["branch_type"] = branch_type
    return r


def deploy_key(kid, label, material, created_on):
    return {
        "id": kid,
        "label": label,
        "key": material,
        "comment": "",
        "created_on": created_on,
        "last_used": None,
    }


class Ids:
    def __init__(self):
        self.value = 0

    def next(self):
        self.value += 1
        return self.value


def restrictions_for(rng, ids, main, profile):
    """A realistic restriction mix for one repository."""
    if profile == "none":
        return []
    if profile == "basic":  # the usual trio on the main branch
        return [
            restriction(ids.next(), "push", main),
            restriction(ids.next(), "force", main),
            restriction(ids.next(), "delete", main),
        ]
    if profile == "reviews":
        return [
            restriction(ids.next(), "require_approvals_to_merge", main, rng.choice([1, 2])),
            restriction(ids.next(), "force", main),
            restriction(ids.next(), "delete", "*"),
        ]
    if profile == "full":
        out = [
            restriction(ids.next(), "require_approvals_to_merge", main, 2),
            restriction(ids.next(), "push", main,
                        users=[{"type": "user", "uuid": "{bot}", "display_name": "CI"}]),
            restriction(ids.next(), "reset_pullrequest_approvals_on_change", main),
            restriction(ids.next(), "force", main),
            restriction(ids.next(), "require_passing_builds_to_merge", main, 1),
            restriction(ids.next(), "delete", main),
            restriction(ids.next(), "enforce_merge_checks", main),
        ]
        # A few release branches protected by glob.
        for i in range(rng.randint(0, 6)):
            out.append(restriction(ids.next(), "push", "release/%d.*" % i))
        return out
    if profile == "model":  # branching-model restrictions: needs the effective model
        return [
            model_restriction(ids.next(), "force", "production"),
            model_restriction(ids.next(), "delete", "development"),
            restriction(ids.next(), "require_approvals_to_merge", "*", 1),
        ]
    raise ValueError(profile)


def add_extended(repo, r):
    """Webhooks and variables for the extended rules, by index (no random draw)."""
    scheme = "http" if r % 7 == 0 else "https"
    repo["hooks"] = [{"url": "%s://ci.example.com/hook/%d" % (scheme, r),
                      "description": "CI", "secret_set": r % 2 == 0}]
    repo["pipeline_variables"] = [
        {"key": "DEPLOY_TOKEN", "value": "bench-value", "secured": r % 5 != 0},
        {"key": "NODE_VERSION", "value": "20", "secured": False},
    ]
    if r % 10 == 0:
        repo["environments"] = [
            {"name": name, "uuid": "{env-%d-%s}" % (r, name.lower()),
             "variables": [{"key": "API_KEY", "value": "bench-value", "secured": True}]}
            for name in ("Staging", "Production")
        ]
        return 2
    return 0


def workspace_extended(ws):
    ws["forking_mode"] = "internal_only"
    ws["members"] = [
        {"user": {"display_name": "Owner %d" % i, "uuid": "{owner-%d}" % i,
                  "account_id": "owner-%d" % i, "has_2fa_enabled": True},
         "permission": "owner"} for i in range(2)]


def generate(n, workspaces, seed, rate_limit=None, forbid_restrictions=False):
    rng = random.Random(seed)
    ids = Ids()
    w_count = workspaces
    # Uneven workspace sizes (weights 1, 2, 3, ...), every workspace non-empty.
    weights = list(range(1, w_count + 1))
    total_w = sum(weights)
    sizes = [max(1, n * wt // total_w) for wt in weights]
    sizes[-1] += n - sum(sizes)
    assert all(s > 0 for s in sizes) and sum(sizes) == n

    n_model = max(1, round(n * 0.05))
    n_empty = max(1, round(n * 0.02))
    # Which global repository indexes are empty / use the branching model (disjoint).
    order = list(range(n))
    rng.shuffle(order)
    empty_set = set(order[:n_empty])
    model_set = set(order[n_empty:n_empty + n_model])

    ws_list = []
    projects_total = 0
    global_index = 0
    for w, size in enumerate(sizes):
        slug = "ws%02d" % w
        # Projects of 5 to 40 repositories (about 20 on average), at least one.
        n_projects = max(1, size // 20)
        projects = []
        for p in range(n_projects):
            project = {"key": "P%02d%03d" % (w, p), "name": "Project %d.%d" % (w, p),
                       "is_private": True}
            if rng.random() < 0.3:
                project["deploy_keys"] = [
                    deploy_key(ids.next(), "ci-%d-%d" % (w, p),
                               "ssh-ed25519 AAAAPROJ%d_%d ci" % (w, p),
                               rng.choice([OLD, RECENT]))
                ]
            projects.append(project)
        projects_total += n_projects
        repos = []
        for r in range(size):
            gi = global_index
            global_index += 1
            # The first n_projects repositories cover every project once; then at random.
            project = projects[r] if r < n_projects else rng.choice(projects)
            repo = {
                "slug": "repo-%05d" % r,
                "project": project["key"],
                "is_private": rng.random() < 0.9,
                "updated_on": RECENT if rng.random() < 0.8 else OLD,
            }
            main = "main" if rng.random() < 0.85 else "master"
            if gi in empty_set:
                repo["mainbranch"] = None
            else:
                repo["mainbranch"] = main
                if gi in model_set:
                    profile = "model"
                else:
                    profile = rng.choices(["none", "basic", "reviews", "full"],
                                          weights=[30, 35, 15, 20])[0]
                rs = restrictions_for(rng, ids, main, profile)
                if rs:
                    repo["branch_restrictions"] = rs
                if profile == "model":
                    repo["branching_model"] = {
                        "development": {"name": "develop", "use_mainbranch": False},
                        "production": {"name": None, "use_mainbranch": True},
                        "branch_types": [],
                    }
            x = rng.random()
            if x < 0.25:
                keys = [deploy_key(ids.next(), "deploy-%d" % r,
                                   "ssh-ed25519 AAAAREPO%d_%d" % (w, r),
                                   rng.choice([OLD, RECENT]))]
                if x < 0.05 and "deploy_keys" in project:  # the project key showing through
                    pk = project["deploy_keys"][0]
                    keys.append(deploy_key(ids.next(), pk["label"], pk["key"], pk["created_on"]))
                repo["deploy_keys"] = keys
            repos.append(repo)
        ws_list.append({"slug": slug, "name": "Workspace %d" % w, "administrator": True,
                        "projects": projects, "repositories": repos})
    environments = 0
    for ws in ws_list:
        workspace_extended(ws)
        for r, repo in enumerate(ws["repositories"]):
            environments += add_extended(repo, r)

    scenario = {
        "oauth_clients": [{
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "scopes": ["account", "repository", "repository:admin", "project", "project:admin",
                       "webhook", "pipeline"],
            "expires_in": 7200,
        }],
        "user": {"type": "user", "uuid": "{bench-user}", "display_name": "Bench",
                 "nickname": "bench", "account_id": "bench-account"},
        "ssh_keys": [
            {"uuid": "{ssh-1}", "label": "laptop", "key": "ssh-ed25519 AAAALAPTOP",
             "created_on": OLD, "last_used": None},
            {"uuid": "{ssh-2}", "label": "desktop", "key": "ssh-ed25519 AAAADESKTOP",
             "created_on": RECENT, "last_used": RECENT},
        ],
        "workspaces": ws_list,
        # Enough workers for every scanner connection plus slack.
        "server": {"threads": 64},
    }
    scenario["faults"] = []
    if rate_limit:
        budget, window_ms = rate_limit
        scenario["faults"].append({"kind": "rate_limit", "budget": budget, "window_ms": window_ms})
    if forbid_restrictions:
        # Every repository's restrictions answer 403 for a missing scope: one gap each.
        scenario["faults"].append({
            "kind": "status", "path": "/2.0/repositories/*/branch-restrictions", "times": -1,
            "status": 403, "body": {"type": "error", "error": {
                "message": "Your credentials lack one or more required privilege scopes.",
                "detail": {"required": ["repository:admin"], "granted": ["repository"]}}}})

    repo_pages = sum(max(1, math.ceil(s / 100)) for s in sizes)
    model_reads = 0 if forbid_restrictions else n_model
    expected = (1 + 1 + 1 + repo_pages + (n - n_empty) + model_reads + n + projects_total + 1)
    bound = 2 * n + math.ceil(n / 100) + 2 * projects_total + w_count + 5
    info = {
        "repos": n,
        "workspaces": w_count,
        "projects": projects_total,
        "empty": n_empty,
        "branching_model": n_model,
        "repo_pages": repo_pages,
        "expected_requests": expected,
        "expected_requests_all": expected + 3 * n + environments + 5 * w_count,
        "bound": bound,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    return scenario, info


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repos", type=int, required=True)
    parser.add_argument("--workspaces", type=int, default=0,
                        help="default: 2 for N <= 100, 3 for N <= 1000, 4 above")
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--rate-limit", type=int, default=0, metavar="BUDGET")
    parser.add_argument("--window-ms", type=int, default=1000)
    parser.add_argument("--forbid-restrictions", action="store_true",
                        help="every repository's branch restrictions answer 403 (missing scope)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    if args.repos < 1:
        parser.error("--repos must be at least 1")
    workspaces = args.workspaces or (2 if args.repos <= 100 else 3 if args.repos <= 1000 else 4)
    workspaces = min(workspaces, args.repos)
    rate = (args.rate_limit, args.window_ms) if args.rate_limit > 0 else None
    scenario, info = generate(args.repos, workspaces, args.seed, rate, args.forbid_restrictions)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(scenario, f, separators=(",", ":"))
    json.dump(info, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
