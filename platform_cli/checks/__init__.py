"""Doctor's rules: one module per rule family, listed in the explicit registry (`registry.FAMILIES`).

A family is a module with `RULES` ({id: Rule}), `skip_reason(ctx) -> str` ("" when it applies) and
`check(ctx) -> list[Finding]`. No scanning, no import-time side effects. This package module
imports nothing, so `plat doctor` can start helm before the families are loaded.
"""
