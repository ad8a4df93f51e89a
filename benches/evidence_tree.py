"""Generated evidence trees for the whole-run benchmarks: a bundled sample plus daily
inference logs, the shape of evidence that grows (a year of hourly partitions)."""
import os
import shutil


def prepare(work, here, name, sample, extra_logs=0, formats=None):
    """work/NAME/ev holds the evidence (made once); work/NAME/<variant>.yaml the configs,
    one per entry of FORMATS ({variant: "[html, pdf]"}). Returns work/NAME."""
    tree = os.path.join(work, name)
    ev = os.path.join(tree, "ev")
    done = os.path.join(tree, ".done")
    if not os.path.exists(done):
        shutil.rmtree(tree, ignore_errors=True)
        shutil.copytree(os.path.join(here, "evidence-samples", sample), ev)
        for n in range(extra_logs):
            day = n // 400
            path = os.path.join(ev, "logs", "inference", "archive",
                                f"{2024 + day // 365}", f"{day % 365 // 31 + 1:02d}", f"{day % 31 + 1:02d}")
            os.makedirs(path, exist_ok=True)
            with open(os.path.join(path, f"audit-{n % 400:03d}.jsonl"), "w") as fh:
                for r in range(3):
                    fh.write('{"timestamp":"2026-11-18T08:%02d:%02dZ","request_id":"r-%d-%d",'
                             '"model_version":"4.2.1","input":{"annual_income":52000},"prediction":"approve",'
                             '"score":712,"confidence":0.71,"latency_ms":38,"actor":"svc:loan-origination-api",'
                             '"decision":"approve"}\n' % (r, n % 60, n, r))
        open(done, "w").close()
    base = open(os.path.join(ev, "dossier.yaml")).read()
    base = base.replace("root: .", "root: ev").replace("file: policies/", "file: ev/policies/")
    for variant, listed in (formats or {"both": "[html, pdf]"}).items():
        with open(os.path.join(tree, f"{variant}.yaml"), "w") as fh:
            fh.write(base + f"\nreport:\n  formats: {listed}\n")
    return tree
