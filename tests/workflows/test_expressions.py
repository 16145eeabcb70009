"""The `${{ }}` evaluator: GitHub's semantics for the subset the workflows use."""

from __future__ import annotations

import pytest

from platform_cli.forge.expressions import (
    UNKNOWN,
    ExpressionError,
    Status,
    Unresolved,
    condition,
    evaluate,
    interpolate,
)

CONTEXT = {
    "github": {"event_name": "pull_request", "sha": "abc"},
    "inputs": {"mode": "plan", "environment": "staging", "buildx-version": "v0.23.0", "flag": False},
    "steps": {"push": {"outputs": {"digest": "sha256:00"}}},
    "vars": {"LABELS": "hotfix,security"},
    "secrets": {},
}


@pytest.mark.parametrize(
    "expr, value",
    [
        (
            "github.event_name == 'pull_request' && 'plan' || github.event_name == 'schedule' && 'drift' || 'apply'",
            "plan",
        ),
        ("inputs.mode == 'apply' && inputs.environment || format('{0}-plan', inputs.environment)", "staging-plan"),
        ("inputs.buildx-version", "v0.23.0"),
        ("steps.push.outputs.digest", "sha256:00"),
        ("github['event_name']", "pull_request"),
        ("inputs.missing", None),
        ("secrets.GITOPS_TOKEN", None),
        ("!inputs.flag", True),
        ("inputs.flag || 'fallback'", "fallback"),
        ("'PLAN' == inputs.mode", True),  # strings compare case-insensitively
        ("inputs.mode != 'apply'", True),
        ("contains(vars.LABELS, 'hotfix')", True),
        ("startsWith(github.sha, 'ab') && endsWith(github.sha, 'c')", True),
        ("format('{0}/{1} {{literal}}', 'a', 'b')", "a/b {literal}"),
        ("1 < 2 && 3 >= 3", True),
        ("(false || 0) == 0", True),
        ("'it''s'", "it's"),
    ],
)
def test_evaluate(expr, value):
    assert evaluate(expr, CONTEXT) == value


def test_interpolate_keeps_a_whole_expression_typed_and_renders_text_otherwise():
    assert interpolate("${{ inputs.flag }}", CONTEXT) is False
    assert interpolate("${{ inputs.mode }}@${{ steps.push.outputs.digest }}", CONTEXT) == "plan@sha256:00"
    assert (
        interpolate("terraform ${{ inputs.mode }} (${{ inputs.environment }})", CONTEXT) == "terraform plan (staging)"
    )
    assert interpolate("no expression", CONTEXT) == "no expression"


def test_conditions_imply_success_unless_they_call_a_status_function():
    failed = Status(failed=True)
    assert condition("inputs.mode == 'plan'", CONTEXT)
    assert not condition("inputs.mode == 'plan'", CONTEXT, failed)
    assert condition("${{ always() && inputs.mode == 'plan' }}", CONTEXT, failed)
    assert condition("failure()", CONTEXT, failed) and not condition("failure()", CONTEXT)
    assert condition(None, CONTEXT) and not condition(None, CONTEXT, failed)


def test_unknown_values_and_unsupported_expressions_raise():
    with pytest.raises(Unresolved):
        evaluate("vars.ROLE", {"vars": UNKNOWN})
    with pytest.raises(ExpressionError):
        evaluate("hashFiles('**/x')", CONTEXT)
    with pytest.raises(ExpressionError):
        evaluate("inputs.mode ==", CONTEXT)
