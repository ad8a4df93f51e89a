//! Test runs of LLM evaluation tools: DeepEval test runs and promptfoo results (garak's
//! report, a JSON Lines file, is read with the logs). Each becomes test counts with the
//! failed cases named and the mean score per metric.

use std::collections::BTreeMap;

use serde_json::Value;

use super::source::{Source, has_any, number, string, string_at};
use crate::model::document::{Document, TestCounts};

/// Means of the scores gathered per metric.
fn means(sums: BTreeMap<String, (f64, u32)>) -> BTreeMap<String, f64> {
    sums.into_iter().filter(|(_, (_, n))| *n > 0).map(|(k, (sum, n))| (k, sum / f64::from(n))).collect()
}

// ---------------------------------------------------------------------------------------
// DeepEval

/// A DeepEval test run: `testCases` (or `test_cases`) with their `metricsData`, and the
/// `testPassed` / `testFailed` counts.
/// DeepEval's `.deepeval/.latest_test_run.json` wraps the run in `testRunData`.
pub(super) fn is_deepeval(v: &Value) -> bool {
    let v = v.get("testRunData").unwrap_or(v);
    has_any(v, &["testCases", "test_cases"])
        && has_any(v, &["testPassed", "testFailed", "test_passed", "metricsScores"])
}

pub(super) fn deepeval(_: &mut Source<'_>, v: &Value) -> Option<Document> {
    let v = v.get("testRunData").unwrap_or(v);
    let cases = v.get("testCases").or_else(|| v.get("test_cases")).and_then(Value::as_array)?;
    let conversational =
        v.get("conversationalTestCases").or_else(|| v.get("conversational_test_cases")).and_then(Value::as_array);
    let mut counts = TestCounts::default();
    let mut sums: BTreeMap<String, (f64, u32)> = BTreeMap::new();
    for case in cases.iter().chain(conversational.into_iter().flatten()) {
        counts.tests += 1;
        let metrics = case.get("metricsData").or_else(|| case.get("metrics_data")).and_then(Value::as_array);
        let errored = metrics.into_iter().flatten().any(|m| m.get("error").is_some_and(|e| !e.is_null()));
        let success = case.get("success").and_then(Value::as_bool).unwrap_or(!errored);
        if !success {
            if errored {
                counts.errors += 1;
            } else {
                counts.failures += 1;
            }
            counts.failed.push(case.get("name").and_then(string).unwrap_or_else(|| format!("case {}", counts.tests)));
        }
        for m in metrics.into_iter().flatten() {
            if let (Some(name), Some(score)) = (m.get("name").and_then(string), m.get("score").and_then(number)) {
                let entry = sums.entry(name).or_default();
                entry.0 += score;
                entry.1 += 1;
            }
        }
    }
    counts.metrics = means(sums);
    Some(Document::TestResults(counts))
}

// ---------------------------------------------------------------------------------------
// promptfoo

/// `promptfoo eval -o results.json`: `evalId` and `results: {results: [...], stats}`.
pub(super) fn is_promptfoo(v: &Value) -> bool {
    v.get("results").is_some_and(|r| r.get("stats").is_some() && r.get("results").is_some_and(Value::is_array))
        && has_any(v, &["evalId", "config", "shareableUrl"])
}

/// A promptfoo red-team run (`promptfoo redteam eval`): its tests carry the red-team
/// plugin that made them (`metadata.pluginId`).
pub(super) fn is_promptfoo_redteam(v: &Value) -> bool {
    is_promptfoo(v)
        && v.pointer("/results/results")
            .and_then(Value::as_array)
            .is_some_and(|r| r.iter().any(|r| plugin(r).is_some()))
}

/// The red-team plugin a result's test came from.
fn plugin(r: &Value) -> Option<String> {
    string_at(r, "/testCase/metadata/pluginId").or_else(|| string_at(r, "/metadata/pluginId"))
}

pub(super) fn promptfoo(source: &mut Source<'_>, v: &Value) -> Option<Document> {
    let results = v.pointer("/results/results")?.as_array()?;
    let mut counts = TestCounts::default();
    let mut sums: BTreeMap<String, (f64, u32)> = BTreeMap::new();
    for r in results {
        let name = || {
            string_at(r, "/testCase/description")
                .or_else(|| r.get("description").and_then(string))
                .or_else(|| string_at(r, "/prompt/label"))
        };
        counts.tests += 1;
        let success = r.get("success").and_then(Value::as_bool).unwrap_or(false);
        // failureReason 2 is an error (the provider failed), 1 a failed assertion.
        let errored = r.get("failureReason").and_then(Value::as_u64) == Some(2)
            || (!success
                && r.get("error").is_some_and(|e| !e.is_null())
                && r.get("gradingResult").is_none_or(Value::is_null));
        if !success {
            if errored {
                counts.errors += 1;
            } else {
                counts.failures += 1;
            }
            let name = name().unwrap_or_else(|| format!("test {}", counts.tests));
            counts.failed.push(name);
        }
        // A red-team test that fails is an attack that got through; one that errored
        // tells nothing either way.
        if let Some(plugin) = plugin(r)
            && !errored
        {
            let attacks = counts.attacks.entry(plugin).or_default();
            if attacks.severity.is_none() {
                attacks.severity =
                    string_at(r, "/testCase/metadata/severity").or_else(|| string_at(r, "/metadata/severity"));
            }
            let tests = counts.tests;
            attacks.add(!success, || name().unwrap_or_else(|| format!("test {tests}")));
        }
        for (name, score) in r.get("namedScores").and_then(Value::as_object).into_iter().flatten() {
            if let Some(score) = number(score) {
                let entry = sums.entry(name.clone()).or_default();
                entry.0 += score;
                entry.1 += 1;
            }
        }
    }
    if let Some(t) = string_at(v, "/results/timestamp") {
        source.date_from(&t, "results.timestamp");
    }
    counts.metrics = means(sums);
    Some(Document::TestResults(counts))
}

// ---------------------------------------------------------------------------------------
// PyRIT

/// The results of PyRIT attacks (`AttackResult`s written with `model_dump`): a list, or an
/// object whose `results` holds it; each has an `objective` and an `outcome`.
pub(super) fn is_pyrit(v: &Value) -> bool {
    pyrit_results(v).is_some_and(|r| {
        !r.is_empty()
            && r.iter().all(|x| x.get("objective").is_some() && x.get("outcome").is_some_and(Value::is_string))
            && r.iter().any(|x| has_any(x, &["attack_result_id", "atomic_attack_identifier", "conversation_id"]))
    })
}

fn pyrit_results(v: &Value) -> Option<&Vec<Value>> {
    v.as_array().or_else(|| v.get("results").and_then(Value::as_array))
}

/// Each attack counts under its harm category (`targeted_harm_categories`, else the
/// `harm_category` label): `success` got through, `failure` held; `error` and
/// `undetermined` tell neither, as PyRIT's own success rate leaves them out.
pub(super) fn pyrit(source: &mut Source<'_>, v: &Value) -> Option<Document> {
    let results = pyrit_results(v)?;
    let mut counts = TestCounts::default();
    let mut latest: Option<String> = None;
    for r in results {
        counts.tests += 1;
        let outcome = r.get("outcome").and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase();
        let objective = r.get("objective").and_then(string).unwrap_or_else(|| format!("attack {}", counts.tests));
        let category = string_at(r, "/targeted_harm_categories/0")
            .or_else(|| string_at(r, "/labels/harm_category"))
            .unwrap_or_else(|| "uncategorised".into());
        match outcome.as_str() {
            "success" | "failure" => {
                let got_through = outcome == "success";
                if got_through {
                    counts.failures += 1;
                    counts.failed.push(objective.clone());
                }
                counts.attacks.entry(category).or_default().add(got_through, || objective);
            }
            "error" => {
                counts.errors += 1;
                counts.failed.push(objective);
            }
            _ => counts.skipped += 1,
        }
        if let Some(t) = r.get("timestamp").and_then(string)
            && latest.as_ref().is_none_or(|l| t > *l)
        {
            latest = Some(t);
        }
    }
    if let Some(t) = latest {
        source.date_from(&t, "the latest attack's timestamp");
    }
    Some(Document::TestResults(counts))
}
